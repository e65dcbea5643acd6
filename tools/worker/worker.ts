// `recomp --persistent_worker`: Bazel's persistent worker. Requests run one at a time, in
// this process, with nothing kept from one to the next that changes an output: each runs
// the same command function the command line runs, in the request's sandbox directory, and
// what it prints is returned in the response instead of reaching the protocol's stdout.
// Opt-in (--@rules_recomp//rules:worker); it saves node's start and the toolchain's load.
import { encodeResponse, ProtocolError, RequestReader, type WorkRequest } from './protocol.js';

export type RunCommand = (argv: string[]) => Promise<number>;

/** runs one request with the process's output captured: its status and what it printed */
async function handle(request: WorkRequest, run: RunCommand): Promise<{ status: number; output: string }> {
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    done?.();
    return true;
  };
  const [out, err] = [process.stdout.write, process.stderr.write];
  const cwd = process.cwd();
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  let status: number;
  try {
    if (request.sandboxDir) process.chdir(request.sandboxDir);
    status = await run(request.arguments);
  } catch (e) {
    chunks.push(`recomp: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    status = 70;
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.chdir(cwd);
  }
  return { status, output: chunks.join('') };
}

/** reads requests from stdin until it closes, answering each on stdout */
export function serveWorker(run: RunCommand): Promise<number> {
  const reader = new RequestReader();
  const write = process.stdout.write.bind(process.stdout);
  let queue = Promise.resolve();
  return new Promise((resolve) => {
    process.stdin.on('data', (chunk: Buffer) => {
      let requests: WorkRequest[];
      try {
        requests = reader.push(chunk);
      } catch (e) {
        process.stderr.write(`recomp worker: ${e instanceof ProtocolError ? e.message : String(e)}\n`);
        resolve(1);
        return;
      }
      for (const request of requests) {
        // singleplex: Bazel sends the next request after this one's response
        queue = queue.then(async () => {
          if (request.cancel) return;
          const { status, output } = await handle(request, run);
          write(encodeResponse({ exitCode: status, output, requestId: request.requestId }));
        });
      }
    });
    process.stdin.on('end', () => {
      queue.then(() => {
        if (reader.pending) process.stderr.write('recomp worker: the input ended inside a request\n');
        resolve(reader.pending ? 1 : 0);
      });
    });
  });
}
