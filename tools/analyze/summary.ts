// What the analysis of a dynamic executable needs of each shared library it loads: the
// library's own syscalls and its call graph. Computed once per library (named by the
// digest of its bytes), on this thread or on a worker, as plain data that can travel.
import type { Elf } from '../elf/index.js';
import type { Decoder } from '../isa/types.js';
import { programOf } from './program.js';
import { objectGraph, opaqueGraph, type ObjectGraph } from './reach.js';
import { librarySyscalls, type SyscallReport } from './syscalls.js';

export interface LibrarySummary {
  id: string;
  /** the library's own syscall sites, at addresses of its own image */
  report: SyscallReport;
  /** its functions and their edges when it has sites of its own; else one opaque node */
  graph: ObjectGraph;
}

export function summarizeLibrary(lib: Elf, decoder: Decoder, id: string): LibrarySummary {
  const report = librarySyscalls(lib, decoder);
  const sites = report.syscalls.length > 0 || report.unresolvedSites.length > 0;
  const graph = sites ? objectGraph(lib, programOf(lib, decoder), id) : opaqueGraph(lib, id);
  return { id, report, graph };
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
