// A worker thread of the analysis pool (pool.ts): summarises libraries and analyses
// self-contained executables it is sent; asks the main thread for any file it must read.
import { parentPort } from 'node:worker_threads';
import { readElf, type Elf } from '../elf/index.js';
import { decoderFor } from '../isa/index.js';
import { analyzeFile } from './analyze-file.js';
import type { FromWorker, ToWorker } from './pool.js';
import { summarizeLibrary } from './summary.js';

const port = parentPort!;
const cache = new Map<string, Elf | null>(); // libraries this worker parsed
const pending = new Map<number, (b: Uint8Array | undefined) => void>();
let nextRead = 0;
const post = (m: FromWorker) => port.postMessage(m);

const read = (path: string) =>
  new Promise<Uint8Array | undefined>((resolve) => {
    const id = nextRead++;
    pending.set(id, resolve);
    post({ read: id, path });
  });

port.on('message', (m: ToWorker) => {
  if ('reply' in m) {
    pending.get(m.reply)?.(m.bytes);
    pending.delete(m.reply);
    return;
  }
  const work = async () => (m.kind === 'summarize' ? summarizeLibrary(readElf(m.bytes), decoderFor(m.arch), m.id) : analyzeFile(m.path, m.bytes, read, cache, m.opts));
  work().then(
    (result) => post({ task: m.task, result }),
    (e: unknown) => post({ task: m.task, error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) }),
  );
});
