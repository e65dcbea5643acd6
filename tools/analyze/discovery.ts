// Code discovery by recursive descent: functions and basic blocks from every root we can
// trust (entry point, symbols, .eh_frame FDEs, IFUNC resolvers, init/fini arrays), direct
// calls and jumps, and switch jump tables; the indirect branches that stay unresolved are
// listed. This is what the translator will turn into wasm functions and blocks.
import type { Elf } from '../elf/index.js';
import type { Decoder, Flow, Insn, MemOperand, Operand } from '../isa/types.js';
import { registerFamily } from './registers.js';

export type RootSource = 'entry' | 'symbol' | 'fde' | 'call' | 'tailcall' | 'ifunc' | 'init' | 'jumptable' | 'dataref';

export interface FunctionInfo {
  entry: number;
  name?: string;
  sources: Set<RootSource>;
  blocks: number[];
}

export interface Block {
  start: number;
  /** exclusive */
  end: number;
  instructions: number;
  succs: number[];
  fn: number;
  terminator: Flow;
  /** direct calls in the block: [call site, target], in address order */
  calls: [number, number][];
  /** entries of other functions the block jumps to (tail calls) */
  tails: number[];
}

export interface JumpTable {
  site: number;
  table: number;
  entries: number;
  /** the target of each entry, in entry order */
  targets: number[];
  /** bytes per entry */
  entrySize: number;
}

export interface CodeMap {
  functions: Map<number, FunctionInfo>;
  /** entries of the functions that never return: known by name, or found to have no path to a return */
  noReturn: Set<number>;
  blocks: Map<number, Block>;
  jumpTables: JumpTable[];
  unresolved: { address: number; kind: 'ijump' | 'icall'; mnemonic: string }[];
  unknown: { address: number; reason: string }[];
  stats: { functions: number; blocks: number; instructions: number; bytesCovered: number; codeBytes: number };
}

/** Functions that never return: a call to one ends its block (by symbol name). */
const NO_RETURN = /^(exit|_exit|_Exit|abort|__stack_chk_fail|__assert_fail|__libc_fatal|__fortify_fail|__chk_fail|_Unwind_Resume|__cxa_throw|__cxa_rethrow|__cxa_bad_cast|__cxa_bad_typeid|__cxa_call_unexpected|_ZSt9terminatev|_ZSt1[0-9]__throw_\w+|_ZSt\d+__throw_\w+|__libc_start_main|err|errx|verr|verrx|__malloc_assert|longjmp|_longjmp|siglongjmp|__longjmp_chk|pthread_exit|__pthread_unwind|__pthread_unwind_next|quick_exit|_dl_signal_error|__libc_dynarr.*fail)$/;

const MAX_TABLE_ENTRIES = 4096;

/**
 * `extraRoots`: more entry points to explore (the translator adds code addresses held in
 * data, such as computed-goto label tables, so an indirect jump there finds code).
 */
export function discoverCode(elf: Elf, decoder: Decoder, extraRoots: number[] = [], blockRoots = new Map<number, number[]>(), knownNoReturn = new Set<number>()): CodeMap {
  const code = new Discovery(elf, decoder, blockRoots, knownNoReturn).run(extraRoots);
  // Without symbols (stripped binaries) exit, abort and __stack_chk_fail are not known by
  // name, and the bytes after every call to them are decoded as code that never runs. The
  // functions that have no path to a return are found on this first map (a superset of the
  // real control flow, so what it finds is sound) and discovery runs again knowing them.
  const inferred = inferNoReturn(code);
  if ([...inferred].every((a) => code.noReturn.has(a))) return code;
  return new Discovery(elf, decoder, blockRoots, new Set([...knownNoReturn, ...inferred])).run(extraRoots);
}

/**
 * The functions that cannot return: the least fixpoint of "may return" (a function may
 * return when a path from its entry reaches a `ret`, an unresolved indirect jump or a tail
 * call to a function that may return, with every direct call on the path to a function that
 * may return), taken over the discovered map; every function outside it never returns.
 * Indirect calls and calls out of the discovered code are assumed to return.
 */
