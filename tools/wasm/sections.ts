// Reading a wasm binary's layout without compiling it: its sections with their sizes, the
// size of each function body, the function names of the `name` section and the active
// data segments. For reports (where the bytes go) and listings; every read is bounds-checked
// and a malformed module gives a WasmFormatError that says what and where.

export class WasmFormatError extends Error {}

export interface Section {
  /** the section id (0 custom, 1 type, ... 10 code, 11 data, 12 data count) */
  id: number;
  /** a custom section's name */
  name?: string;
  /** offset of the section's contents (after its id and size) */
  offset: number;
  size: number;
}

export const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'data count', 'tag'];

/** bytes read with bounds checks; a malformed module gives a WasmFormatError that says where */
export class WasmReader {
  constructor(
    readonly b: Uint8Array,
    public p: number,
    readonly end: number,
    readonly what: string,
  ) {}
  fail(msg: string): never {
    throw new WasmFormatError(`${this.what}: ${msg} at offset ${this.p}`);
  }
  byte(): number {
    if (this.p >= this.end) this.fail('unexpected end');
    return this.b[this.p++];
  }
  u32(): number {
    let r = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const x = this.byte();
      r += (x & 0x7f) * 2 ** shift;
      if (!(x & 0x80)) {
        if (r > 0xffffffff) this.fail('LEB128 value out of range');
        return r;
      }
    }
    return this.fail('LEB128 value too long');
  }
  /** a signed LEB128 of up to 32 bits */
  s32(): number {
    let r = 0;
    let shift = 0;
    let x: number;
    do {
      if (shift >= 35) this.fail('LEB128 value too long');
      x = this.byte();
      r |= (x & 0x7f) << shift;
      shift += 7;
    } while (x & 0x80);
    return shift < 32 && x & 0x40 ? r | (-1 << shift) : r;
  }
  /** a signed LEB128 of up to 64 bits (an i64.const), skipped: its value only for the sign of small ones */
  s64(): number {
    let x: number;
    let shift = 0;
    let r = 0;
    do {
      if (shift >= 70) this.fail('LEB128 value too long');
      x = this.byte();
      if (shift < 28) r |= (x & 0x7f) << shift;
      shift += 7;
    } while (x & 0x80);
    return shift <= 28 && x & 0x40 ? r | (-1 << shift) : r;
  }
  bytes(n: number): Uint8Array {
    if (n > this.end - this.p) this.fail(`${n} bytes announced, ${this.end - this.p} left`);
    const r = this.b.subarray(this.p, this.p + n);
    this.p += n;
    return r;
  }
  name(): string {
    return new TextDecoder('utf-8', { fatal: false }).decode(this.bytes(this.u32()));
  }
}

export function readSections(b: Uint8Array, what = 'module'): Section[] {
  if (b.length < 8 || b[0] !== 0 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d) throw new WasmFormatError(`${what}: not a WebAssembly binary (no \\0asm magic)`);
  if (b[4] !== 1 || b[5] || b[6] || b[7]) throw new WasmFormatError(`${what}: WebAssembly version ${b[4]} (expected 1)`);
  const r = new WasmReader(b, 8, b.length, what);
  const out: Section[] = [];
  while (r.p < b.length) {
    const id = r.byte();
    const size = r.u32();
    const start = r.p;
    if (size > b.length - start) r.fail(`section ${id} of ${size} bytes runs past the end`);
    const s: Section = { id, offset: start, size };
    if (id === 0) s.name = new WasmReader(b, start, start + size, what).name();
    out.push(s);
    r.p = start + size;
  }
  return out;
}

const sectionReader = (b: Uint8Array, s: Section, what: string) => new WasmReader(b, s.offset, s.offset + s.size, `${what}: ${s.name ?? SECTION_NAMES[s.id] ?? s.id} section`);

/** the number of imported functions: defined function k has index imported + k */
export function importedFunctions(b: Uint8Array, sections: Section[], what = 'module'): number {
  const s = sections.find((x) => x.id === 2);
  if (!s) return 0;
  const r = sectionReader(b, s, what);
  let n = 0;
  for (let k = r.u32(); k > 0; k--) {
    r.name();
    r.name();
    const kind = r.byte();
    if (kind === 0) {
      r.u32();
      n++;
    } else if (kind === 1) {
      r.byte();
      limits(r);
    } else if (kind === 2) limits(r);
    else if (kind === 3) {
      r.byte();
      r.byte();
    } else if (kind === 4) {
      r.byte();
      r.u32();
    } else r.fail(`unknown import kind ${kind}`);
  }
  return n;
}

function limits(r: WasmReader): void {
  const flags = r.byte();
  r.u32();
  if (flags & 1) r.u32();
}

/** the size in bytes of each defined function's body, in index order */
export function functionBodySizes(b: Uint8Array, sections: Section[], what = 'module'): number[] {
  const s = sections.find((x) => x.id === 10);
  if (!s) return [];
  const r = sectionReader(b, s, what);
  const sizes: number[] = [];
  for (let k = r.u32(); k > 0; k--) {
    const n = r.u32();
    r.bytes(n);
    sizes.push(n);
  }
  return sizes;
}

/** function index → name, from the `name` custom section (empty when there is none) */
export function functionNames(b: Uint8Array, sections: Section[], what = 'module'): Map<number, string> {
  const names = new Map<number, string>();
  const s = sections.find((x) => x.id === 0 && x.name === 'name');
  if (!s) return names;
  const r = sectionReader(b, s, what);
  r.name();
  while (r.p < r.end) {
    const sub = r.byte();
    const size = r.u32();
    const next = r.p + size;
    if (next > r.end) r.fail('name subsection runs past the section');
    if (sub === 1) for (let k = r.u32(); k > 0; k--) names.set(r.u32(), r.name());
    r.p = next;
  }
  return names;
}

/** the active data segments of memory 0 with constant offsets: where the guest image lies */
export function dataSegments(b: Uint8Array, sections: Section[], what = 'module'): { address: number; bytes: Uint8Array }[] {
  const s = sections.find((x) => x.id === 11);
  if (!s) return [];
  const r = sectionReader(b, s, what);
  const out: { address: number; bytes: Uint8Array }[] = [];
  for (let k = r.u32(); k > 0; k--) {
    const flags = r.u32();
    if (flags === 1) {
      r.bytes(r.u32()); // passive
      continue;
    }
    if (flags === 2 && r.u32() !== 0) r.fail('a data segment for a memory other than 0');
    if (flags > 2) r.fail(`unknown data segment flags ${flags}`);
    const op = r.byte();
    if (op !== 0x41) r.fail('a data segment offset that is not an i32.const');
    const address = r.s32() >>> 0;
    if (r.byte() !== 0x0b) r.fail('a data segment offset expression longer than one constant');
    out.push({ address, bytes: r.bytes(r.u32()) });
  }
  return out;
}

/** a custom section's contents, or undefined */
export function customSection(b: Uint8Array, sections: Section[], name: string): Uint8Array | undefined {
  const s = sections.find((x) => x.id === 0 && x.name === name);
  if (!s) return undefined;
  const r = new WasmReader(b, s.offset, s.offset + s.size, name);
  r.name();
  return b.subarray(r.p, s.offset + s.size);
}
