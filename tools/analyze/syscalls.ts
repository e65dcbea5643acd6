// Static syscall analysis: at every `syscall` (x86_64) / `svc #0` (aarch64) the number
// register is traced backwards through the code (constants, register copies, and across
// the branches that reach a block) until it is a set of constants; a number that comes
// from an argument register at a function's entry makes that function a syscall wrapper,
// and each direct call to a wrapper is resolved the same way. Whatever cannot be resolved
// is listed and marks the set incomplete: never dropped.
import type { Elf } from '../elf/index.js';
import type { Arch, Decoder, Insn, Operand } from '../isa/types.js';
import { Program, pltRanges, programOf } from './program.js';
import { directCallers, localRanges, mayHoldSyscalls, siteAddresses } from './sites.js';
import { functionAt, reachableFunctions } from './reach.js';
import type { LibrarySummary } from './summary.js';
import { registerFamily } from './registers.js';
import { SYSCALLS_AARCH64, SYSCALLS_X86_64 } from './syscall-tables.js';

export interface SyscallReport {
  syscalls: { nr: number; name: string; sites: number[] }[];
  complete: boolean;
  unresolvedSites: { address: number; reason: string }[];
  wrappers: { address: number; name?: string; argReg: string }[];
  /** dynamic objects: the libraries whose syscalls were added in */
  libraries?: string[];
}

export function syscallName(arch: Arch, nr: number): string {
  return (arch === 'x86_64' ? SYSCALLS_X86_64 : SYSCALLS_AARCH64).get(nr) ?? `syscall_${nr}`;
}

interface ArchRules {
  numberReg: string;
  argRegs: string[];
  /** what a call may change, by the ABI (the callee keeps the others) */
  callerSaved: Set<string>;
  /** registers an instruction writes without naming them as operands */
  implicitWrites(i: Insn): readonly string[] | 'all';
  /** mnemonics whose register operands are only read */
  readOnly: Set<string>;
}

const X86_IMPLICIT: [RegExp, string[]][] = [
  [/^(syscall|sysenter)$/, ['rax', 'rcx', 'r11']],
  [/^cpuid$/, ['rax', 'rbx', 'rcx', 'rdx']],
  [/^rdtscp?$/, ['rax', 'rdx', 'rcx']],
  [/^(mul|imul|div|idiv)$/, ['rax', 'rdx']],
  [/^(cbw|cwde|cdqe|lahf|xlatb|cmpxchg|lock cmpxchg|cmpxchg8b|cmpxchg16b|lock cmpxchg16b|lock cmpxchg8b|in|rdpkru|xgetbv|rdmsr|rdpmc)$/, ['rax', 'rdx']],
  [/^(cwd|cdq|cqo)$/, ['rdx']],
  [/(^|\s)(movs|stos|lods|scas|cmps|ins|outs)[bwdq]?$/, ['rax', 'rsi', 'rdi', 'rcx']],
  [/^(loop|loope|loopne|jrcxz|jecxz)$/, ['rcx']],
  [/^(push|pop|pushfq|popfq|call|ret)$/, ['rsp']],
  [/^(enter|leave)$/, ['rsp', 'rbp']],
  [/^(xchg|xadd|lock xadd|lock xchg)$/, []],
];