export function inferNoReturn(code: CodeMap): Set<number> {
  const may = new Set<number>();
  // code that could not be decoded might go on to a return: assume it does
  const undecodable = new Set(code.unknown.map((u) => u.address));
  const returns = (c: number) => !code.noReturn.has(c) && (!code.functions.has(c) || may.has(c));
  const reachesReturn = (f: FunctionInfo): boolean => {
    const seen = new Set<number>();
    const work = [f.entry];
    while (work.length) {
      const a = work.pop()!;
      if (seen.has(a)) continue;
      seen.add(a);
      const b = code.blocks.get(a);
      if (!b) return true; // a block discovery did not decode: assume the worst
      if (b.calls.some(([, t]) => !returns(t))) continue;
      if (b.terminator === 'ret' || (b.terminator === 'ijump' && !b.succs.length) || undecodable.has(b.end)) return true;
      if (b.tails.some(returns)) return true;
      work.push(...b.succs);
    }
    return false;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const f of code.functions.values()) {
      if (may.has(f.entry) || code.noReturn.has(f.entry)) continue;
      if (reachesReturn(f)) {
        may.add(f.entry);
        changed = true;
      }
    }
  }
  return new Set([...code.functions.keys()].filter((a) => !may.has(a)));
}

class Discovery {
  private ranges: { address: number; bytes: Uint8Array }[];
  private functions = new Map<number, FunctionInfo>();
  private blocks = new Map<number, Block>();
  /** first address of every decoded instruction → the block holding it */
  private owner = new Map<number, number>();
  private jumpTables: JumpTable[] = [];
  private unresolved: CodeMap['unresolved'] = [];
  private unknown: CodeMap['unknown'] = [];
  private noReturn = new Set<number>();
  /** block start → the block that falls (or conditionally branches) straight into it */
  private fallthroughPred = new Map<number, Block>();
  /** block start → a block that ends in a conditional branch to it (aarch64 bounds checks branch to the table) */
  private branchPred = new Map<number, Block>();
  private names = new Map<number, string>();
  /** function symbol → its end (value + size), where the symbol table gives a size */
  private extents = new Map<number, number>();
  /** the same, by end: the starts of the functions that end there */
  private extentEnds = new Map<number, number[]>();
  private fnQueue: number[] = [];
  private instructions = 0;

  constructor(
    private elf: Elf,
    private decoder: Decoder,
    /** function entry → more block starts of that function (exception landing pads) */
    private blockRoots = new Map<number, number[]>(),
    knownNoReturn = new Set<number>(),
  ) {
    for (const a of knownNoReturn) this.noReturn.add(a);
    this.ranges = elf.codeRanges().slice().sort((a, b) => a.address - b.address);
  }

  run(extraRoots: number[] = []): CodeMap {
    const elf = this.elf;
    for (const s of elf.symbols()) {
      if (!s.value || !(s.type === 'FUNC' || s.type === 'IFUNC')) continue;
      const bare = s.name.replace(/@.*$/, '');
      if (!this.names.has(s.value)) this.names.set(s.value, bare);
      if (s.size) this.extents.set(s.value, Math.max(this.extents.get(s.value) ?? 0, s.value + s.size));
      if (NO_RETURN.test(bare)) this.noReturn.add(s.value);
      if (s.shndx !== 0) this.root(s.value, 'symbol');
    }
    this.root(elf.header.entry, 'entry');
    for (const f of elf.fdes()) {
      this.root(f.start, 'fde');
      // stripped binaries: the FDE gives the function's extent
      if (!this.extents.has(f.start)) this.extents.set(f.start, f.end);
    }
    for (const [s, e] of this.extents) this.extentEnds.set(e, [...(this.extentEnds.get(e) ?? []), s]);
    for (const a of elf.irelatives()) this.root(a, 'ifunc');
    for (const a of this.initArrays()) this.root(a, 'init');
    for (const a of extraRoots) this.root(a, 'dataref');
    while (this.fnQueue.length) this.explore(this.fnQueue.pop()!);
    let covered = 0;
    let last: Block | undefined;
    for (const b of [...this.blocks.values()].sort((x, y) => x.start - y.start)) {
      covered += b.end - b.start;
      if (last && b.start < last.end) {
        this.unknown.push({ address: b.start, reason: `overlapping instructions: a branch lands inside the instruction block 0x${last.start.toString(16)} decodes there` });
      }
      if (!last || b.end > last.end) last = b;
    }
    for (const f of this.functions.values()) f.blocks.sort((a, b) => a - b);
    return {
      functions: this.functions,
      noReturn: this.noReturn,
      blocks: this.blocks,
      jumpTables: this.jumpTables,
      unresolved: this.unresolved,
      unknown: this.unknown,
      stats: {
        functions: this.functions.size,
        blocks: this.blocks.size,
        instructions: this.instructions,
        bytesCovered: covered,
        codeBytes: this.ranges.reduce((s, r) => s + r.bytes.length, 0),
      },
    };
  }

