// ELF → wasm: lays the image out in guest memory, recovers functions and blocks, lifts each
// block with the architecture's front end and hands everything to the wasm back end.
import type { Arch } from '../isa/types.js';
import { discoverCode, type Block, type CodeMap } from '../analyze/discovery.js';
import { readElf, type Elf } from '../elf/index.js';
import { i32, op, type BlockIR, type Expr, type FunctionIR, type Ty } from '../ir/index.js';
import { decoderFor } from '../isa/index.js';
import type { Decoder, Insn } from '../isa/types.js';
import { FLAGS_ARITH } from '../isa/types.js';
import { liftBlock as liftX86, X86_SLOTS, XMMS } from '../isa/x86_64/lift/index.js';
import { liftBlock as liftA64, A64_SLOTS, VREGS, XREGS } from '../isa/aarch64/lift/index.js';
import { PageAddresses } from '../isa/aarch64/page-addresses.js';
import type { SlotDecl } from '../ir/index.js';
import { inlineStubs } from './stubs.js';
import { buildModule, type Flavour, type ImportDecl } from '../wasm/module.js';
import { analyzeSyscalls } from '../analyze/syscalls.js';
import { lastAtOrBefore } from '../common/search.js';
import { encodeFunctions, MAP_FORMAT, type FunctionRecord, type TranslationMap } from './map.js';
import { GUEST_TOP } from '../vkernel/memory.js';
import { GUARD } from '../wasm/emit.js';

/** Where a static-pie executable is placed: low, so guest pointers stay 32-bit. */
export const PIE_BASE = 0x400000;
/** Guest pages are 4 KiB, as on Linux x86_64. */
const PAGE = 4096;

export class TranslateError extends Error {}

export interface TranslateOptions {
  optimize: number;
  /** what will run the module (default engine: recomp run) */
  flavour?: Flavour;
  /** the architecture the caller expects (translate --arch): an input of another is refused */
  arch?: Arch;
  /** called with a short phase name as work proceeds */
  progress?: (phase: string, done?: number, total?: number) => void;
}

export interface ImageMeta {
  format: 'recomp.image/v1';
  arch: Arch;
  entry: number;
  base: number;
  phdr: number;
  phent: number;
  phnum: number;
  /** the first page of the loaded image: nothing is ever mapped below it (the AOT host protects those pages) */
  start: number;
  /** first address after the loaded image: the program break starts here */
  brk: number;
  /** the guest address of entry 0 of the exported table `fns` */
  codeBase: number;
  /** addresses where the guest faults because the translator could not handle the code there */
  faults: [number, string][];
  /** what the module was built for: `recomp aot` compiles only `aot` modules */
  flavour: Flavour;
}

export interface TranslateResult {
  wasm: Uint8Array;
  meta: ImageMeta;
  /** the recomp.map section: functions, unresolved branches, syscalls */
  map: TranslationMap;
  stats: { functions: number; blocks: number; instructions: number; faults: number; unresolvedIndirect: number };
}

/** The vkernel functions an x86_64 module imports (see tools/vkernel for their semantics). */
export const X86_IMPORTS: ImportDecl[] = [
  // syscalls see and change registers (signal delivery, arch_prctl); string ops use rsi/rdi/rcx
  { name: 'syscall', params: ['i64', 'i64', 'i64', 'i64', 'i64', 'i64', 'i64', 'i32'], result: 'i64', touchesState: true },
  { name: 'string', params: ['i32', 'i32', 'i32'], result: 'none', touchesState: true },
  { name: 'cpuid', params: ['i32', 'i32'], result: 'i64', touchesState: false },
  { name: 'rdtsc', params: [], result: 'i64', touchesState: false },
  { name: 'raise', params: ['i32', 'i32'], result: 'none', touchesState: true, noReturn: true },
  { name: 'fault', params: ['i32', 'i32'], result: 'none', touchesState: true, noReturn: true },
  { name: 'div128', params: ['i64', 'i64', 'i64', 'i32', 'i32'], result: 'i64', touchesState: false },
  { name: 'x87', params: ['i32', 'i32', 'i32'], result: 'i64', touchesState: false },
  { name: 'segv', params: ['i64'], result: 'none', touchesState: false, noReturn: true },
];

