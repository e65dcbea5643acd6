// One record per executable: parse, recover code, resolve syscalls, set flags, judge
// whether it can be translated. Pure computation over bytes; I/O stays with the caller.
import { readElf, ElfError, type Elf } from '../elf/index.js';
import { decoderFor } from '../isa/index.js';
import type { Decoder } from '../isa/types.js';
import { discoverCode } from './discovery.js';
import { analyzeSyscalls, ownSyscallReport } from './syscalls.js';
import { detectFlags } from './flags.js';
import { libraryId, loadLibraries, type ReadFile } from './libraries.js';
import { localSummarizer, type LibrarySummary, type Summarizer } from './summary.js';
import { FLAG_NAMES, type AnalysisRecord, type ElfRecord, type FlagName, type FlagResult, type ScriptRecord, type Translatable } from './record.js';

export interface AnalyzeOptions {
  /** recover functions and blocks (jump tables, unresolved indirect branches) */
  code?: boolean;
  /** where library summaries come from (a worker pool); by default computed here, once each */
  summarize?: Summarizer;
}

const summarizers = new Map<Decoder, Summarizer>();
const defaultSummarizer = (d: Decoder) => summarizers.get(d) ?? summarizers.set(d, localSummarizer(d)).get(d)!;

/** Parses the `#!` line the way the kernel does: interpreter, then one optional argument string. */
export function analyzeScript(path: string, head: Uint8Array): ScriptRecord {
  const nl = head.indexOf(0x0a);
  const line = Buffer.from(head.subarray(2, nl < 0 ? head.length : nl)).toString('utf8').trim();
  const m = /^(\S*)\s*(.*)$/.exec(line)!;
  return {
    path,
    kind: 'script',
    interpreter: m[1],
    interpreterArgs: m[2],
    translatable: 'fallback',
    reason: m[1] ? `script: runs through its interpreter ${m[1]}` : 'script without an interpreter',
  };
}

export async function analyzeFile(
  path: string,
  bytes: Uint8Array,
  read: ReadFile,
  libCache: Map<string, Elf | null>,
  opts: AnalyzeOptions = {},
  /** `#sha1` of the bytes: an executable that is also a library (libc.so.6, ld.so) is parsed and analysed once */
  digestKey?: string,
): Promise<AnalysisRecord> {
  if (bytes[0] === 0x23 && bytes[1] === 0x21) return analyzeScript(path, bytes.subarray(0, 256));
  let elf: Elf;
  try {
    const known = digestKey ? libCache.get(digestKey) : undefined;
    elf = known ?? readElf(bytes);
    // kept for later loads as a library only when it is one (else a large tree's executables would all stay in memory)
    if (digestKey && !known && elf.arch && elf.dynamic().soname !== undefined) libCache.set(digestKey, elf);
  } catch (e) {
    if (!(e instanceof ElfError)) throw e;
    return { path, kind: 'error', error: e.message, translatable: 'no', reason: `not a readable ELF file: ${e.message}` };
  }
  try {
    return await analyzeElf(path, elf, read, libCache, opts);
  } catch (e) {
    if (!(e instanceof ElfError)) throw e;
    return { path, kind: 'error', error: e.message, translatable: 'no', reason: `corrupt ELF file: ${e.message}` };
  }
}

async function analyzeElf(
  path: string,
  elf: Elf,
  read: ReadFile,
  libCache: Map<string, Elf | null>,
  opts: AnalyzeOptions,
): Promise<ElfRecord> {
  const h = elf.header;
  const base: ElfRecord = {
    path,
    kind: 'elf',
    arch: elf.arch ?? h.machineName,
    linking: null,
    interpreter: null,
    needed: [],
    entry: h.entry,
    symbols: { symtab: 0, dynsym: 0, functions: 0 },
    relocations: {},
    syscalls: [],
    syscallsComplete: false,
    unresolvedSyscallSites: [],
    missingLibraries: [],
    flags: Object.fromEntries(FLAG_NAMES.map((f): [FlagName, FlagResult] => [f, { set: false, evidence: [] }])) as Record<FlagName, FlagResult>,
    code: null,
    translatable: 'no',
    reason: '',
  };
  if (elf.unsupported || !elf.arch) {
    base.reason = elf.unsupported ?? `machine ${h.machineName} is not supported`;
    return base;
  }
  const decoder = decoderFor(elf.arch);
  base.linking = elf.linking;
  base.interpreter = elf.interpreter ?? null;
  base.needed = elf.dynamic().needed;
  base.symbols = elf.symbolCounts();
  base.relocations = elf.relocationCounts();
  const libs = base.linking === 'dynamic' ? await loadLibraries(elf, path, read, libCache) : undefined;
  const summarize = opts.summarize ?? defaultSummarizer(decoder);
  // the libraries' summaries are asked for first and awaited last: from a worker pool they
  // come while this thread does the executable's own part (its sites, kept by
  // ownSyscallReport for analyzeSyscalls; its flags; its code), and other executables'
  const pending = libs && Promise.all(libs.loaded.map(async ([name, lib]): Promise<[string, LibrarySummary]> => [name, await summarize(lib, libraryId(lib))]));
  ownSyscallReport(elf, decoder);
  base.flags = detectFlags(elf, decoder);
  if (opts.code !== false) {
    const code = discoverCode(elf, decoder);
    const s = code.stats;
    base.code = {
      functions: s.functions,
      blocks: s.blocks,
      instructions: s.instructions,
      coverage: s.codeBytes ? Math.round((s.bytesCovered / s.codeBytes) * 1000) / 1000 : 0,
      jumpTables: code.jumpTables.length,
      unresolvedIndirectJumps: code.unresolved.filter((u) => u.kind === 'ijump').map((u) => ({ address: u.address, detail: u.mnemonic })),
      unknown: code.unknown.length,
    };
  }
  const sys = analyzeSyscalls(elf, decoder, pending && (await pending));
  base.syscalls = sys.syscalls;
  base.unresolvedSyscallSites = sys.unresolvedSites.map((s) => ({ address: s.address, detail: s.reason }));
  base.missingLibraries = libs?.missing ?? [];
  base.syscallsComplete = sys.complete && base.missingLibraries.length === 0;
  [base.translatable, base.reason] = judge(elf, base);
  return base;
}

/** Whether the translator can take it today, and why; the reason names the deciding fact. */
function judge(elf: Elf, r: ElfRecord): [Translatable, string] {
  if (elf.header.typeName !== 'EXEC' && elf.header.typeName !== 'DYN') return ['no', `ELF type ${elf.header.typeName} is not an executable`];
  if (elf.isSharedLibrary) return ['fallback', 'shared library: needs the dynamic-linking loader (not supported yet)'];
  const codegen = (['jit', 'runtimeCodegen', 'selfModifying'] as const).find((f) => r.flags[f].set);
  if (codegen) {
    const ev = r.flags[codegen].evidence[0];
    return ['fallback', `${codegen}: ${ev?.detail ?? 'code generated at run time'}; runs under the emulator fallback`];
  }
  if (r.linking === 'dynamic') return ['fallback', 'dynamically linked: dynamic translation is not supported yet; runs under the emulator fallback'];
  const notes: string[] = [];
  if (!r.syscallsComplete) notes.push(`${r.unresolvedSyscallSites.length} syscall site(s) unresolved: the policy must allow the widened set`);
  const ij = r.code?.unresolvedIndirectJumps.length ?? 0;
  if (ij) notes.push(`${ij} indirect jump(s) go through the dispatcher`);
  return ['yes', [`${r.linking} ${r.arch} executable`, ...notes].join('; ')];
}