  private gotSlots?: Set<number>;

  /** `jmp [rip+slot]` where a JUMP_SLOT/GLOB_DAT/IRELATIVE relocation fills the slot */
  /**
   * A PLT stub's jump through a GOT slot the loader fills (JUMP_SLOT, GLOB_DAT, IRELATIVE):
   * x86_64 `jmp [rip+slot]`; aarch64 `adrp x16, page; ldr x17, [x16, #off]; ... br x17`.
   */
  private isImportJump(i: Insn, block: Insn[]): boolean {
    let slot: number | undefined;
    const m = i.operands[0];
    if (m?.kind === 'mem' && m.base === 'rip' && !m.index) slot = i.address + i.length + Number(m.disp);
    else if (m?.kind === 'reg' && this.decoder.arch === 'aarch64') {
      const load = block.find((x) => x.mnemonic === 'ldr' && x.operands[0]?.kind === 'reg' && x.operands[0].reg === m.reg);
      const mem = load?.operands[1];
      const page = mem?.kind === 'mem' && !mem.index && block.find((x) => x.mnemonic === 'adrp' && x.operands[0]?.kind === 'reg' && x.operands[0].reg === mem.base);
      const imm = page ? page.operands[1] : undefined;
      if (mem?.kind === 'mem' && imm?.kind === 'imm') slot = Number(imm.value) + Number(mem.disp);
    }
    if (slot === undefined) return false;
    this.gotSlots ??= new Set(this.elf.relocations().filter((r) => /JUMP_SLOT|GLOB_DAT|IRELATIVE/.test(r.typeName)).map((r) => r.offset));
    return this.gotSlots.has(slot);
  }

  private inCode(a: number): boolean {
    return this.ranges.some((r) => a >= r.address && a < r.address + r.bytes.length);
  }

  private decodeAt(a: number): Insn | undefined {
    for (const r of this.ranges) if (a >= r.address && a < r.address + r.bytes.length) return this.decoder.decode(r.bytes, a - r.address, a);
    return undefined;
  }

  /** pointers in .init_array/.fini_array/.preinit_array (RELATIVE relocations fill them in PIE) */
  private initArrays(): number[] {
    const out: number[] = [];
    const rel = new Map<number, number>();
    for (const r of this.elf.relocations()) if (/RELATIVE$/.test(r.typeName)) rel.set(r.offset, r.addend);
    for (const s of this.elf.sections) {
      if (s.type !== 14 && s.type !== 15 && s.type !== 16) continue;
      const b = this.elf.sectionBytes(s);
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      for (let o = 0; o + 8 <= b.length; o += 8) {
        const v = rel.get(s.addr + o) ?? Number(dv.getBigUint64(o, true));
        if (v && v !== 0xffffffffffffffff) out.push(v);
      }
    }
    return out;
  }

  private root(a: number, source: RootSource): void {
    if (!this.inCode(a)) return;
    const f = this.functions.get(a);
    if (f) {
      f.sources.add(source);
      return;
    }
    this.functions.set(a, { entry: a, name: this.names.get(a), sources: new Set([source]), blocks: [] });
    this.fnQueue.push(a);
  }

  /** Recursive descent over one function's blocks (a worklist, no recursion depth limit). */
  private explore(entry: number): void {
    const fn = this.functions.get(entry)!;
    const work = [entry, ...(this.blockRoots.get(entry) ?? [])];
    while (work.length) {
      const start = work.pop()!;
      if (this.blocks.has(start)) continue;
      const owner = this.owner.get(start);
      if (owner !== undefined) {
        this.split(owner, start);
        continue;
      }
      const b = this.decodeBlock(start, fn);
      if (!b) continue;
      fn.blocks.push(start);
      for (const s of b.succs) if (!this.blocks.has(s)) work.push(s);
    }
  }