/** The vkernel functions an aarch64 module imports. */
export const A64_IMPORTS: ImportDecl[] = X86_IMPORTS.filter((i) => ['syscall', 'rdtsc', 'raise', 'fault', 'segv'].includes(i.name));

/** what differs between the front ends: the lifter, the guest state, the stack pointer and what a call pushes */
interface FrontEnd {
  lift: (insns: Insn[], temps: Ty[], liveOut: number) => BlockIR;
  slots: SlotDecl[];
  imports: ImportDecl[];
  stackPointer: string;
  /** the argument registers a call passes as wasm parameters (see ModuleInput.passed) */
  passed: string[];
  /** the result register a return hands back as a wasm result (see ModuleInput.returned) */
  returned: string[];
  /** the ABI's callee-saved registers (see ModuleInput.preserved): System V's, AAPCS64's (x29 the frame pointer) */
  preserved: string[];
  /** what a callee may leave changed that no caller or landing pad reads (see ModuleInput.clobbered) */
  clobbered: string[];
  /** where the return address is at a function's entry, when in a register (see ModuleInput.returnAddress) */
  returnAddress?: string;
  callPushes: number;
}
const FRONT_ENDS: Record<Arch, FrontEnd> = {
  x86_64: { lift: liftX86, slots: X86_SLOTS, imports: X86_IMPORTS, stackPointer: 'rsp', passed: ['rdi', 'rsi', 'rdx'], returned: ['rax'], preserved: ['rbx', 'rbp', 'r12', 'r13', 'r14', 'r15'],
    // results come back in rax, rdx, xmm0, xmm1 (and st0); an unwinder lands with rax and rdx set
    clobbered: ['rcx', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', ...XMMS.slice(2)], callPushes: 8 },
  // bl writes the link register; nothing is pushed
  aarch64: { lift: liftA64, slots: A64_SLOTS, imports: A64_IMPORTS, stackPointer: 'sp', passed: ['x0', 'x1', 'x2'], returned: ['x0'], preserved: XREGS.slice(19, 30),
    // results come back in x0, x1 and v0-v3; an unwinder lands with x0 and x1 set; x18 is the platform's
    clobbered: [...XREGS.slice(2, 18), ...VREGS.slice(4, 8), ...VREGS.slice(16)], returnAddress: 'x30', callPushes: 0 },
};

export function translate(bytes: Uint8Array, opts: TranslateOptions): TranslateResult {
  const elf = readElf(bytes);
  if (elf.unsupported) throw new TranslateError(elf.unsupported);
  if (opts.arch && opts.arch !== elf.arch) throw new TranslateError(`the input is an ${elf.arch} executable, not ${opts.arch} as --arch says`);
  if (elf.isSharedLibrary && elf.linking !== 'static-pie')
    throw new TranslateError(
      'this is a shared library, not an executable: translating shared libraries into wasm libraries for dynamic linking (recomp_wasm_library) is not supported yet; translate the statically linked program instead',
    );
  if (elf.linking === 'dynamic') throw new TranslateError(`dynamically linked executables (interpreter ${elf.interpreter}) are not supported yet: link with -static or -static-pie`);
  const base = elf.linking === 'static-pie' ? PIE_BASE : 0;
  const arch = elf.arch;
  if (!arch) throw new TranslateError('the input is not an x86_64 or aarch64 executable');
  const decoder = decoderFor(arch);
  const front = FRONT_ENDS[arch];
  opts.progress?.('discovering code');
  const pads = new Map<number, number[]>();
  for (const { fn, pad } of elf.landingPads()) pads.set(fn, [...(pads.get(fn) ?? []), pad]);
  const code = discoverWithCodeRefs(elf, decoder, codePointersInData(elf), pads);
  const layout = imageLayout(elf, base);
  opts.progress?.('lifting');
  const lifted = liftAll(elf, decoder, front, code, base, opts, returnsTwice(elf, decoder, code), pads);
  inlineStubs(lifted.functions);
  const meta: ImageMeta = {
    format: 'recomp.image/v1',
    arch,
    entry: elf.header.entry + base,
    base,
    phdr: layout.phdr,
    phent: elf.header.phentsize,
    phnum: elf.header.phnum,
    start: layout.start,
    brk: layout.end,
    codeBase: layout.codeBase,
    faults: lifted.faults,
    flavour: opts.flavour ?? 'engine',
  };
  opts.progress?.('finding syscalls');
  const sys = analyzeSyscalls(elf, decoder);
  const map: TranslationMap = {
    format: MAP_FORMAT,
    arch,
    base,
    codeBytes: code.stats.codeBytes,
    bytesCovered: code.stats.bytesCovered,
    functions: encodeFunctions(lifted.records),
    unresolved: unresolvedSites(code, base),
    jumpTables: code.jumpTables.length,
    syscalls: { names: [...new Set(sys.syscalls.map((s) => s.name))].sort(), complete: sys.complete },
  };
  opts.progress?.('building the module');
  const wasm = buildModule({
    slots: front.slots,
    imports: front.imports,
    functions: lifted.functions,
    segments: layout.segments,
    memoryBytes: layout.end,
    codeBase: layout.codeBase,
    codeEnd: layout.codeEnd,
    sections: [
      ['recomp.image', meta],
      ['recomp.map', map],
    ],
    stackPointer: front.stackPointer,
    passed: front.passed,
    returned: front.returned,
    preserved: front.preserved,
    clobbered: front.clobbered,
    returnAddress: front.returnAddress,
    callPushes: front.callPushes,
    // an AOT host faults every access below the image in hardware (see ImageMeta.start), so
    // its checks need not compare against the bottom
    addressSpace: { low: Math.max(GUARD, layout.start), limit: GUEST_TOP, hostFaults: meta.flavour === 'aot' },
    optimize: opts.optimize,
    flavour: meta.flavour,
  });
  return {
    wasm,
    meta,
    map,
    stats: {
      functions: lifted.functions.length,
      blocks: lifted.blocks,
      instructions: lifted.instructions,
      faults: lifted.faults.length,
      unresolvedIndirect: code.unresolved.length,
    },
  };
}

/** the unresolved indirect branches at guest addresses, each with the start of its block (where a listing begins) */
function unresolvedSites(code: CodeMap, base: number): TranslationMap['unresolved'] {
  const starts = [...code.blocks.values()].sort((a, b) => a.start - b.start);
  const blockOf = (a: number): number => {
    const k = lastAtOrBefore(starts, (b) => b.start, a);
    return k >= 0 && a < starts[k].end ? starts[k].start : a;
  };
  return [...code.unresolved].sort((a, b) => a.address - b.address).map((u) => [u.address + base, u.kind, u.mnemonic, blockOf(u.address) + base]);
}

/** decodes the instruction at a link-time address `a`, reporting it at `a + base` */
function decoderAt(elf: Elf, decoder: Decoder, base = 0): (a: number) => Insn | undefined {
  const ranges = elf.codeRanges();
  return (a) => {
    for (const r of ranges) if (a >= r.address && a < r.address + r.bytes.length) return decoder.decode(r.bytes, a - r.address, a + base);
    return undefined;
  };
}

/** whether a link-time address lies in the file contents of an executable PT_LOAD */
function inExecutableSegment(elf: Elf): (a: number) => boolean {
  const exec = elf.segments.filter((s) => s.type === 1 && s.flags & 1);
  return (a) => exec.some((s) => a >= s.vaddr && a < s.vaddr + s.filesz);
}

/**
 * Code addresses the image holds as data: 8-byte words in writable or read-only data that
 * point into an executable segment (non-PIE), and RELATIVE relocation addends (PIE). They
 * are function pointers and computed-goto labels; an indirect jump or call may reach them,
 * so each becomes an entry the dispatcher knows. Stray words that merely look like
 * addresses cost some code size, nothing else.
 */
function codePointersInData(elf: Elf): number[] {
  const inCode = inExecutableSegment(elf);
  const out = new Set<number>();
  for (const r of elf.relocations()) if (/RELATIVE$/.test(r.typeName) && inCode(r.addend)) out.add(r.addend);
  if (elf.linking !== 'static-pie') {
    for (const s of elf.sections) {
      // SHF_ALLOC, not SHF_EXECINSTR, with contents
      if (!(s.flags & 2) || s.flags & 4 || s.type === 8 || s.size < 8) continue;
      const b = elf.sectionBytes(s);
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      for (let o = (8 - (s.addr % 8)) % 8; o + 8 <= b.length; o += 8) {
        const v = dv.getBigUint64(o, true);
        if (v < 0x100000000n && inCode(Number(v))) out.add(Number(v));
      }
    }
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * Discovery, then again with the code addresses the found code itself mentions: a
 * `lea fn(%rip)` or an immediate `mov $fn` (non-PIE code takes function addresses both
 * ways) makes `fn` reachable through an indirect call even when no symbol names it.
 * Repeats while new addresses turn up (a few rounds at most in practice).
 */
function discoverWithCodeRefs(elf: Elf, decoder: Decoder, dataRefs: number[], pads: Map<number, number[]>): CodeMap {
  const inCode = inExecutableSegment(elf);
  const decodeAt = decoderAt(elf, decoder);
  const roots = new Set(dataRefs);
  let noReturn = new Set<number>();
  for (let round = 0; ; round++) {
    const code = discoverCode(elf, decoder, [...roots].sort((a, b) => a - b), pads, noReturn);
    noReturn = code.noReturn;
    if (round === 4) return code;
    const before = roots.size;
    for (const b of code.blocks.values()) {
      const pages = new PageAddresses();
      for (let a = b.start; a < b.end; ) {
        const i = decodeAt(a);
        if (!i) break;
        a += i.length;
        if (i.flow !== 'seq') continue;
        const paged = pages.next(i);
        if (paged !== undefined && inCode(paged) && !code.blocks.has(paged)) roots.add(paged);
        if (i.mnemonic === 'adrp') continue;
        for (const o of i.operands) {
          let t: number | undefined;
          if (o.kind === 'imm' && o.size >= 4 && o.value > 0n && o.value < 0x100000000n) t = Number(o.value);
          else if (o.kind === 'mem' && o.base === 'rip' && !o.index && i.mnemonic === 'lea') t = i.address + i.length + Number(o.disp);
          if (t !== undefined && inCode(t) && !code.blocks.has(t) && !roots.has(t)) roots.add(t);
        }
      }
    }
    // a setjmp that calls setjmp (musl's sigsetjmp): a longjmp lands after that inner call
    // when the outer frame is long gone, so that point must be an entry of its own
    const twice = returnsTwice(elf, decoder, code);
    for (const f of twice) {
      for (const b of functionBlocks(code, f)) {
        for (let a = b.start; a < b.end; ) {
          const i = decodeAt(a);
          if (!i) break;
          a += i.length;
          if (i.flow === 'call' && i.target !== undefined && twice.has(i.target) && !roots.has(a)) roots.add(a);
        }
      }
    }
    if (roots.size === before) return code;
  }
}

/** the discovered blocks of the function at `entry`, shared ones included (jumps to other entries are tail calls) */
function functionBlocks(code: CodeMap, entry: number): Block[] {
  const out: Block[] = [];
  const seen = new Set<number>();
  const work = [entry];
  while (work.length) {
    const a = work.pop()!;
    if (seen.has(a)) continue;
    seen.add(a);
    const b = code.blocks.get(a);
    if (!b) continue;
    out.push(b);
    for (const t of b.succs) if (t === b.end || t === entry || !code.functions.has(t)) work.push(t);
  }
  return out;
}

interface Layout {
  segments: { addr: number; bytes: Uint8Array }[];
  /** the first page of the image, and where it ends */
  start: number;
  end: number;
  phdr: number;
  codeBase: number;
  codeEnd: number;
}

function imageLayout(elf: Elf, base: number): Layout {
  const loads = elf.segments.filter((s) => s.type === 1);
  if (!loads.length) throw new TranslateError('the executable has no loadable segments');
  const segments: Layout['segments'] = [];
  let start = Infinity;
  let end = 0;
  let codeBase = Infinity;
  let codeEnd = 0;
  for (const s of loads) {
    const addr = s.vaddr + base;
    if (addr + s.memsz > 0xc0000000) throw new TranslateError(`segment at 0x${addr.toString(16)} lies above 3 GiB: guest memory is 32-bit`);
    let n = s.filesz;
    const data = elf.bytes.subarray(s.offset, s.offset + s.filesz);
    while (n > 0 && data[n - 1] === 0) n--;
    if (n) segments.push({ addr, bytes: data.subarray(0, n) });
    start = Math.min(start, addr - (addr % PAGE));
    end = Math.max(end, addr + s.memsz);
    if (s.flags & 1) {
      codeBase = Math.min(codeBase, addr);
      codeEnd = Math.max(codeEnd, addr + s.memsz);
    }
  }
  const phdrSeg = elf.segments.find((s) => s.type === 6);
  const first = loads.find((s) => s.offset <= elf.header.phoff && elf.header.phoff < s.offset + s.filesz);
  const phdr = phdrSeg ? phdrSeg.vaddr + base : first ? first.vaddr + (elf.header.phoff - first.offset) + base : 0;
  return { segments, start, end: Math.ceil(end / PAGE) * PAGE, phdr, codeBase, codeEnd };
}

interface Lifted {
  functions: FunctionIR[];
  /** what each function became, for the translation map */
  records: FunctionRecord[];
  blocks: number;
  instructions: number;
  faults: [number, string][];
}

function liftAll(elf: Elf, decoder: Decoder, front: FrontEnd, code: CodeMap, base: number, opts: TranslateOptions, twice: Set<number>, pads: Map<number, number[]>): Lifted {
  const decodeAt = decoderAt(elf, decoder, base);
  const functions: FunctionIR[] = [];
  const records: FunctionRecord[] = [];
  const faults = new Map<number, string>();
  const fdes = elf.fdes().filter((f) => pads.has(f.start)).sort((a, b) => a.start - b.start);
  const fdeAt = (a: number): number | undefined => {
    const k = lastAtOrBefore(fdes, (f) => f.start, a);
    return k >= 0 && a < fdes[k].end ? fdes[k].start : undefined;
  };
  let blocks = 0;
  let instructions = 0;
  // where calls that never come back end: the blocks discovery ended at such a call
  const deadCallEnds = new Set<number>();
  for (const b of code.blocks.values()) if ((b.terminator === 'call' || b.terminator === 'icall') && !b.succs.includes(b.end)) deadCallEnds.add(b.end);
  const entries = [...code.functions.keys()].sort((a, b) => a - b);
  const jumpTables = new Map(code.jumpTables.map((t) => [t.site, t]));
  let done = 0;
  for (const entry of entries) {
    if (++done % 500 === 0) opts.progress?.('lifting', done, entries.length);
    // the function's blocks: reachable from its entry without entering another function
    const seen = new Set<number>();
    const work = [entry];
    // landing pads of every FDE this function's code lies in: a throw from any of its call
    // sites may come back to them (code shared with a .cold part included)
    const padSet = new Set<number>();
    const fdesSeen = new Set<number>();
    const groups: Insn[][] = [];
    /** jump-table targets of blocks ending in an indirect jump (guest addresses) */
    const tables = new Map<number, number[]>();
    while (work.length) {
      const s = work.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      const b = code.blocks.get(s);
      if (!b) continue;
      const fde = fdeAt(s);
      if (fde !== undefined && !fdesSeen.has(fde)) {
        fdesSeen.add(fde);
        for (const pad of pads.get(fde) ?? []) {
          padSet.add(pad);
          work.push(pad);
        }
      }
      let cur: Insn[] = [];
      for (let a = b.start; a < b.end; ) {
        const i = decodeAt(a);
        if (!i) break;
        cur.push(i);
        a += i.length;
        if (i.flow === 'call' || i.flow === 'icall') {
          groups.push(cur);
          cur = [];
        }
      }
      if (cur.length) {
        groups.push(cur);
        const last = cur[cur.length - 1];
        if (last.flow === 'ijump') tables.set(cur[0].address, b.succs.map((t) => t + base));
      }
      // a jump to another function's entry is a tail call; falling through into one (code
      // after a call that some reference made an entry too) stays in this function
      for (const t of b.succs) if (t === b.end || t === entry || !code.functions.has(t)) work.push(t);
    }
    if (!groups.length) continue;
    const temps: Ty[] = [];
    const resumable: number[] = [...padSet].filter((a) => seen.has(a)).map((a) => a + base);
    for (const g of groups) {
      const last = g[g.length - 1];
      if (last.flow === 'call' && last.target !== undefined && twice.has(last.target - base)) resumable.push(last.address + last.length);
    }
    const liveOut = flagLiveness(groups, tables);
    /** instructions and guest bytes of each lifted block */
    const sizes = new Map<number, [number, number]>();
    const irBlocks: BlockIR[] = groups
      .sort((a, b) => a[0].address - b[0].address)
      .map((g) => {
        const last = g[g.length - 1];
        sizes.set(g[0].address, [g.length, last.address + last.length - g[0].address]);
        const ir = front.lift(g, temps, liveOut.get(g[0].address) ?? FLAGS_ARITH);
        if (ir.end.k === 'ijump') {
          ir.end.targets = tables.get(g[0].address) ?? [];
          const jt = jumpTables.get(last.address);
          const index = jt && jumpTableIndex(ir, jt.table + base, jt.entrySize);
          if (jt && index) ir.end.table = { index, entries: jt.targets.map((t) => t + base) };
        }
        // discovery stopped at bytes no decoder knows: falling into them is SIGILL, said so
        const next = last.address + last.length - base;
        if ((ir.end.k === 'call' || ir.end.k === 'icall') && deadCallEnds.has(next)) ir.end.noReturn = true;
        if (ir.end.k === 'jump' && ir.end.to === next + base && !code.blocks.has(next) && !code.functions.has(next)) {
          ir.end = { k: 'fault', pc: next + base, signal: 4, reason: 'an instruction the decoder does not know' };
        }
        return ir;
      });
    const live = reachableBlocks(irBlocks, entry + base, resumable);
    const kept = irBlocks.filter((b) => live.has(b.start));
    const record: FunctionRecord = { entry: entry + base, name: null, sources: [], blocks: kept.length, instructions: 0, bytes: 0, faults: 0 };
    for (const b of kept) {
      if (b.end.k === 'fault') {
        faults.set(b.end.pc, b.end.reason);
        record.faults++;
      }
      const [n, size] = sizes.get(b.start)!;
      record.instructions += n;
      record.bytes += size;
    }
    blocks += kept.length;
    instructions += record.instructions;
    const info = code.functions.get(entry)!;
    record.name = info.name ?? null;
    record.sources = [...info.sources].sort();
    records.push(record);
    functions.push({ entry: entry + base, name: info.name ?? `sub_${(entry + base).toString(16)}`, blocks: kept, temps, resumable });
  }
  return { functions, records, blocks, instructions, faults: [...faults].sort((a, b) => a[0] - b[0]) };
}

/**
 * Blocks reachable from the entry and the resumable blocks through the lifted code: what
 * follows an instruction the translator could not handle (the AVX variants glibc carries
 * for CPUs the guest never reports) is dropped instead of translated.
 */
function reachableBlocks(blocks: BlockIR[], entry: number, resumable: number[]): Set<number> {
  const byStart = new Map(blocks.map((b) => [b.start, b]));
  const seen = new Set<number>();
  const work = [entry, ...resumable];
  while (work.length) {
    const a = work.pop()!;
    if (seen.has(a)) continue;
    const b = byStart.get(a);
    if (!b) continue;
    seen.add(a);
    const t = b.end;
    if (t.k === 'jump') work.push(t.to);
    else if (t.k === 'branch') work.push(t.to, t.else);
    else if ((t.k === 'call' || t.k === 'icall') && !t.noReturn) work.push(t.ret);
    else if (t.k === 'ijump') work.push(...t.targets);
  }
  return seen;
}

const RETURNS_TWICE = /^(_?setjmp|__sigsetjmp|sigsetjmp|__setjmp|savectx|vfork|__vfork|getcontext|__getcontext)$/;

/**
 * Functions that may return more than once (setjmp and kin): by name, and by what they do:
 * within their first instructions (following direct jumps) they read their own return
 * address, `mov reg, [rsp]`, before moving the stack pointer.
 */
function returnsTwice(elf: Elf, decoder: Decoder, code: CodeMap): Set<number> {
  const decodeAt = decoderAt(elf, decoder);
  const out = new Set<number>();
  for (const [entry, f] of code.functions) {
    if (f.name && RETURNS_TWICE.test(f.name)) {
      out.add(entry);
      continue;
    }
    let a = entry;
    for (let n = 0; n < 24; n++) {
      const i = decodeAt(a);
      if (!i) break;
      const [d, s] = i.operands;
      if (i.mnemonic === 'mov' && d?.kind === 'reg' && d.size === 8 && s?.kind === 'mem' && s.base === 'rsp' && !s.index && s.disp === 0n) {
        out.add(entry);
        break;
      }
      // aarch64: the link register read as data, other than saved on the stack (every non-leaf
      // function does that): setjmp keeps it (glibc mangles it first) in the caller's buffer
      const m = i.operands.find((o) => o.kind === 'mem');
      if (i.flow === 'seq' && !(m?.kind === 'mem' && m.base === 'sp') && i.operands.some((o) => o.kind === 'reg' && o.reg === 'x30' && o.access.includes('r'))) {
        out.add(entry);
        break;
      }
      const writesSp = i.operands.some((o) => o.kind === 'reg' && (o.reg === 'rsp' || o.reg === 'sp') && o.access.includes('w'));
      if (writesSp || /^(push|pop|call|ret|leave|enter)/.test(i.mnemonic) || i.flow === 'ret' || i.flow === 'ijump' || i.flow === 'trap') break;
      if (i.flow === 'jump' && i.target !== undefined) a = i.target;
      else a += i.length;
    }
  }
  return out;
}

/**
 * Which flags each block must leave in the `flags` slot: those a successor inside the
 * function may read before writing. Flags do not live across calls and returns (the
 * psABI has no flag arguments or results); jumps out of the function count as dead.
 */
function flagLiveness(groups: Insn[][], tables: Map<number, number[]>): Map<number, number> {
  const info = new Map<number, { use: number; def: number; succs: number[] }>();
  for (const g of groups) {
    let use = 0;
    let def = 0;
    for (const i of g) {
      use |= i.flagsRead & ~def & FLAGS_ARITH;
      def |= i.flagsWritten & FLAGS_ARITH;
    }
    const last = g[g.length - 1];
    const next = last.address + last.length;
    let succs: number[] = [];
    if (last.flow === 'jump') succs = [last.target!];
    else if (last.flow === 'cjump') succs = [last.target!, next];
    else if (last.flow === 'seq' || last.flow === 'syscall' || last.flow === 'interrupt') succs = [next];
    else if (last.flow === 'ijump') succs = tables.get(g[0].address) ?? [];
    info.set(g[0].address, { use, def, succs });
  }
  const liveIn = new Map<number, number>();
  const liveOut = new Map<number, number>();
  let changed = true;
  while (changed) {
    changed = false;
    for (const [a, b] of info) {
      let out = 0;
      for (const s of b.succs) out |= liveIn.get(s) ?? 0;
      const inn = b.use | (out & ~b.def);
      if (liveOut.get(a) !== out || liveIn.get(a) !== inn) {
        liveOut.set(a, out);
        liveIn.set(a, inn);
        changed = true;
      }
    }
  }
  return liveOut;
}

/**
 * The entry number a block ending in a jump-table jump read its target with (an i32): from
 * the address of the block's last load of an entry's size, the table read, as (address -
 * table) / size. (Not the index register: gcc often loads the entry into it.) Undefined
 * without such a load.
 */
function jumpTableIndex(b: BlockIR, table: number, size: number): Expr | undefined {
  let addr: Expr | undefined;
  const visit = (e: Expr): void => {
    if (e.k === 'load' && e.size === size) addr = e.addr;
    if (e.k === 'op' || e.k === 'call') e.args.forEach(visit);
    else if (e.k === 'load') visit(e.addr);
  };
  for (const s of b.stmts) if (s.k === 'set') visit(s.e);
  if (!addr) return undefined;
  // the guest address, unchecked (it was checked where the load ran)
  const a = addr.k === 'op' && addr.op === 'guest.addr' ? op('i32', 'i32.wrap', ...addr.args) : addr;
  const offset = op('i32', 'i32.sub', a, i32(table));
  return size === 1 ? offset : op('i32', 'i32.shr_u', offset, i32(Math.log2(size)));
}
