// Runs the analysis over every executable of the given inputs, on a pool of worker
// threads (one per core) so that a whole root file system goes at disk speed. Workers get
// file bytes from this thread, which alone touches the input (image, rootfs or file).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Elf } from '../elf/index.js';
import { openImage, type Finding, type ImageFs } from '../image/index.js';
import { analyzeFile, type AnalyzeOptions } from './analyze-file.js';
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
  onProgress?: (done: number, total: number, what: string) => void;
}

/** Reads through the analysed file system; a lone host file resolves its libraries on the host. */
function reader(fs: ImageFs): ReadFile {
  if (fs.kind === 'file') {
    return async (p) => {
      try {
        return new Uint8Array(await readFile(p));
      } catch {
        return undefined;
      }
    };
  }
  return async (p) => {
    const e = fs.lookup(p, true);
    if (!e || e.type !== 'file') return undefined;
    return fs.read(p);
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
      const read = reader(fs);
      const jobs = Math.max(1, Math.min(opts.jobs ?? availableParallelism(), exes.length));
      const cache = fs.kind === 'file' ? new UsedView(hostLibraries) : new Map<string, Elf | null>();
      const o = { ...opts, code };
      // Executables that load libraries stay on this thread, where each library is analysed
      // once; every worker would analyse them again (measured: slower than one thread on a
      // Debian root file system). Self-contained ones go to the workers.
      const linked: number[] = [];
      const alone: number[] = [];
      for (let i = 0; i < exes.length; i++) (jobs > 1 && !loadsLibraries(await fs.readHead(exes[i].path, 4096)) ? alone : linked).push(i);
      const records: AnalysisRecord[] = new Array(exes.length);
      const place = (idx: number[]) => (rs: AnalysisRecord[]) => rs.forEach((r, k) => (records[idx[k]] = r));
      const progress = combinedProgress(exes.length, opts.onProgress);
      await Promise.all([
        analyzeInline(linked.map((i) => exes[i].path), fs, read, { ...o, onProgress: progress() }, cache).then(place(linked)),
        alone.length ? analyzePooled(alone.map((i) => exes[i].path), fs, read, linked.length ? Math.max(1, jobs - 1) : jobs, { ...o, onProgress: progress() }).then(place(alone)) : undefined,
      ]);
      reports.push({ input, kind: fs.kind, description: fs.description, findings: fs.findings, records, libraries: librariesIn(cache) });
    } finally {
      await fs.close();
    }
  }
  return reports;
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

async function analyzeInline(paths: string[], fs: ImageFs, read: ReadFile, opts: DriverOptions, cache: Map<string, Elf | null>): Promise<AnalysisRecord[]> {
  const out: AnalysisRecord[] = [];
  // hard links and copies (perl and perl5.36.0) are analysed once
  const seen = new Map<string, AnalysisRecord>();
  for (const p of paths) {
    opts.onProgress?.(out.length, paths.length, p);
    const bytes = await fs.read(p);
    const digest = createHash('sha1').update(bytes).digest('hex');
    const same = seen.get(digest);
    const rec = same ? { ...same, path: p } : await analyzeFile(p, bytes, read, cache, opts, `#${digest}`);
    if (!same) seen.set(digest, rec);
    out.push(rec);
  }
  opts.onProgress?.(out.length, paths.length, '');
  return out;
}

type ToWorker = { task: number; path: string; bytes: Uint8Array; opts: AnalyzeOptions } | { reply: number; bytes: Uint8Array | undefined };
type FromWorker = { task: number; record: AnalysisRecord } | { task: number; error: string } | { read: number; path: string };

async function analyzePooled(paths: string[], fs: ImageFs, read: ReadFile, jobs: number, opts: DriverOptions): Promise<AnalysisRecord[]> {
  const out: AnalysisRecord[] = new Array(paths.length);
  let next = 0;
  let done = 0;
  const workerUrl = new URL('./worker.js', import.meta.url);
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const w = new Worker(workerUrl);
      const send = (m: ToWorker) => w.postMessage(m, m.bytes ? [m.bytes.buffer as ArrayBuffer] : []);
      // the next file is read while the worker analyses the current one
      let ahead: [number, Promise<Uint8Array>] | undefined;
      const take = (): [number, Promise<Uint8Array>] | undefined => {
        if (next >= paths.length) return undefined;
        const task = next++;
        return [task, fs.read(paths[task])];
      };
      const feed = async () => {
        const t = ahead ?? take();
        ahead = undefined;
        if (!t) {
          await w.terminate();
          resolve();
          return;
        }
        const bytes = await t[1];
        send({ task: t[0], path: paths[t[0]], bytes: copyOwned(bytes), opts: { code: opts.code } });
        ahead = take();
      };
      w.on('message', (m: FromWorker) => {
        if ('read' in m) {
          read(m.path).then((b) => send({ reply: m.read, bytes: b && copyOwned(b) }), reject);
          return;
        }
        if ('error' in m) {
          reject(new Error(`analysing ${paths[m.task]}: ${m.error}`));
          return;
        }
        out[m.task] = m.record;
        opts.onProgress?.(++done, paths.length, paths[m.task]);
        feed().catch(reject);
      });
      w.on('error', reject);
      feed().catch(reject);
    });
  await Promise.all(Array.from({ length: jobs }, runWorker));
  return out;
}

/** A transferable copy: a view into a shared or pooled buffer cannot be transferred. */
function copyOwned(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? b : b.slice();
}