  /** Decodes straight-line code from `start` up to a terminator or the next known block. */
  private decodeBlock(start: number, fn: FunctionInfo): Block | undefined {
    const insns: Insn[] = [];
    let a = start;
    let term: Flow = 'seq';
    const succs: number[] = [];
    const calls: [number, number][] = [];
    const tails: number[] = [];
    for (;;) {
      if (a !== start && (this.blocks.has(a) || this.owner.has(a))) {
        if (!this.blocks.has(a)) this.split(this.owner.get(a)!, a);
        succs.push(a);
        break;
      }
      const i = this.decodeAt(a);
      if (!i) {
        this.unknown.push({ address: a, reason: this.inCode(a) ? 'undecodable bytes' : 'runs out of the code sections' });
        term = 'trap';
        break;
      }
      insns.push(i);
      this.owner.set(a, start);
      a += i.length;
      term = i.flow;
      if (i.flow === 'seq' || i.flow === 'syscall' || i.flow === 'interrupt') continue;
      if (i.flow === 'call') {
        if (i.target !== undefined) {
          this.root(i.target, 'call');
          calls.push([i.address, i.target]);
        }
        if ((i.target !== undefined && this.noReturn.has(i.target)) || this.endsFunction(i)) break;
        continue;
      }
      if (i.flow === 'icall') {
        this.unresolved.push({ address: i.address, kind: 'icall', mnemonic: i.mnemonic });
        if (this.endsFunction(i)) break;
        continue;
      }
      if (i.flow === 'jump' || i.flow === 'cjump') {
        const t = i.target!;
        if (!this.inCode(t)) this.unknown.push({ address: i.address, reason: `branch to 0x${t.toString(16)} outside the code` });
        else if (this.functions.has(t) && t !== fn.entry) {
          this.functions.get(t)!.sources.add('tailcall');
          tails.push(t);
        } else succs.push(t);
        if (i.flow === 'cjump') succs.push(a);
      } else if (i.flow === 'ijump') {
        if (this.isImportJump(i, insns)) break; // a PLT stub: the loader fills its GOT slot with the import
        const table = this.jumpTable(insns, start, fn);
        if (table) {
          this.jumpTables.push(table);
          succs.push(...new Set(table.targets));
        } else this.unresolved.push({ address: i.address, kind: 'ijump', mnemonic: i.mnemonic });
      }
      break;
    }
    if (!insns.length) return undefined;
    this.instructions += insns.length;
    const last = insns[insns.length - 1];
    const b: Block = { start, end: last.address + last.length, instructions: insns.length, succs, fn: fn.entry, terminator: term, calls, tails };
    this.blocks.set(start, b);
    if (term === 'cjump' || term === 'seq' || term === 'call' || term === 'syscall' || term === 'interrupt') this.fallthroughPred.set(b.end, b);
    if (term === 'cjump' && last.target !== undefined && !this.branchPred.has(last.target)) this.branchPred.set(last.target, b);
    return b;
  }

  /**
   * Whether a call is the last instruction of the function holding it (its FDE or sized
   * symbol ends right after it): a compiler puts nothing after a call that does not return
   * (glibc's malloc_printerr ends with its call to __libc_message, which returns for other
   * callers), and control never falls from one function into the next. Such a call site
   * has no fall-through edge; the function is then found not to return if no other path does.
   */
  private endsFunction(call: Insn): boolean {
    return this.extentEnds.get(call.address + call.length)?.some((s) => s <= call.address) ?? false;
  }

