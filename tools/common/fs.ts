// Writing outputs: whole or not at all (a temporary file beside the target, then a rename),
// so a reader or a crash never sees half a module, manifest or key.
import { renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** why a file operation failed, for a message: the errno code (ENOENT, EACCES...) or the error's text */
export const failure = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

export function writeAtomic(path: string, data: Uint8Array | string, mode?: number): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, path);
}
