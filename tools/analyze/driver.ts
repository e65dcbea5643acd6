// Runs the analysis over every executable of the given inputs, on a pool of worker
// threads (one per core) so that a whole root file system goes at disk speed. Workers get
// file bytes from this thread, which alone touches the input (image, rootfs or file).
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
      const records = jobs === 1 ? await analyzeInline(exes.map((e) => e.path), fs, read, { ...opts, code }, fs.kind === 'file' ? hostLibraries : new Map()) : await analyzePooled(exes.map((e) => e.path), fs, read, jobs, { ...opts, code });
      reports.push({ input, kind: fs.kind, description: fs.description, findings: fs.findings, records });
    } finally {
      await fs.close();
    }
  }
  return reports;
}

async function analyzeInline(paths: string[], fs: ImageFs, read: ReadFile, opts: DriverOptions, cache: Map<string, Elf | null>): Promise<AnalysisRecord[]> {
  const out: AnalysisRecord[] = [];
  for (const p of paths) {
    opts.onProgress?.(out.length, paths.length, p);
    out.push(await analyzeFile(p, await fs.read(p), read, cache, opts));
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