  /** A branch lands inside block `owner` at instruction `at`: cut the block in two. */
  private split(owner: number, at: number): void {
    const b = this.blocks.get(owner);
    if (!b || at <= b.start || at >= b.end) return;
    let count = 0;
    for (let a = b.start; a < at; ) {
      const i = this.decodeAt(a)!;
      a += i.length;
      count++;
    }
    const tail: Block = {
      start: at,
      end: b.end,
      instructions: b.instructions - count,
      succs: b.succs,
      fn: b.fn,
      terminator: b.terminator,
      calls: b.calls.filter(([site]) => site >= at),
      tails: b.tails,
    };
    b.calls = b.calls.filter(([site]) => site < at);
    b.tails = [];
    if (this.fallthroughPred.get(b.end) === b) this.fallthroughPred.set(b.end, tail);
    this.fallthroughPred.set(at, b);
    b.end = at;
    b.instructions = count;
    b.succs = [at];
    b.terminator = 'seq';
    this.blocks.set(at, tail);
    for (let a = at; a < tail.end; ) {
      this.owner.set(a, at);
      a += this.decodeAt(a)!.length;
    }
    this.functions.get(b.fn)?.blocks.push(at);
  }

  // ---- jump tables (gcc -O2 switch statements) ----

  private jumpTable(insns: Insn[], blockStart: number, fn: FunctionInfo): JumpTable | undefined {
    return this.decoder.arch === 'x86_64' ? this.x86Table(insns, blockStart, fn) : this.a64Table(insns, blockStart, fn);
  }

  /**
   * aarch64, the form gcc emits (entries are offsets in instructions from the adr target):
   *   cmp wI, #N; b.ls L | b.hi default      (the bound: N+1 entries)
   *   L: adrp xT, T; add xT, xT, :lo12:T; ldrb|ldrh wE, [xT, wI, uxtw {#1}]
   *      adr xB, base; add xJ, xB, wE, sxtb|sxth|uxtb|uxth #2; br xJ
   * The bounds check is reached by falling through or by the conditional branch to L.
   * In a loop gcc hoists the adrp/add of the table out (into the prologue, in a callee-saved
   * register): then the table is what the function's only two writes of that register make.
   */
  private a64Table(insns: Insn[], blockStart: number, fn: FunctionInfo): JumpTable | undefined {
    const pred = this.fallthroughPred.get(blockStart) ? this.predecessors(blockStart, 2) : this.blockInsns(this.branchPred.get(blockStart));
    const trace = [...pred, ...insns];
    const br = trace[trace.length - 1];
    const j = br.operands[0];
    if (j?.kind !== 'reg') return undefined;
    const fam = (o: Operand | undefined) => (o?.kind === 'reg' ? a64Family(o.reg) : undefined);
    const want = a64Family(j.reg);
    let base: number | undefined;
    let baseReg: string | undefined;
    let entryReg: string | undefined;
    let ext: string | undefined;
    let shift = 0;
    let entrySize = 0;
    let tableReg: string | undefined;
    let index: string | undefined;
    let lo: number | undefined;
    let table: number | undefined;
    let at = -1;
    for (let k = trace.length - 2; k >= 0 && k >= trace.length - 20; k--) {
      const i = trace[k];
      const [d, s, t, u] = i.operands as (Operand | undefined)[];
      const dst = fam(d);
      if (!entryReg && dst === want && i.mnemonic === 'add' && t?.kind === 'reg' && t.extend && u?.kind === 'imm') {
        baseReg = fam(s);
        entryReg = fam(t);
        ext = t.extend;
        shift = Number(u.value);
      } else if (entryReg && base === undefined && dst === baseReg && i.mnemonic === 'adr' && s?.kind === 'imm') {
        base = Number(s.value);
      } else if (entryReg && !tableReg && dst === entryReg && /^ldr[bh]?$/.test(i.mnemonic) && s?.kind === 'mem' && s.base && s.index && !s.writeback) {
        tableReg = a64Family(s.base);
        index = a64Family(s.index);
        entrySize = s.size;
        if (s.scale !== entrySize) return undefined;
        at = k;
      } else if (tableReg && lo === undefined && dst === tableReg && i.mnemonic === 'add' && fam(s) === tableReg && t?.kind === 'imm') {
        lo = Number(t.value);
      } else if (tableReg && lo !== undefined && dst === tableReg && i.mnemonic === 'adrp' && s?.kind === 'imm') {
        table = Number(s.value) + lo;
        break;
      } else if (tableReg && lo === undefined && dst === tableReg && d?.kind === 'reg' && d.access.includes('w')) {
        break; // the table address comes from elsewhere (a reload): see hoistedTable
      } else if (dst !== undefined && d?.kind === 'reg' && d.access.includes('w') && (dst === want || dst === entryReg || dst === tableReg)) return undefined; // something else defines a piece
    }
    if (table === undefined && lo === undefined && tableReg && at >= 0) table = this.hoistedTable(tableReg, fn, trace[at].address);
    if (table === undefined || base === undefined || !index || !ext || at < 0) return undefined;
    const bound = a64Bound(trace.slice(0, at), index);
    if (bound === undefined || bound < 1 || bound > MAX_TABLE_ENTRIES) return undefined;
    const bytes = this.elf.readVirtual(table, bound * entrySize);
    if (!bytes) return undefined;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const signed = ext.startsWith('s');
    const width = { b: 1, h: 2, w: 4, x: 8 }[ext[3] as 'b' | 'h' | 'w' | 'x'];
    const targets: number[] = [];
    for (let e = 0; e < bound; e++) {
      const raw = entrySize === 1 ? dv.getUint8(e) : entrySize === 2 ? dv.getUint16(e * 2, true) : dv.getUint32(e * 4, true);
      const bitsWide = Math.min(width, entrySize) * 8;
      const v = signed ? (raw << (32 - bitsWide)) >> (32 - bitsWide) : raw;
      const t = base + v * 2 ** shift;
      if (!this.inCode(t)) return undefined;
      targets.push(t);
    }
    return { site: br.address, table, entries: bound, entrySize, targets };
  }

