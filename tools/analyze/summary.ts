// What the analysis of a dynamic executable needs of each shared library it loads: the
// library's own syscalls and its call graph. Computed once per library (named by the
// digest of its bytes), on this thread or on a worker, as plain data that can travel.
import type { Elf } from '../elf/index.js';
import type { Decoder } from '../isa/types.js';
import { programOf } from './program.js';
import { objectGraph, opaqueGraph, type ObjectGraph } from './reach.js';
import { siteAddresses } from './sites.js';
import { librarySyscalls, ownSyscallReport, type SyscallReport } from './syscalls.js';

export interface LibrarySummary {
  id: string;
  /** the library's own syscall sites, at addresses of its own image */
  report: SyscallReport;
  /** its functions and their edges when it has sites of its own; else one opaque node */
  graph: ObjectGraph;
}

export function summarizeLibrary(lib: Elf, decoder: Decoder, id: string): LibrarySummary {
  // A library whose only syscalls go through libc's syscall() (libstdc++, libsystemd, libmount,
  // ...) is resolved around those calls alone and stands as one node: all of its calls count
  // once it is loaded. Only a library with syscall instructions of its own (libc) is worth
  // decoding whole for its call graph.
  if (!hasOwnSyscallInstructions(lib, decoder)) return { id, report: ownSyscallReport(lib, decoder), graph: opaqueGraph(lib, id) };
  const report = librarySyscalls(lib, decoder);
  const sites = report.syscalls.length > 0 || report.unresolvedSites.length > 0;
  const graph = sites ? objectGraph(lib, programOf(lib, decoder), id) : opaqueGraph(lib, id);
  return { id, report, graph };
}

function hasOwnSyscallInstructions(lib: Elf, decoder: Decoder): boolean {
  const sites = siteAddresses(lib, decoder, 'syscall');
  return sites === undefined || sites.length > 0;
}

/** Summaries by library, computed here when asked: the single-threaded way. */
export type Summarizer = (lib: Elf, id: string) => Promise<LibrarySummary>;

export function localSummarizer(decoder: Decoder): Summarizer {
  const memo = new Map<string, LibrarySummary>();
  return async (lib, id) => {
    let s = memo.get(id);
    if (!s) memo.set(id, (s = summarizeLibrary(lib, decoder, id)));
    return s;
  };
}
