// Counting instrumentation for `recomp run --profile`: a copy of a module (the file is never
// changed) whose guest functions count how often they are entered and how often their loop
// heads pass. The guest's memory, globals and function indices are untouched (what is added
// goes after them), so the copy runs as the module does, only counting.
//
// The counters are mutable i64 globals, two per guest function: measured on the corpus
// benchmarks, a counter in a memory of its own cost half as much again (V8 reloads that
// memory's base and bounds for every count). When the guest ends, an exported function
// copies them into an exported counter memory, where the vkernel's host reads them.
//
// The module is rewritten as bytes: every instruction of a guest function's body is decoded
// (to find its loops) and copied; the counting code goes in at the body's start and at the
// start of every loop's body. Guest functions are those the name section names f<entry in
// hex> (the back end's convention, as `recomp report` reads it).
import { customSection, functionNames, readSections, WasmFormatError, WasmReader, type Section } from '../wasm/sections.js';

export class ProfileError extends Error {}

/** the exported counter memory: two u64 per guest function, entries then loop passes */
export const COUNTERS_EXPORT = 'recomp.profile';
/** the exported function that copies the counters into it */
export const DUMP_EXPORT = 'recomp.profile.dump';

export interface Instrumented {
  bytes: Uint8Array;
  /** the guest entry of counter pair k */
  entries: number[];
}

/** the counts of one guest function in a run */
export interface Counts {
  entry: number;
  entries: bigint;
  loops: bigint;
}

export function instrumentModule(bytes: Uint8Array): Instrumented {
  try {
    return instrument(bytes);
  } catch (e) {
    if (e instanceof WasmFormatError) throw new ProfileError(`cannot profile this module: ${e.message}`);
    throw e;
  }
}

function instrument(bytes: Uint8Array): Instrumented {
  const sections = readSections(bytes);
  const names = functionNames(bytes, sections);
  if (!customSection(bytes, sections, 'recomp.image')) throw new ProfileError('not a recomp module (no recomp.image section): translate the ELF with `recomp translate` first');
  const section = (id: number) => sections.find((s) => s.id === id);
  for (const [id, what] of [[1, 'type'], [3, 'function'], [5, 'memory'], [6, 'global'], [7, 'export'], [10, 'code']] as const)
    if (!section(id)) throw new ProfileError(`cannot profile this module: it has no ${what} section`);
  const imports = importCounts(bytes, section(2));
  /** function index → counter pair, for the functions named f<hex> */
  const counterOf = new Map<number, number>();
  const entries: number[] = [];
  for (const [index, name] of [...names].sort(([a], [b]) => a - b)) {
    const m = /^f([0-9a-f]+)$/.exec(name);
    if (!m || index < imports.functions) continue;
    counterOf.set(index, entries.length);
    entries.push(parseInt(m[1], 16));
  }
  if (!entries.length) throw new ProfileError('cannot profile this module: its name section names no guest functions (f<address>); was it stripped?');
  const length = (id: number) => vectorLength(bytes, section(id)!);
  const firstCounter = imports.globals + length(6);
  const counterMemory = imports.memories + length(5);
  const dump = imports.functions + length(3);
  const pages = Math.max(1, Math.ceil((entries.length * 16) / 65536));

  const out = new Writer();
  out.raw(bytes.subarray(0, 8));
  for (const s of sections) {
    const body = bytes.subarray(s.offset, s.offset + s.size);
    if (s.id === 1) out.section(1, appendToVector(body, [0x60, 0x00, 0x00])); // dump's type: [] -> []
    else if (s.id === 3) out.section(3, appendToVector(body, leb(functionTypes(bytes, section(1)!)))); // dump, typed by the type added last
    else if (s.id === 5) out.section(5, appendToVector(body, [0x01, ...leb(pages), ...leb(pages)]));
    else if (s.id === 6) out.section(6, appendToVector(body, ...entries.flatMap(() => [ZERO_I64, ZERO_I64])));
    else if (s.id === 7) out.section(7, appendToVector(body, [...nameBytes(COUNTERS_EXPORT), 0x02, ...leb(counterMemory)], [...nameBytes(DUMP_EXPORT), 0x00, ...leb(dump)]));
    else if (s.id === 10) out.section(10, instrumentCode(bytes, s, imports.functions, counterOf, entries, firstCounter, dumpBody(entries.length, firstCounter, counterMemory)));
    else out.section(s.id, body);
  }
  return { bytes: out.bytes(), entries };
}

/** the counts a finished run left in an instrumented instance, by guest entry */
export function readCounts(instance: WebAssembly.Instance, entries: number[]): Counts[] {
  const { [DUMP_EXPORT]: dump, [COUNTERS_EXPORT]: memory } = instance.exports;
  if (typeof dump !== 'function' || !(memory instanceof WebAssembly.Memory)) throw new ProfileError('the instance is not one of an instrumented module');
  (dump as () => void)();
  const c = new BigUint64Array(memory.buffer, 0, entries.length * 2);
  return entries.map((entry, k) => ({ entry, entries: c[2 * k], loops: c[2 * k + 1] }));
}