  /**
   * The address in `reg` at `site`, from the nearest writes before it in address order
   * within the function: `adrp reg, P; add reg, reg, #lo`, or a reload `ldr reg, [sp, #k]`
   * of a register stored there after being made so (a table address spilled in a big
   * function). A heuristic: every table entry must still land in code.
   */
  private hoistedTable(reg: string, fn: FunctionInfo, site: number, depth = 0): number | undefined {
    const writer = (r: string, from: number): Insn | undefined => {
      for (let a = from - 4; a >= fn.entry && a >= from - 65536; a -= 4) {
        const i = this.decodeAt(a);
        if (!i) return undefined;
        if (i.flow === 'call' || i.flow === 'icall') {
          if (!/^x(19|2[0-9])$/.test(r)) return undefined; // a call clobbers the caller-saved ones
        }
        if (i.operands.some((o) => o.kind === 'reg' && o.access.includes('w') && a64Family(o.reg) === r)) return i;
      }
      return undefined;
    };
    const w = writer(reg, site);
    if (!w) return undefined;
    const [d, s1, s2] = w.operands;
    if (w.mnemonic === 'add' && d.kind === 'reg' && s1?.kind === 'reg' && a64Family(s1.reg) === reg && s2?.kind === 'imm') {
      const p = writer(reg, w.address);
      const page = p?.mnemonic === 'adrp' ? p.operands[1] : undefined;
      return page?.kind === 'imm' ? Number(page.value) + Number(s2.value) : undefined;
    }
    if (depth === 0 && w.mnemonic === 'ldr' && s1?.kind === 'mem' && s1.base === 'sp' && !s1.index && !s1.writeback && s1.size === 8) {
      const slot = s1.disp;
      for (let a = w.address - 4; a >= fn.entry && a >= w.address - 65536; a -= 4) {
        const i = this.decodeAt(a);
        if (!i) return undefined;
        const m = i.operands.find((o) => o.kind === 'mem');
        if (m?.kind !== 'mem' || m.base !== 'sp' || m.index || !m.access.includes('w')) continue;
        if (m.writeback) return undefined; // the stack pointer moved: offsets no longer match
        const regs = i.operands.filter((o) => o.kind === 'reg');
        const k = regs.findIndex((_, j) => m.disp + BigInt(j * 8) === slot);
        if (k < 0) continue;
        const src = regs[k];
        const family = src.kind === 'reg' ? a64Family(src.reg) : undefined;
        return family && i.mnemonic.startsWith('st') ? this.hoistedTable(family, fn, i.address, 1) : undefined;
      }
    }
    return undefined;
  }

  private blockInsns(b: Block | undefined): Insn[] {
    const list: Insn[] = [];
    if (!b) return list;
    for (let a = b.start; a < b.end; ) {
      const i = this.decodeAt(a)!;
      list.push(i);
      a += i.length;
    }
    return list;
  }

