// A worker thread of the analysis pool: analyses the files it is sent; asks the main
// thread for libraries (it has no access to the input itself).
import { parentPort } from 'node:worker_threads';
import type { Elf } from '../elf/index.js';
import { analyzeFile, type AnalyzeOptions } from './analyze-file.js';

type FromMain = { task: number; path: string; bytes: Uint8Array; opts: AnalyzeOptions } | { reply: number; bytes: Uint8Array | undefined };

const port = parentPort!;
const cache = new Map<string, Elf | null>(); // libraries, shared by every file this worker analyses
const pending = new Map<number, (b: Uint8Array | undefined) => void>();
let nextRead = 0;

const read = (path: string) =>
  new Promise<Uint8Array | undefined>((resolve) => {
    const id = nextRead++;
    pending.set(id, resolve);
    port.postMessage({ read: id, path });
  });

port.on('message', (m: FromMain) => {
  if ('reply' in m) {
    pending.get(m.reply)?.(m.bytes);
    pending.delete(m.reply);
    return;
  }
  analyzeFile(m.path, m.bytes, read, cache, m.opts).then(
    (record) => port.postMessage({ task: m.task, record }),
    (e: unknown) => port.postMessage({ task: m.task, error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) }),
  );
});
