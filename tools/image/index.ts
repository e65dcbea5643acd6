// Input file systems for `recomp analyze`: a lone file or a root file system directory.
// Symlinks resolve inside the root, never to the host.
import { lstat, open, readFile, readdir, readlink } from 'node:fs/promises';
import { posix, join } from 'node:path';

export interface FsEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'socket';
  mode: number;
  size: number;
  linkTarget?: string;
  layer?: number;
}

export interface Finding {
  path: string;
  kind: string;
  detail: string;
}

export interface ImageFs {
  kind: 'file' | 'rootfs' | 'oci-layout' | 'docker-archive' | 'docker-archive-legacy' | 'oci-archive';
  description: string;
  entries(): Iterable<FsEntry>;
  lookup(path: string, follow?: boolean): FsEntry | undefined;
  read(path: string): Promise<Uint8Array>;
  readHead(path: string, n: number): Promise<Uint8Array>;
  executables(): FsEntry[];
  findings: Finding[];
  close(): Promise<void>;
}

export class ImageError extends Error {}

const TYPE_BITS: [number, FsEntry['type']][] = [
  [0o100000, 'file'], [0o040000, 'dir'], [0o120000, 'symlink'], [0o020000, 'char'], [0o060000, 'block'], [0o010000, 'fifo'], [0o140000, 'socket'],
];
const typeOf = (mode: number) => TYPE_BITS.find(([b]) => (mode & 0o170000) === b)?.[1] ?? 'file';

async function head(host: string, n: number): Promise<Uint8Array> {
  const fh = await open(host, 'r');
  try {
    const b = Buffer.alloc(n);
    const { bytesRead } = await fh.read(b, 0, n, 0);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

const isExecHead = (b: Uint8Array) => (b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46) || (b[0] === 0x23 && b[1] === 0x21);

/** A directory holding a root file system, read in place (lstat, never following links out). */
class RootFs implements ImageFs {
  kind = 'rootfs' as const;
  description = '';
  findings: Finding[] = [];
  private map = new Map<string, FsEntry>();
  private execs: FsEntry[] = [];
  constructor(private root: string) {}

  async load(onProgress?: (d: number, t: number, w: string) => void): Promise<void> {
    const stack = ['/'];
    while (stack.length) {
      const dir = stack.pop()!;
      let names: string[];
      try {
        names = (await readdir(join(this.root, dir))).sort();
      } catch (e) {
        this.findings.push({ path: dir, kind: 'unreadable', detail: (e as Error).message });
        continue;
      }
      for (const n of names) {
        const p = posix.join(dir, n);
        const st = await lstat(join(this.root, p));
        const type = typeOf(st.mode);
        const e: FsEntry = { path: p, type, mode: st.mode & 0o7777, size: st.size };
        if (type === 'symlink') e.linkTarget = await readlink(join(this.root, p));
        if (type === 'char' || type === 'block') this.findings.push({ path: p, kind: 'device', detail: `${type} device` });
        if (type === 'file' && st.mode & 0o6000) this.findings.push({ path: p, kind: 'setuid', detail: `mode ${(st.mode & 0o7777).toString(8)}` });
        this.map.set(p, e);
        if (type === 'dir') stack.push(p);
      }
    }
    const files = [...this.map.values()].filter((e) => e.type === 'file' && e.mode & 0o111);
    let done = 0;
    for (const e of files) {
      onProgress?.(done++, files.length, e.path);
      if (isExecHead(await head(join(this.root, e.path), 4))) this.execs.push(e);
    }
    this.execs.sort((a, b) => (a.path < b.path ? -1 : 1));
    this.description = `root file system, ${this.map.size} entries`;
  }

  *entries() {
    yield* [...this.map.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  /** Resolves a path inside the root like the kernel, with `/` and `..` clamped to the root. */
  lookup(path: string, follow = true): FsEntry | undefined {
    const parts = path.split('/').filter(Boolean);
    let cur: string[] = [];
    let hops = 0;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (part === '.') continue;
      if (part === '..') {
        cur.pop();
        continue;
      }
      const p = '/' + [...cur, part].join('/');
      const e = this.map.get(p);
      if (!e) return undefined;
      const last = i === parts.length - 1;
      if (e.type === 'symlink' && (follow || !last)) {
        if (++hops > 40) {
          this.findings.push({ path, kind: 'link-loop', detail: 'more than 40 symbolic links' });
          return undefined;
        }
        const t = e.linkTarget!;
        const rest = parts.slice(i + 1);
        parts.splice(0, parts.length, ...t.split('/').filter(Boolean), ...rest);
        if (t.startsWith('/')) cur = [];
        i = -1;
        continue;
      }
      if (last) return e;
      cur.push(part);
    }
    return this.map.get('/' + cur.join('/')) ?? (cur.length === 0 ? { path: '/', type: 'dir', mode: 0o755, size: 0 } : undefined);
  }

  private host(path: string): string {
    const e = this.lookup(path, true);
    if (!e || e.type !== 'file') throw new ImageError(`${path}: not a regular file in ${this.root}`);
    return join(this.root, e.path);
  }

  async read(path: string): Promise<Uint8Array> {
    return new Uint8Array(await readFile(this.host(path)));
  }

  async readHead(path: string, n: number): Promise<Uint8Array> {
    return head(this.host(path), n);
  }

  executables(): FsEntry[] {
    return this.execs;
  }

  async close(): Promise<void> {}
}

/** A single file given on the command line. */
class SingleFile implements ImageFs {
  kind = 'file' as const;
  description: string;
  findings: Finding[] = [];
  private entry: FsEntry;
  private exec: boolean;
  constructor(
    private host: string,
    mode: number,
    size: number,
    first: Uint8Array,
  ) {
    this.entry = { path: host, type: 'file', mode, size };
    this.exec = isExecHead(first);
    this.description = first[0] === 0x7f ? 'ELF file' : first[0] === 0x23 ? 'script' : 'file';
  }
  entries() {
    return [this.entry];
  }
  lookup(path: string) {
    return path === this.host ? this.entry : undefined;
  }
  async read() {
    return new Uint8Array(await readFile(this.host));
  }
  async readHead(_p: string, n: number) {
    return head(this.host, n);
  }
  executables() {
    return this.exec ? [this.entry] : [];
  }
  async close() {}
}

export async function openImage(path: string, opts: { platform?: string; onProgress?: (done: number, total: number, what: string) => void } = {}): Promise<ImageFs> {
  let st;
  try {
    st = await lstat(path);
  } catch (e) {
    throw new ImageError(`${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
  }
  if (st.isDirectory()) {
    const names = await readdir(path);
    if (names.includes('oci-layout')) throw new ImageError(`${path}: OCI image layouts are not supported yet`);
    const fs = new RootFs(path);
    await fs.load(opts.onProgress);
    return fs;
  }
  if (!st.isFile()) throw new ImageError(`${path}: not a regular file or directory`);
  const first = await head(path, 512);
  if (first.length >= 262 && Buffer.from(first.subarray(257, 262)).toString('latin1') === 'ustar') throw new ImageError(`${path}: tar archives are not supported yet`);
  return new SingleFile(path, st.mode & 0o7777, st.size, first);
}
