// Writing outputs: whole or not at all (a temporary file beside the target, then a rename),
// so a reader or a crash never sees half a module, manifest or key.
import { mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** why a file operation failed, for a message: the errno code (ENOENT, EACCES...) or the error's text */
export const failure = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

export function writeAtomic(path: string, data: Uint8Array | string, mode?: number): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, path);
}

/**
 * mkdir -p: makes `path` and its missing parents, or throws the first failure. Not
 * mkdirSync's recursive option: Node's spins forever where a parent exists but cannot hold
 * the child (under /proc, mkdir answers ENOENT, which it takes for a missing parent).
 */
export function makeDirs(path: string): void {
  let at = '/';
  for (const part of resolve(path).split('/').filter(Boolean)) {
    at = join(at, part);
    try {
      mkdirSync(at);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  if (!statSync(at).isDirectory()) throw Object.assign(new Error(`${at} is not a directory`), { code: 'ENOTDIR' });
}