  /**
   * x86_64, both forms gcc emits:
   *   PIC:     lea rB,[rip+T]; movsxd rX,dword [rB+rI*4]; add rX,rB (or lea rX,[rB+rX]); jmp rX
   *            (entries: int32 offsets from T; busybox's non-PIE glibc code uses this form too)
   *   non-PIC: jmp qword [rI*8+T]   (entries: absolute 8-byte addresses)
   * The entry count comes from the bounds check `cmp I, N; ja default` before it, where I is
   * the index register, a register it was copied from, or the memory it was loaded from.
   * The pattern is matched over this block and its fall-through predecessors.
   */
  private x86Table(insns: Insn[], blockStart: number, fn: FunctionInfo): JumpTable | undefined {
    const trace = [...this.predecessors(blockStart, 2), ...insns];
    const jmp = trace[trace.length - 1];
    const op = jmp.operands[0];
    let table: number | undefined;
    let index: string | undefined;
    let at = trace.length - 1; // where the index register is read
    let relative = false;
    let base: string | undefined;
    if (op?.kind === 'mem' && !op.base && op.index && op.scale === 8) {
      table = Number(op.disp);
      index = x86Family(op.index);
    } else if (op?.kind === 'reg') {
      // jmp x, where x = T + E (add or lea), E = movsxd [T + I*4], T = lea table(%rip)
      const x = x86Family(op.reg);
      let sum: (string | undefined)[] | undefined;
      for (let k = trace.length - 2; k >= 0 && k >= trace.length - 16; k--) {
        const i = trace[k];
        const [d, s, t] = i.operands as (Operand | undefined)[];
        const dst = d?.kind === 'reg' ? x86Family(d.reg) : undefined;
        if (!sum && dst === x && i.mnemonic === 'add' && s?.kind === 'reg') sum = [x, x86Family(s.reg)];
        else if (!sum && dst === x && i.mnemonic === 'lea' && s?.kind === 'mem' && s.base && s.index && s.scale === 1 && !s.disp && !t) {
          sum = [x86Family(s.base), x86Family(s.index)];
        } else if (sum && !index && dst && sum.includes(dst) && i.mnemonic === 'movsxd' && s?.kind === 'mem' && s.base && s.index && s.scale === 4 && !s.disp) {
          const t = x86Family(s.base);
          if (!t) return undefined;
          if (!sum.includes(t) || t === dst) return undefined;
          base = t;
          index = x86Family(s.index);
          at = k;
        } else if (base && index && dst === base && i.mnemonic === 'lea' && s?.kind === 'mem' && s.base === 'rip') {
          table = i.address + i.length + Number((s as MemOperand).disp);
          relative = true;
          break;
        }
      }
      // the table's address hoisted out of a loop: the one `lea table(%rip), base` of the function
      if (table === undefined && base && index) {
        table = this.hoistedLea(fn, base);
        relative = table !== undefined;
      }
    }
    if (table === undefined || !index) return undefined;
    let bound = x86Bound(trace.slice(0, at), index);
    // hand-written assembly (glibc's string functions) bounds the index arithmetically, not
    // with a cmp: a relative table whose entries all land inside the function's symbol extent
    if (bound === undefined && relative) bound = this.boundByExtent(table, jmp.address);
    if (bound === undefined || bound < 1 || bound > MAX_TABLE_ENTRIES) return undefined;
    const size = relative ? 4 : 8;
    const bytes = this.elf.readVirtual(table, bound * size);
    if (!bytes) return undefined;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const targets: number[] = [];
    for (let e = 0; e < bound; e++) {
      const t = relative ? table + dv.getInt32(e * 4, true) : Number(dv.getBigUint64(e * 8, true));
      if (!this.inCode(t)) return undefined; // not a table after all: never invent edges
      targets.push(t);
    }
    return { site: jmp.address, table, entries: bound, entrySize: size, targets };
  }