/** a mutable i64 global starting at 0 */
const ZERO_I64 = [0x7e, 0x01, 0x42, 0x00, 0x0b];

/** the code section with counting code in every guest function, and the dump function's body after the others */
function instrumentCode(bytes: Uint8Array, s: Section, imported: number, counterOf: Map<number, number>, entries: number[], firstCounter: number, dump: Uint8Array): Uint8Array {
  const r = new WasmReader(bytes, s.offset, s.offset + s.size, 'module');
  const out = new Writer();
  const n = r.u32();
  out.raw(leb(n + 1));
  for (let k = 0; k < n; k++) {
    const size = r.u32();
    const end = r.p + size;
    const counter = counterOf.get(imported + k);
    if (counter === undefined) {
      out.raw(leb(size));
      out.raw(r.bytes(size));
      continue;
    }
    const body = new Writer();
    const localsStart = r.p;
    for (let groups = r.u32(); groups > 0; groups--) {
      r.u32();
      valType(r);
    }
    body.raw(bytes.subarray(localsStart, r.p));
    const g = firstCounter + 2 * counter;
    body.raw(countEntry(g, entries[counter]));
    copyInstructions(r, end, body, countOnce(g + 1));
    const b = body.bytes();
    out.raw(leb(b.length));
    out.raw(b);
  }
  if (r.p !== r.end) r.fail('bytes after the last function body');
  out.raw(dump);
  return out.bytes();
}

/** global g += 1 */
function countOnce(g: number): Uint8Array {
  return Uint8Array.from([0x23, ...leb(g), 0x42, 0x01, 0x7c, 0x24, ...leb(g)]);
}

/**
 * global g += (pc == entry): a guest function is also entered at a loop head by its own
 * re-entry (engine flavour, see tools/wasm/module.ts), which is a loop pass, not an entry
 */
function countEntry(g: number, entry: number): Uint8Array {
  return Uint8Array.from([
    0x23, ...leb(g),
    0x20, 0x00, // local.get 0: the pc the function was entered at
    0x41, ...sleb(entry | 0),
    0x46, // i32.eq
    0xad, // i64.extend_i32_u
    0x7c, // i64.add
    0x24, ...leb(g),
  ]);
}

/** the body of dump: every counter global stored at 8k in the counter memory */
function dumpBody(pairs: number, first: number, memory: number): Uint8Array {
  // i64.store with a memory index: align 2^3 and the 0x40 flag, the index, the offset
  const store = (offset: number) => [0x37, 0x43, ...leb(memory), ...leb(offset)];
  const code = [0x00]; // no locals
  for (let k = 0; k < 2 * pairs; k++) code.push(0x41, 0x00, 0x23, ...leb(first + k), ...store(8 * k));
  code.push(0x0b);
  return Uint8Array.from([...leb(code.length), ...code]);
}

/**
 * Copies a function body's instructions up to `end`, with `atLoop` after every loop's block
 * type. Every instruction is decoded for its length; one of a proposal recomp does not emit
 * (exceptions, GC, threads) is refused rather than guessed.
 */
function copyInstructions(r: WasmReader, end: number, out: Writer, atLoop: Uint8Array): void {
  let from = r.p;
  while (r.p < end) {
    const op = r.byte();
    switch (true) {
      case op === 0x02 || op === 0x04:
        blockType(r);
        break;
      case op === 0x03:
        blockType(r);
        out.raw(r.b.subarray(from, r.p));
        out.raw(atLoop);
        from = r.p;
        break;
      case op === 0x0c || op === 0x0d || op === 0x10 || op === 0x12 || (op >= 0x20 && op <= 0x26) || op === 0xd2 || op === 0x3f || op === 0x40:
        r.u32();
        break;
      case op === 0x0e:
        for (let k = r.u32(); k >= 0; k--) r.u32(); // the labels, then the default
        break;
      case op === 0x11 || op === 0x13:
        r.u32();
        r.u32();
        break;
      case op === 0x1c:
        for (let k = r.u32(); k > 0; k--) valType(r);
        break;
      case op >= 0x28 && op <= 0x3e:
        memArg(r);
        break;
      case op === 0x41 || op === 0x42:
        r.s64();
        break;
      case op === 0x43:
        r.bytes(4);
        break;
      case op === 0x44:
        r.bytes(8);
        break;
      case op === 0xd0:
        heapType(r);
        break;
      case op === 0xfc:
        miscOp(r);
        break;
      case op === 0xfd:
        simdOp(r);
        break;
      // no immediates: unreachable, nop, else, end, return, drop, select, the numeric operators, ref.is_null
      case op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || (op >= 0x45 && op <= 0xc4) || op === 0xd1:
        break;
      default:
        r.fail(`instruction 0x${op.toString(16)} (of a wasm proposal recomp does not emit)`);
    }
  }
  if (r.p !== end) r.fail('an instruction runs past the end of its function');
  out.raw(r.b.subarray(from, end));
}