const x86Rules: ArchRules = {
  numberReg: 'rax',
  argRegs: ['rdi', 'rsi', 'rdx', 'rcx', 'r8', 'r9'],
  callerSaved: new Set(['rax', 'rcx', 'rdx', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11']),
  implicitWrites(i) {
    for (const [re, regs] of X86_IMPLICIT) if (re.test(i.mnemonic)) return regs;
    return [];
  },
  readOnly: new Set(['cmp', 'test', 'push', 'bt', 'ucomiss', 'ucomisd', 'comiss', 'comisd', 'ptest', 'vptest', 'jmp', 'call', 'prefetcht0', 'prefetcht1', 'prefetcht2', 'prefetchnta', 'prefetchw', 'nop', 'cmc', 'clflush']),
};

const aarch64Rules: ArchRules = {
  numberReg: 'x8',
  argRegs: ['x0', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7'],
  callerSaved: new Set(Array.from({ length: 19 }, (_, n) => `x${n}`).concat(['x30'])),
  implicitWrites(i) {
    if (i.mnemonic === 'svc') return ['x0'];
    return [];
  },
  readOnly: new Set(['cmp', 'cmn', 'tst', 'ccmp', 'ccmn', 'str', 'stp', 'strb', 'strh', 'stur', 'sturb', 'sturh', 'stlr', 'stlrb', 'stlrh', 'stnp', 'cbz', 'cbnz', 'tbz', 'tbnz', 'br', 'blr', 'ret', 'prfm', 'prfum', 'fcmp', 'fcmpe', 'msr']),
};

type Value = { kind: 'const'; values: Set<number> } | { kind: 'arg'; reg: string } | { kind: 'unknown'; why: string };
const unknown = (why: string): Value => ({ kind: 'unknown', why });

function join(vs: Value[]): Value {
  const out = new Set<number>();
  let arg: string | undefined;
  for (const v of vs) {
    if (v.kind === 'unknown') return v;
    if (v.kind === 'arg') {
      if (arg !== undefined && arg !== v.reg) return unknown('different argument registers reach here');
      arg = v.reg;
    } else for (const n of v.values) out.add(n);
  }
  if (arg !== undefined) return out.size ? unknown('a constant on one path, an argument on another') : { kind: 'arg', reg: arg };
  return { kind: 'const', values: out };
}

export class Tracer {
  private rules: ArchRules;
  private budget = 0;
  /** block starts being resolved on the current path: a loop back to one adds nothing new */
  private open = new Set<string>();
  constructor(private p: Program) {
    this.arch = p.decoder.arch;
    this.rules = this.arch === 'x86_64' ? x86Rules : aarch64Rules;
  }
  private arch: Arch;

  /** The value `reg` (a family name) holds just before insns[k] executes. */
  valueBefore(reg: string, k: number): Value {
    this.budget = 3000;
    this.open.clear();
    return this.before(reg, k, 0);
  }

  private before(reg: string, k: number, depth: number): Value {
    const p = this.p;
    for (let j = k; ; ) {
      if (--this.budget < 0) return unknown('search budget exhausted');
      if (!p.straightFrom(j)) return this.atBlockStart(reg, j, depth);
      j--;
      const effect = this.effect(p.insn(j), reg);
      if (effect === 'none') continue;
      if (effect.kind === 'copy') {
        reg = effect.from;
        continue;
      }
      return effect;
    }
  }

  private atBlockStart(reg: string, j: number, depth: number): Value {
    const p = this.p;
    const here = p.addr[j];
    if (p.functionStarts.has(here)) {
      return this.rules.argRegs.includes(reg) ? { kind: 'arg', reg } : unknown(`${reg} ${NOT_SET_IN} 0x${here.toString(16)}`);
    }
    if (depth >= 16) return unknown('too many branches to follow');
    const key = `${reg}@${j}`;
    if (this.open.has(key)) return { kind: 'const', values: new Set() };
    this.open.add(key);
    try {
      return this.joinPredecessors(reg, j, depth);
    } finally {
      this.open.delete(key);
    }
  }

  private joinPredecessors(reg: string, j: number, depth: number): Value {
    const p = this.p;
    const here = p.insn(j);
    const preds: Value[] = [];
    for (const jk of p.jumpsTo.get(here.address) ?? []) preds.push(this.before(reg, jk, depth + 1));
    if (p.fallsInto(j)) {
      const e = this.effect(p.insn(j - 1), reg);
      if (e === 'none') preds.push(this.before(reg, j - 1, depth + 1));
      else if (e.kind === 'copy') preds.push(this.before(e.from, j - 1, depth + 1));
      else preds.push(e);
    }
    if (!preds.length) {
      // alignment padding after a jump or return is never executed
      if (/(^|\s)nop/.test(here.mnemonic) || here.mnemonic === 'int3') return { kind: 'const', values: new Set() };
      return unknown(`${NO_WAY_IN} 0x${here.address.toString(16)} (reached indirectly)`);
    }
    return join(preds);
  }

  /** What `i` does to register family `reg`. */
  private effect(i: Insn, reg: string): 'none' | Value | { kind: 'copy'; from: string } {
    if (i.flow === 'call' || i.flow === 'icall') {
      return this.rules.callerSaved.has(reg) ? unknown(`clobbered by the call at 0x${i.address.toString(16)}`) : 'none';
    }
    const imp = this.rules.implicitWrites(i);
    if (imp === 'all' || imp.includes(reg)) return unknown(`${i.mnemonic} at 0x${i.address.toString(16)} writes ${reg}`);
    const ops = i.operands;
    let writes = false;
    for (let n = 0; n < ops.length; n++) {
      const o = ops[n];
      if (o.kind === 'mem') {
        if (o.writeback && o.base && registerFamily(this.arch, o.base) === reg) writes = true;
        continue;
      }
      if (o.kind !== 'reg' || registerFamily(this.arch, o.reg) !== reg) continue;
      // sound by default: a register operand counts as written unless the decoder says it is
      // only read, or the instruction only reads its operands
      if (o.access === 'r' || this.rules.readOnly.has(i.mnemonic)) continue;
      if (n === 0 || o.access.includes('w')) writes = true;
    }
    if (!writes) return 'none';
    const [dst, src, src2] = ops as (Operand | undefined)[];
    const at = `0x${i.address.toString(16)}`;
    if (dst?.kind !== 'reg' || registerFamily(this.arch, dst.reg) !== reg) return unknown(`${i.mnemonic} at ${at} changes ${reg}`);
    const partial = this.arch === 'x86_64' && dst.size < 4;
    if (partial) return unknown(`${i.mnemonic} at ${at} writes part of ${reg}`);
    const m = i.mnemonic;
    if ((m === 'mov' || m === 'movz' || m === 'movabs') && src?.kind === 'imm' && (this.arch === 'x86_64' || !src2)) {
      return { kind: 'const', values: new Set([Number(BigInt.asUintN(dst.size * 8, src.value))]) };
    }
    if (this.arch === 'aarch64' && m === 'orr' && src?.kind === 'reg' && /zr$/.test(src.reg) && src2?.kind === 'imm') {
      return { kind: 'const', values: new Set([Number(BigInt.asUintN(dst.size * 8, src2.value))]) };
    }
    if ((m === 'xor' || m === 'sub') && src?.kind === 'reg' && src.reg === dst.reg) return { kind: 'const', values: new Set([0]) };
    if (m === 'mov' && src?.kind === 'reg' && (this.arch === 'aarch64' || src.size >= 4)) {
      const f = registerFamily(this.arch, src.reg);
      if (f && !/zr$/.test(src.reg)) return { kind: 'copy', from: f };
      if (/zr$/.test(src.reg)) return { kind: 'const', values: new Set([0]) };
    }
    return unknown(`${m} at ${at} computes ${reg}`);
  }
}

const NO_WAY_IN = 'no known way into';
const NOT_SET_IN = 'is not set in function';
const summaries = new WeakMap<Elf, SyscallReport>();
const sitePrograms = new WeakMap<Elf, Program>();
/** above this many syscall sites, decoding everything costs less than searching around each */
const LOCAL_MAX_SITES = 64;

/** The syscalls the code of one object can make (its own sites, through its wrappers). */
function ownSyscalls(elf: Elf, decoder: Decoder, opts: { local?: boolean } = {}): SyscallReport {
  const memo = summaries.get(elf);
  if (memo) return memo;
  const arch = decoder.arch;
  const importsSyscall = elf.symbols().some((s) => s.shndx === 0 && s.name === 'syscall');
  if (!importsSyscall && !mayHoldSyscalls(elf, decoder)) {
    const none: SyscallReport = { syscalls: [], complete: true, unresolvedSites: [], wrappers: [] };
    summaries.set(elf, none);
    return none;
  }
  // An executable with few sites of its own and no syscall(2) import: decode only the
  // functions around them. Libraries need the whole program for their call graph.
  if (opts.local && arch === 'x86_64') {
    let seeds = siteAddresses(elf, decoder, 'syscall');
    const plt = pltRanges(elf);
    if (seeds && importsSyscall) {
      // calls to syscall(2) through the PLT are sites too: their functions, and the PLT itself
      const stubs = new Set([...new Program(elf, decoder, plt).plt].filter(([, n]) => n === 'syscall').map(([a]) => a));
      const callers = directCallers(elf, decoder, stubs);
      seeds = callers ? [...seeds, ...callers.map((r) => r.address)] : undefined;
    }
    const ranges = seeds && seeds.length <= LOCAL_MAX_SITES ? localRanges(elf, decoder, seeds) : undefined;
    if (ranges) {
      const lp = new Program(elf, decoder, importsSyscall ? [...ranges, ...plt] : ranges);
      const local = resolveSyscalls(elf, decoder, lp);
      // the fast path stands unless it may have lacked something: a wrapper's callers can be
      // anywhere, a block with no known way in may be entered from outside these functions,
      // and a trace that ran to a function's start may have started from a wrong one (glibc's
      // signal trampoline has its FDE begin a byte early). Only values computed in the code
      // itself (a load, arithmetic, a call's result) are left unresolved here.
      const lacking = local.unresolvedSites.some((u) => u.reason.startsWith(NO_WAY_IN) || u.reason.includes(NOT_SET_IN));
      if (!lacking && local.wrappers.every((w) => lp.plt.has(w.address))) return remember(local, lp);
    }
  }
  const p = programOf(elf, decoder);
  return remember(resolveSyscalls(elf, decoder, p), p);

  function remember(report: SyscallReport, prog: Program): SyscallReport {
    summaries.set(elf, report);
    sitePrograms.set(elf, prog);
    return report;
  }
}

/** The syscalls of an object's own code (not its libraries'). */
export function ownSyscallReport(elf: Elf, decoder: Decoder): SyscallReport {
  return ownSyscalls(elf, decoder, { local: true });
}

/** The program a report's sites were resolved in (local or whole): flags trace mmap's prot there. */
export function siteProgram(elf: Elf): Program | undefined {
  return sitePrograms.get(elf);
}

function resolveSyscalls(elf: Elf, decoder: Decoder, p: Program): SyscallReport {
  const arch = decoder.arch;
  const t = new Tracer(p);
  const rules = arch === 'x86_64' ? x86Rules : aarch64Rules;
  const sites = new Map<number, Set<number>>(); // nr → site addresses
  const unresolved: { address: number; reason: string }[] = [];
  const wrappers = new Map<number, string>(); // function start → argument register holding the number
  const add = (nr: number, site: number) => {
    const s = sites.get(nr);
    if (s) s.add(site);
    else sites.set(nr, new Set([site]));
  };
  const settle = (v: Value, site: number, k: number) => {
    if (v.kind === 'const') for (const n of v.values) add(n, site);
    else if (v.kind === 'unknown') unresolved.push({ address: site, reason: v.why });
    else {
      const fn = p.functionOf(k);
      if (fn === undefined) unresolved.push({ address: site, reason: `number from ${v.reg}, outside any known function` });
      else if (!wrappers.has(fn)) {
        wrappers.set(fn, v.reg);
        queue.push(fn);
      }
    }
  };
  const queue: number[] = [];
  for (const k of p.syscallSites) settle(t.valueBefore(rules.numberReg, k), p.addr[k], k);
  // libc's syscall(2), imported through the PLT, takes the number as its first argument
  for (const [stub, name] of p.plt) {
    if (name === 'syscall' && !wrappers.has(stub)) {
      wrappers.set(stub, rules.argRegs[0]);
      queue.push(stub);
    }
  }
  // each wrapper: resolve the number at every direct call (or tail jump) to it
  while (queue.length) {
    const fn = queue.shift()!;
    const reg = wrappers.get(fn)!;
    for (const k of [...(p.callsTo.get(fn) ?? []), ...(p.jumpsTo.get(fn) ?? [])]) settle(t.valueBefore(reg, k), p.addr[k], k);
  }
  const names = new Map<number, string>();
  for (const s of elf.symbols()) if (s.value && (s.type === 'FUNC' || s.type === 'IFUNC') && !names.has(s.value)) names.set(s.value, s.name);
  const report: SyscallReport = {
    syscalls: [...sites.entries()].sort((a, b) => a[0] - b[0]).map(([nr, s]) => ({ nr, name: syscallName(arch, nr), sites: [...s].sort((a, b) => a - b) })),
    complete: unresolved.length === 0,
    unresolvedSites: unresolved.sort((a, b) => a.address - b.address),
    wrappers: [...wrappers.entries()].map(([address, argReg]) => ({ address, name: names.get(address), argReg })),
  };
  return report;
}

/**
 * The syscalls an executable can make: its own sites, and for a dynamic executable the
 * sites of its interpreter (ld.so) and those of the library functions it can reach from
 * its imports (see reach.ts).
 */
export function analyzeSyscalls(elf: Elf, decoder: Decoder, libs?: [string, LibrarySummary][]): SyscallReport {
  return withKernelTrampolines(decoder.arch, linkedSyscalls(elf, decoder, libs));
}

/** A shared library's own syscalls (its whole program decoded: its call graph needs it). */
export function librarySyscalls(lib: Elf, decoder: Decoder): SyscallReport {
  return ownSyscalls(lib, decoder);
}

/**
 * On aarch64 a handler returns through the kernel's own trampoline (the vDSO's
 * __kernel_rt_sigreturn): a program that installs handlers makes rt_sigreturn without a
 * site of its own, so it is added with no sites.
 */
function withKernelTrampolines(arch: Arch, r: SyscallReport): SyscallReport {
  if (arch !== 'aarch64' || !r.syscalls.some((s) => s.name === 'rt_sigaction') || r.syscalls.some((s) => s.name === 'rt_sigreturn')) return r;
  const nr = [...SYSCALLS_AARCH64].find(([, n]) => n === 'rt_sigreturn')![0];
  return { ...r, syscalls: [...r.syscalls, { nr, name: 'rt_sigreturn', sites: [] }].sort((a, b) => a.nr - b.nr) };
}

function linkedSyscalls(elf: Elf, decoder: Decoder, libs?: [string, LibrarySummary][]): SyscallReport {
  const own = ownSyscalls(elf, decoder, { local: true });
  if (!libs || !libs.length) return own;
  const merged = new Map<number, { nr: number; name: string; sites: Set<number> }>();
  const unresolved = [...own.unresolvedSites];
  const add = (r: SyscallReport, keep: (site: number) => boolean) => {
    for (const s of r.syscalls) {
      for (const a of s.sites) {
        if (!keep(a)) continue;
        const m = merged.get(s.nr) ?? { nr: s.nr, name: s.name, sites: new Set<number>() };
        m.sites.add(a);
        merged.set(s.nr, m);
      }
    }
    unresolved.push(...r.unresolvedSites.filter((u) => keep(u.address)));
  };
  add(own, () => true);
  // the interpreter counts in full; the other libraries by what the imports reach
  const linked = libs.filter(([name]) => name !== elf.interpreter);
  const imports: string[] = [];
  for (const s of elf.symbols()) if (s.name && s.shndx === 0) imports.push(s.name);
  const reached = reachableFunctions(imports, linked.map(([, l]) => l.graph));
  for (const [name, lib] of libs) {
    // sites inside a library are reported at their address in that library's own image
    const fns = name === elf.interpreter ? undefined : reached.get(lib.id);
    const g = lib.graph;
    add(lib.report, fns && g.starts.length ? (a) => fns.has(functionAt(g, a)) : () => true);
  }
  return {
    syscalls: [...merged.values()].sort((a, b) => a.nr - b.nr).map((m) => ({ nr: m.nr, name: m.name, sites: [...m.sites].sort((a, b) => a - b) })),
    complete: unresolved.length === 0,
    unresolvedSites: unresolved,
    wrappers: own.wrappers,
    libraries: libs.map(([n]) => n),
  };
}

/** The registers that carry the first arguments of a call, in order (SysV / AAPCS64). */
export function argumentRegisters(arch: Arch): readonly string[] {
  return arch === 'x86_64' ? x86Rules.argRegs : aarch64Rules.argRegs;
}
