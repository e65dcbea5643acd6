// Behaviour flags and the evidence for each: what makes a binary generate code at run time,
// load code, start threads or pick code paths by CPU features.
import type { Elf } from '../elf/index.js';
import type { Decoder } from '../isa/types.js';
import { Program, pltRanges, programOf } from './program.js';
import { directCallers, siteAddresses } from './sites.js';
import type { FlagName, FlagResult, Evidence } from './record.js';
import { FLAG_NAMES } from './record.js';
import { argumentRegisters, ownSyscallReport, siteProgram, Tracer } from './syscalls.js';

const PROT_WRITE = 2;
const PROT_EXEC = 4;
const MAX_EVIDENCE = 8;

/** Symbols of JIT engines: their presence (defined or imported) means code is generated at run time. */
const JIT_SYMBOLS: [RegExp, string][] = [
  [/^pcre2?_jit_compile/, 'PCRE JIT compiler'],
  [/^luaJIT_setmode$|^luaopen_jit$/, 'LuaJIT'],
  [/^_ZN2v88internal8compiler/, 'V8 optimising compiler'],
  [/^_ZN2v88internal9Assembler/, 'V8 assembler'],
  [/^LLVMCreate(MCJIT|Jit|Interpreter)?ExecutionEngine|^_ZN4llvm3orc/, 'LLVM JIT'],
  [/^gcc_jit_context_compile/, 'libgccjit'],
  [/^mono_jit_/, 'Mono JIT'],
];
const DLOPEN = /^(dlopen|dlmopen|__libc_dlopen_mode|_dl_open)(@.*)?$/;
/** imports through which code can be mapped writable and executable */
const CODE_MEMORY = /^(mmap|mmap64|mprotect|pkey_mprotect|memfd_create)$/;
const THREADS = /^(pthread_create|thrd_create|__pthread_create_2_1)(@.*)?$/;
/** any of the names above */
const ANY_NAMED = new RegExp([...JIT_SYMBOLS.map(([re]) => re), DLOPEN, THREADS].map((re) => `(?:${re.source})`).join('|'));

export function detectFlags(elf: Elf, decoder: Decoder): Record<FlagName, FlagResult> {
  const ev = Object.fromEntries(FLAG_NAMES.map((f) => [f, [] as Evidence[]])) as Record<FlagName, Evidence[]>;
  const add = (f: FlagName, e: Evidence) => {
    if (ev[f].length < MAX_EVIDENCE) ev[f].push(e);
  };
  const imported = (s: { shndx: number }) => s.shndx === 0;
  for (const s of elf.symbols()) {
    if (s.type === 'IFUNC') add('cpuidDispatch', { address: s.value, detail: `IFUNC ${s.name}` });
    if (!s.name || !ANY_NAMED.test(s.name)) continue; // one test rules out almost every symbol
    const where = imported(s) ? `imports ${s.name}` : `defines ${s.name}`;
    const address = imported(s) ? undefined : s.value;
    for (const [re, what] of JIT_SYMBOLS) if (re.test(s.name)) add('jit', { address, detail: `${what}: ${where}` });
    if (DLOPEN.test(s.name)) add('dlopen', { address, detail: where });
    if (THREADS.test(s.name) && (s.type === 'FUNC' || imported(s))) add('threads', { address, detail: where });
  }
  for (const a of elf.irelatives()) add('cpuidDispatch', { address: a, detail: 'IRELATIVE resolver' });
  for (const seg of elf.segments) {
    if (seg.type === 1 && seg.flags & 1 && seg.flags & 2) add('selfModifying', { address: seg.vaddr, detail: `PT_LOAD segment ${seg.index} is writable and executable` });
  }

  const [, , arg3] = argumentRegisters(decoder.arch);
  const execProt = (p: Program, tracer: Tracer, k: number, what: string) => {
    const v = tracer.valueBefore(arg3, k);
    for (const prot of v.kind === 'const' ? v.values : []) {
      if (prot & PROT_EXEC && prot & PROT_WRITE) add('runtimeCodegen', { address: p.addr[k], detail: `${what} with PROT_WRITE|PROT_EXEC (prot ${prot})` });
    }
  };
  // cpuid: by a checked byte search, or from the whole program where that cannot be checked
  const cpuids = siteAddresses(elf, decoder, 'cpuid');
  if (cpuids) for (const a of cpuids) add('cpuidDispatch', { address: a, detail: 'cpuid instruction' });
  else {
    const full = programOf(elf, decoder);
    for (const k of full.cpuidSites) add('cpuidDispatch', { address: full.addr[k], detail: 'cpuid instruction' });
  }
  // mmap/mprotect made by the program itself: prot traced where its syscall sites were resolved
  const own = ownSyscallReport(elf, decoder);
  const memSyscalls = new Map<number, string>();
  for (const s of own.syscalls) if (s.name === 'mmap' || s.name === 'mprotect' || s.name === 'pkey_mprotect') for (const a of s.sites) memSyscalls.set(a, s.name);
  const sp = memSyscalls.size ? siteProgram(elf) : undefined;
  if (sp) {
    const tracer = new Tracer(sp);
    for (const k of sp.syscallSites) {
      const name = memSyscalls.get(sp.addr[k]);
      if (name) execProt(sp, tracer, k, name);
    }
  }
  // calls to those imports through the PLT: on x86_64 only the calling functions are decoded
  if (elf.symbols().some((s) => s.shndx === 0 && CODE_MEMORY.test(s.name))) {
    let programs: Program[] | undefined;
    let plt: Map<number, string> | undefined;
    if (decoder.arch === 'x86_64') {
      plt = new Program(elf, decoder, pltRanges(elf)).plt;
      const stubs = new Set([...plt].filter(([, n]) => CODE_MEMORY.test(n)).map(([a]) => a));
      programs = directCallers(elf, decoder, stubs)?.map((r) => new Program(elf, decoder, [r]));
    }
    if (!programs) {
      const full = programOf(elf, decoder);
      programs = [full];
      plt = full.plt;
    }
    for (const p of programs) {
      const tracer = new Tracer(p);
      for (const [stub, name] of plt!) {
        if (!CODE_MEMORY.test(name)) continue;
        for (const k of p.callsTo.get(stub) ?? []) {
          if (name !== 'memfd_create') execProt(p, tracer, k, `call to ${name}`);
          else add('runtimeCodegen', { address: p.addr[k], detail: 'call to memfd_create' });
        }
      }
    }
  }
  return result(ev);
}

function result(ev: Record<FlagName, Evidence[]>): Record<FlagName, FlagResult> {
  if (ev.runtimeCodegen.length) for (const e of ev.runtimeCodegen) if (ev.jit.length < MAX_EVIDENCE) ev.jit.push(e);
  return Object.fromEntries(FLAG_NAMES.map((f) => [f, { set: ev[f].length > 0, evidence: ev[f] }])) as Record<FlagName, FlagResult>;
}
