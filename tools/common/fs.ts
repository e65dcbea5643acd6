// Writing outputs: whole or not at all (a temporary file beside the target, then a rename),
// so a reader or a crash never sees half a module, manifest or key.
import { accessSync, constants, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** why a file operation failed, for a message: the errno code (ENOENT, EACCES...) or the error's text */
export const failure = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** an output that cannot be written: the command says so and exits 1 (tools/cli/main.ts) */
export class WriteError extends Error {}

export function writeAtomic(path: string, data: Uint8Array | string, mode?: number): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, data, { mode });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new WriteError(`cannot write ${path}: ${failure(e)}`);
  }
}

/** fails early, before long work, where `path` could not be written: its directory is missing, not one, or not writable */
export function checkOutputDir(path: string): void {
  const dir = dirname(resolve(path));
  try {
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new WriteError(`cannot write ${path}: ${failure(e)} (its directory ${dirname(path)})`);
  }
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