function miscOp(r: WasmReader): void {
  const sub = r.u32();
  if (sub <= 7) return; // saturating truncations
  if (sub === 8 || sub === 10 || sub === 12 || sub === 14) {
    r.u32();
    r.u32();
  } else if (sub <= 17) r.u32();
  else r.fail(`instruction 0xfc ${sub} (of a wasm proposal recomp does not emit)`);
}

function simdOp(r: WasmReader): void {
  const sub = r.u32();
  if (sub <= 11 || sub === 92 || sub === 93) memArg(r);
  else if (sub === 12 || sub === 13) r.bytes(16); // v128.const, i8x16.shuffle
  else if (sub >= 21 && sub <= 34) r.byte(); // extract and replace lane
  else if (sub >= 84 && sub <= 91) {
    memArg(r); // load and store lane
    r.byte();
  }
}

function memArg(r: WasmReader): void {
  const align = r.u32();
  if (align & 0x40) r.u32(); // a memory index
  r.u32();
}

function blockType(r: WasmReader): void {
  const b = r.b[r.p];
  if (b === 0x40 || (b >= 0x6f && b <= 0x7f) || b === 0x63 || b === 0x64) valType(r, true);
  else if (r.s64() < 0) r.fail('a negative block type index');
}

function valType(r: WasmReader, orEmpty = false): void {
  const b = r.byte();
  if (b === 0x63 || b === 0x64) heapType(r);
  else if (!((b >= 0x6f && b <= 0x7f) || (orEmpty && b === 0x40))) r.fail(`value type 0x${b.toString(16)}`);
}

function heapType(r: WasmReader): void {
  r.s64();
}

/** counts of imported functions and memories: the index spaces of defined ones start after them */
function importCounts(bytes: Uint8Array, s: Section | undefined): { functions: number; memories: number; globals: number } {
  const counts = { functions: 0, memories: 0, globals: 0 };
  if (!s) return counts;
  const r = new WasmReader(bytes, s.offset, s.offset + s.size, 'module');
  for (let k = r.u32(); k > 0; k--) {
    r.bytes(r.u32());
    r.bytes(r.u32());
    const kind = r.byte();
    if (kind === 0) {
      r.u32();
      counts.functions++;
    } else if (kind === 1 || kind === 2) {
      if (kind === 1) valType(r);
      const flags = r.byte();
      r.u32();
      if (flags & 1) r.u32();
      if (kind === 2) counts.memories++;
    } else if (kind === 3) {
      valType(r);
      r.byte();
      counts.globals++;
    } else r.fail(`import kind ${kind}`);
  }
  return counts;
}

/** a vector section's contents with one more element at its end */
function appendToVector(body: Uint8Array, ...elements: number[][]): Uint8Array {
  const r = new WasmReader(body, 0, body.length, 'function body');
  const n = r.u32();
  const more = elements.filter((e) => e.length);
  return Uint8Array.from([...leb(n + more.length), ...body.subarray(r.p), ...more.flat()]);
}
function vectorLength(bytes: Uint8Array, s: Section): number {
  return new WasmReader(bytes, s.offset, s.offset + s.size, 'module').u32();
}

/** the number of types in the type section, all function types (binaryen writes no recursion groups without GC) */
function functionTypes(bytes: Uint8Array, s: Section): number {
  const r = new WasmReader(bytes, s.offset, s.offset + s.size, 'module');
  const n = r.u32();
  for (let k = 0; k < n; k++) {
    if (r.byte() !== 0x60) r.fail('a type that is not a function type (of a wasm proposal recomp does not emit)');
    for (let v = r.u32(); v > 0; v--) valType(r);
    for (let v = r.u32(); v > 0; v--) valType(r);
  }
  return n;
}

function nameBytes(s: string): number[] {
  const b = new TextEncoder().encode(s);
  return [...leb(b.length), ...b];
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
}

class Writer {
  private parts: Uint8Array[] = [];
  private length = 0;
  raw(b: Uint8Array | number[]): void {
    const u = b instanceof Uint8Array ? b : Uint8Array.from(b);
    this.parts.push(u);
    this.length += u.length;
  }
  section(id: number, body: Uint8Array): void {
    this.raw([id, ...leb(body.length)]);
    this.raw(body);
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let p = 0;
    for (const u of this.parts) {
      out.set(u, p);
      p += u.length;
    }
    return out;
  }
}
