// The analysis workers: a fixed set of threads taking tasks from one queue, library
// summaries first (executables on this thread wait for them), then whole self-contained
// executables. Workers never touch the input: they ask this thread for what they read.
import { Worker } from 'node:worker_threads';
import type { Arch } from '../isa/types.js';
import type { AnalyzeOptions } from './analyze-file.js';
import type { ReadFile } from './libraries.js';
import type { AnalysisRecord } from './record.js';
import type { LibrarySummary } from './summary.js';

export type PoolTask =
  | { kind: 'summarize'; id: string; arch: Arch; bytes: Uint8Array }
  | { kind: 'analyze'; path: string; bytes: Uint8Array; opts: Pick<AnalyzeOptions, 'code'> };

export type ToWorker = (PoolTask & { task: number }) | { reply: number; bytes: Uint8Array | undefined };
export type FromWorker = { task: number; result: LibrarySummary | AnalysisRecord } | { task: number; error: string } | { read: number; path: string };

interface Pending {
  task: PoolTask;
  resolve: (r: never) => void;
  reject: (e: Error) => void;
}

// the worker's file has this module's extension: worker.js beside pool.js in dist/, worker.mjs
// beside the bundle (scripts/bundle.mjs), which has no package.json to make .js files modules
const workerFile = import.meta.url.endsWith('.mjs') ? './worker.mjs' : './worker.js';

export class WorkerPool {
  private queue: Pending[] = []; // summaries before analyses
  private idle: Worker[] = [];
  private running = new Map<number, Pending>();
  private workers: Worker[] = [];
  private next = 0;
  private failure: Error | undefined;

  constructor(
    size: number,
    private read: ReadFile,
  ) {
    const url = new URL(workerFile, import.meta.url);
    for (let i = 0; i < size; i++) {
      const w = new Worker(url);
      w.on('message', (m: FromWorker) => this.onMessage(w, m));
      w.on('error', (e) => this.fail(e));
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  summarize(id: string, arch: Arch, bytes: Uint8Array): Promise<LibrarySummary> {
    // a copy: this thread goes on using the library's bytes
    return this.submit({ kind: 'summarize', id, arch, bytes: bytes.slice() }, true);
  }

  analyze(path: string, bytes: Uint8Array, opts: Pick<AnalyzeOptions, 'code'>): Promise<AnalysisRecord> {
    return this.submit({ kind: 'analyze', path, bytes: owned(bytes), opts }, false);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private submit<T>(task: PoolTask, urgent: boolean): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      const p: Pending = { task, resolve: resolve as (r: never) => void, reject };
      if (urgent) {
        const at = this.queue.findIndex((q) => q.task.kind !== 'summarize');
        this.queue.splice(at < 0 ? this.queue.length : at, 0, p);
      } else this.queue.push(p);
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.pop()!;
      const p = this.queue.shift()!;
      const task = this.next++;
      this.running.set(task, p);
      w.postMessage({ ...p.task, task } satisfies ToWorker, [p.task.bytes.buffer as ArrayBuffer]);
    }
  }

  private onMessage(w: Worker, m: FromWorker): void {
    if ('read' in m) {
      this.read(m.path).then((b) => {
        const bytes = b && owned(b);
        w.postMessage({ reply: m.read, bytes } satisfies ToWorker, bytes ? [bytes.buffer as ArrayBuffer] : []);
      }, (e: Error) => this.fail(e));
      return;
    }
    const p = this.running.get(m.task);
    this.running.delete(m.task);
    this.idle.push(w);
    if (p) {
      if ('error' in m) p.reject(new Error(`${p.task.kind === 'analyze' ? `analysing ${p.task.path}` : `summarising library ${p.task.id}`}: ${m.error}`));
      else p.resolve(m.result as never);
    }
    this.dispatch();
  }

  private fail(e: Error): void {
    this.failure = e;
    for (const p of [...this.running.values(), ...this.queue]) p.reject(e);
    this.running.clear();
    this.queue = [];
  }
}

/** A transferable copy: a view into a shared or pooled buffer cannot be transferred. */
function owned(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? b : b.slice();
}
