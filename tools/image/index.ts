// Input file systems for `recomp analyze`: a lone file, a root file system directory, an
// OCI image layout, or an image archive (docker save, OCI archive). Every kind answers the
// same questions: which entries, which executables, what a path resolves to inside it.
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { openArchive, openLayoutDir } from './archive.js';
import { directorySource } from './oci.js';
import { headOf, RootFs, SingleFile } from './rootfs.js';

export interface FsEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'socket';
  mode: number;
  size: number;
  linkTarget?: string;
  /** image layer (0 = lowest) the entry comes from */
  layer?: number;
}

/** Something in the input worth a reader's attention: devices, setuid, links and names that try to leave the image. */
export interface Finding {
  path: string;
  kind: string;
  detail: string;
}

export type Progress = (done: number, total: number, what: string) => void;

export interface ImageFs {
  kind: 'file' | 'rootfs' | 'oci-layout' | 'docker-archive' | 'docker-archive-legacy' | 'oci-archive';
  description: string;
  entries(): Iterable<FsEntry>;
  /** resolves inside the input: symlinks never lead to the host */
  lookup(path: string, follow?: boolean): FsEntry | undefined;
  read(path: string): Promise<Uint8Array>;
  readHead(path: string, n: number): Promise<Uint8Array>;
  executables(): FsEntry[];
  findings: Finding[];
  /** removes whatever was stored in temporary files */
  close(): Promise<void>;
}

export class ImageError extends Error {}

/** "1 layer", "2 layers" */
export const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const GZIP = (b: Uint8Array) => b[0] === 0x1f && b[1] === 0x8b;
const USTAR = (b: Uint8Array) => b.length >= 262 && Buffer.from(b.subarray(257, 262)).toString('latin1') === 'ustar';

export async function openImage(path: string, opts: { platform?: string; onProgress?: Progress } = {}): Promise<ImageFs> {
  let st;
  try {
    lstatSync(path);
    st = statSync(path); // a link given on the command line is the user's own path: follow it
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ImageError(`${path}: ${code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
  }
  if (st.isDirectory()) {
    if (readdirSync(path).includes('oci-layout')) return openLayoutDir(path, opts, directorySource(path));
    const fs = new RootFs(path);
    fs.load(opts.onProgress);
    return fs;
  }
  if (!st.isFile()) throw new ImageError(`${path}: not a regular file or directory`);
  const first = headOf(path, 512);
  if (USTAR(first) || GZIP(first)) return openArchive(path, opts);
  return new SingleFile(path, st.mode & 0o7777, st.size, first);
}
