// Runs the analysis over every executable of the given inputs: on this thread, or for large
// inputs with worker threads that summarise the shared libraries (each once) and take the
// self-contained executables. Workers get file bytes from this thread, which alone touches
// the input (image, rootfs or file).
import { createHash } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Elf } from '../elf/index.js';
import { openImage, type Finding, type FsEntry, type ImageFs } from '../image/index.js';
import { readElf } from '../elf/index.js';
import { analyzeFile, type AnalyzeOptions } from './analyze-file.js';
import { libraryId, loadLibraries } from './libraries.js';
import { WorkerPool } from './pool.js';
import type { LibrarySummary, Summarizer } from './summary.js';
import type { ReadFile } from './libraries.js';
import type { AnalysisRecord } from './record.js';

export interface InputReport {
  input: string;
  kind: ImageFs['kind'];
  description: string;
  findings: Finding[];
  records: AnalysisRecord[];
  /** the shared libraries found and analysed for the dynamic executables (path, bytes), one path per file */
  libraries: { path: string; size: number }[];
}

export interface DriverOptions extends AnalyzeOptions {
  jobs?: number;
  platform?: string;
  /** a lone file's shared libraries are looked for on this host (default); false reads the file alone */
  hostLibraries?: boolean;
  onProgress?: (done: number, total: number, what: string) => void;
}

/**
 * Reads through the analysed file system; a lone host file resolves its libraries on the host,
 * if allowed. A file reached by several paths (/lib and /usr/lib, a soname link and its target)
 * is read once: every path gives the same bytes, which loadLibraries then parses and hashes once.
 */
function reader(fs: ImageFs, hostLibraries: boolean): ReadFile {
  const once = new Map<string, Promise<Uint8Array | undefined>>();
  const byFile = (file: string | undefined, load: (file: string) => Promise<Uint8Array | undefined>) => {
    if (file === undefined) return Promise.resolve(undefined);
    let b = once.get(file);
    if (!b) once.set(file, (b = load(file)));
    return b;
  };
  if (fs.kind === 'file') {
    if (!hostLibraries) return async () => undefined;
    return async (p) => byFile(await realpath(p).catch(() => undefined), (f) => readFile(f).then((b) => new Uint8Array(b), () => undefined));
  }
  return (p) => {
    const e = fs.lookup(p, true);
    return byFile(e?.type === 'file' ? e.path : undefined, (f) => fs.read(f));
  };
}

export async function analyzeInputs(paths: string[], opts: DriverOptions = {}): Promise<InputReport[]> {
  const reports: InputReport[] = [];
  // lone files all resolve their libraries on the host: one cache serves them all
  const hostLibraries = new Map<string, Elf | null>();
  for (const input of paths) {
    const fs = await openImage(input, { platform: opts.platform, onProgress: opts.onProgress });
    try {
      const exes = fs.executables();
      const code = opts.code ?? fs.kind === 'file';
      const read = reader(fs, opts.hostLibraries ?? true);
      const jobs = Math.max(1, Math.min(opts.jobs ?? defaultJobs(exes), exes.length));
      const cache = fs.kind === 'file' ? new UsedView(hostLibraries) : new Map<string, Elf | null>();
      const o = { ...opts, code };
      const records = jobs === 1 ? await analyzeInline(exes.map((e) => e.path), fs, read, o, cache) : await analyzeParallel(exes.map((e) => e.path), fs, read, jobs, o, cache);
      reports.push({ input, kind: fs.kind, description: fs.description, findings: fs.findings, records, libraries: librariesIn(cache) });
    } finally {
      await fs.close();
    }
  }
  return reports;
}

/**
 * Worker threads pay off only on large inputs: each must load and warm up the analysis
 * (measured on 2 cores: a 34 MB Debian minbase goes 1.6 s alone, 2.2 s with 2 workers;
 * /usr with 730 MB of ELF goes 108 s alone, 64 s with 2).
 */
const PARALLEL_FROM_BYTES = 96e6;
function defaultJobs(exes: FsEntry[]): number {
  return exes.reduce((s, e) => s + e.size, 0) >= PARALLEL_FROM_BYTES ? availableParallelism() : 1;
}

/** A view of a shared library cache that remembers which entries this input used. */
class UsedView extends Map<string, Elf | null> {
  constructor(private base: Map<string, Elf | null>) {
    super();
  }
  override get(k: string) {
    const v = this.base.get(k);
    if (v !== undefined) super.set(k, v);
    return v;
  }
  override set(k: string, v: Elf | null) {
    this.base.set(k, v);
    return super.set(k, v);
  }
}