  /**
   * Entries of a relative (int32) table at `table` while their targets stay inside the
   * function (symbol or FDE extent) that holds the jump at `site`.
   */
  private boundByExtent(table: number, site: number): number | undefined {
    let lo = -1;
    let end = 0;
    for (const [s, e] of this.extents) if (s <= site && site < e && s > lo) [lo, end] = [s, e];
    if (lo < 0) return undefined;
    let n = 0;
    for (; n < MAX_TABLE_ENTRIES; n++) {
      const b = this.elf.readVirtual(table + n * 4, 4);
      if (!b) break;
      const t = table + new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true);
      if (t < lo || t >= end) break;
    }
    return n || undefined;
  }

  /**
   * The address a register holds throughout a function: its only write among the blocks
   * decoded so far is `lea disp(%rip), reg`.
   */
  private hoistedLea(fn: FunctionInfo, reg: string): number | undefined {
    let found: number | undefined;
    for (const start of fn.blocks) {
      for (const i of this.blockInsns(this.blocks.get(start))) {
        const d = i.operands[0];
        if (d?.kind !== 'reg' || x86Family(d.reg) !== reg || !(d.access.includes('w'))) continue;
        const s = i.operands[1];
        if (i.mnemonic !== 'lea' || s?.kind !== 'mem' || s.base !== 'rip' || s.index) return undefined;
        const a = i.address + i.length + Number(s.disp);
        if (found !== undefined && found !== a) return undefined;
        found = a;
      }
    }
    return found;
  }

  /** Up to `depth` blocks that fall (or conditionally branch) straight into `start`, oldest first. */
  private predecessors(start: number, depth: number): Insn[] {
    const out: Insn[] = [];
    for (let d = 0, s = start; d < depth; d++) {
      const b = this.fallthroughPred.get(s);
      if (!b) break;
      out.unshift(...this.blockInsns(b));
      s = b.start;
    }
    return out;
  }
}

/** N+1 from `cmp I, N; ja` (N from `jae`), following I back through copies and its load. */
function x86Bound(trace: Insn[], index: string): number | undefined {
  let reg: string | undefined = index;
  let loadedFrom: MemOperand | undefined;
  for (let k = trace.length - 1; k >= 0; k--) {
    const i = trace[k];
    const [d, s] = i.operands as (Operand | undefined)[];
    const dst = d?.kind === 'reg' ? x86Family(d.reg) : undefined;
    if (i.mnemonic === 'cmp' && s?.kind === 'imm' && ((d?.kind === 'reg' && dst === reg) || (d?.kind === 'mem' && loadedFrom && sameMem(d, loadedFrom)))) {
      const next = trace[k + 1];
      const n = Number(s.value);
      if (next?.mnemonic === 'ja') return n + 1;
      if (next?.mnemonic === 'jae') return n;
      return undefined;
    }
    if (reg && dst === reg) {
      if ((i.mnemonic === 'mov' || i.mnemonic === 'movzx' || i.mnemonic === 'movsxd') && s?.kind === 'reg') reg = x86Family(s.reg);
      else if (i.mnemonic === 'mov' && s?.kind === 'mem') {
        loadedFrom = s;
        reg = undefined;
      } else return undefined; // the index is computed after the check: its bound no longer applies
    }
  }
  return undefined;
}

const sameMem = (a: MemOperand, b: MemOperand) => a.base === b.base && a.index === b.index && a.scale === b.scale && a.disp === b.disp && a.segment === b.segment;

const x86Family = (r: string) => registerFamily('x86_64', r);
const a64Family = (r: string) => registerFamily('aarch64', r);

/** N+1 from `cmp wI, #N` then b.hi/b.ls (N from b.hs/b.lo), the index not written in between. */
function a64Bound(trace: Insn[], index: string): number | undefined {
  for (let k = trace.length - 1; k >= 0; k--) {
    const i = trace[k];
    const [d, s] = i.operands as (Operand | undefined)[];
    if (i.mnemonic === 'cmp' && d?.kind === 'reg' && a64Family(d.reg) === index && s?.kind === 'imm') {
      const next = trace[k + 1]?.mnemonic;
      const n = Number(s.value);
      if (next === 'b.hi' || next === 'b.ls') return n + 1;
      if (next === 'b.hs' || next === 'b.lo') return n;
      return undefined;
    }
    if (d?.kind === 'reg' && a64Family(d.reg) === index && d.access.includes('w')) return undefined;
  }
  return undefined;
}