/** The distinct libraries a cache holds (a library reached by several paths is listed once, by its first). */
function librariesIn(cache: Map<string, Elf | null>): { path: string; size: number }[] {
  const seen = new Set<Elf>();
  const out: { path: string; size: number }[] = [];
  for (const [path, elf] of cache) {
    if (!elf || path.startsWith('#') || seen.has(elf)) continue;
    seen.add(elf);
    out.push({ path, size: elf.bytes.length });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Whether an ELF file's program headers (in its first bytes) ask for an interpreter or dynamic linking. */
function loadsLibraries(head: Uint8Array): boolean {
  if (head.length < 64 || head[0] !== 0x7f || head[4] !== 2 || head[5] !== 1) return head[0] === 0x7f; // not ELF64 LE: cheap anyway
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const phoff = Number(dv.getBigUint64(0x20, true));
  const size = dv.getUint16(0x36, true);
  const n = dv.getUint16(0x38, true);
  for (let i = 0; i < n && phoff + (i + 1) * size <= head.length && size >= 4; i++) {
    const type = dv.getUint32(phoff + i * size, true);
    if (type === 2 || type === 3) return true; // PT_DYNAMIC, PT_INTERP
  }
  return false;
}

/** One progress line for two parts of the work that run side by side. */
function combinedProgress(total: number, report?: (done: number, total: number, what: string) => void) {
  const parts: number[] = [];
  return () => {
    const k = parts.push(0) - 1;
    return (done: number, _t: number, what: string) => {
      parts[k] = done;
      report?.(parts.reduce((a, b) => a + b, 0), total, what);
    };
  };
}

/**
 * Executables in flight at once (their bytes, at most): one waits for its libraries' summaries
 * from the workers while this thread goes on with the next ones.
 */
const IN_FLIGHT_BYTES = 256e6;

async function analyzeInline(paths: string[], fs: ImageFs, read: ReadFile, opts: DriverOptions, cache: Map<string, Elf | null>): Promise<AnalysisRecord[]> {
  const out: AnalysisRecord[] = new Array(paths.length);
  // hard links and copies (perl and perl5.36.0) are analysed once
  const seen = new Map<string, Promise<AnalysisRecord>>();
  const flying = new Set<Promise<unknown>>();
  let bytesFlying = 0;
  let done = 0;
  let failure: unknown;
  for (let k = 0; k < paths.length; k++) {
    const p = paths[k];
    opts.onProgress?.(done, paths.length, p);
    const bytes = await fs.read(p);
    const digest = createHash('sha1').update(bytes).digest('hex');
    const same = seen.get(digest);
    const rec = same ? same.then((r) => ({ ...r, path: p })) : analyzeFile(p, bytes, read, cache, opts, `#${digest}`);
    if (!same) seen.set(digest, rec);
    bytesFlying += bytes.length;
    const f: Promise<void> = rec.then(
      (r) => void (out[k] = r),
      (e: unknown) => void (failure ??= e),
    ).finally(() => {
      done++;
      bytesFlying -= bytes.length;
      flying.delete(f);
    });
    flying.add(f);
    while (bytesFlying > IN_FLIGHT_BYTES && flying.size) await Promise.race(flying);
    if (failure) break;
  }
  await Promise.all(flying);
  if (failure) throw failure;
  opts.onProgress?.(paths.length, paths.length, '');
  return out;
}

/**
 * With workers: executables that load libraries are analysed on this thread (each library
 * parsed once) while the workers summarise their libraries, every library once, in
 * parallel; self-contained executables go to the workers whole. A first pass finds all the
 * libraries, so that their summaries are under way before any executable needs one.
 */
async function analyzeParallel(paths: string[], fs: ImageFs, read: ReadFile, jobs: number, opts: DriverOptions, cache: Map<string, Elf | null>): Promise<AnalysisRecord[]> {
  // `jobs` workers beside this thread, which mostly waits on them (measured on 2 cores, /usr
  // here, 2.2 GB of ELF with its libraries: 57 s with 2 workers, 76 s with 1)
  const pool = new WorkerPool(jobs, read);
  try {
    const summaries = new Map<string, Promise<LibrarySummary>>();
    const summarize: Summarizer = (lib, id) => {
      let s = summaries.get(id);
      if (!s) summaries.set(id, (s = pool.summarize(id, lib.arch!, lib.bytes)));
      return s;
    };
    const linked: number[] = [];
    const alone: number[] = [];
    for (let i = 0; i < paths.length; i++) {
      const head = await fs.readHead(paths[i], 4096);
      if (!loadsLibraries(head)) {
        alone.push(i);
        continue;
      }
      linked.push(i);
      try {
        const elf = readElf(await fs.read(paths[i]));
        if (elf.arch && elf.linking === 'dynamic') for (const [, lib] of (await loadLibraries(elf, paths[i], read, cache)).loaded) void summarize(lib, libraryId(lib)).catch(() => {});
      } catch {
        // a corrupt executable: its own analysis below says what is wrong
      }
    }
    const records: AnalysisRecord[] = new Array(paths.length);
    const progress = combinedProgress(paths.length, opts.onProgress);
    const aloneProgress = progress();
    let done = 0;
    let next = 0;
    await Promise.all([
      analyzeInline(linked.map((i) => paths[i]), fs, read, { ...opts, summarize, onProgress: progress() }, cache).then((rs) => rs.forEach((r, k) => (records[linked[k]] = r))),
      // a few files in flight per worker: the rest are read when their turn comes
      ...Array.from({ length: 2 * jobs }, async () => {
        while (next < alone.length) {
          const i = alone[next++];
          records[i] = await pool.analyze(paths[i], await fs.read(paths[i]), { code: opts.code });
          aloneProgress(++done, alone.length, paths[i]);
        }
      }),
    ]);
    return records;
  } finally {
    await pool.close();
  }
}

