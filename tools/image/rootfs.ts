// A root file system directory read in place, and a lone file. The walk uses lstat and
// never follows a link out of the root; synchronous calls, because thousands of tiny
// metadata reads go several times faster that way than through promises.
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, readSync } from 'node:fs';
import { join, posix } from 'node:path';
import { count, ImageError, type Finding, type FsEntry, type ImageFs, type Progress } from './index.js';
import { FsTree, isExecHead } from './tree.js';

const TYPE_BITS: [number, FsEntry['type']][] = [
  [0o100000, 'file'], [0o040000, 'dir'], [0o120000, 'symlink'], [0o020000, 'char'], [0o060000, 'block'], [0o010000, 'fifo'], [0o140000, 'socket'],
];
export const typeOfMode = (mode: number) => TYPE_BITS.find(([b]) => (mode & 0o170000) === b)?.[1] ?? 'file';

/** The first `n` bytes of a host file. */
export function headOf(host: string, n: number): Uint8Array {
  const fd = openSync(host, 'r');
  try {
    const b = Buffer.alloc(n);
    return b.subarray(0, readSync(fd, b, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

export class RootFs implements ImageFs {
  kind = 'rootfs' as const;
  description = '';
  findings: Finding[] = [];
  private tree = new FsTree(this.findings);
  private execs: FsEntry[] = [];
  constructor(private root: string) {}

  load(onProgress?: Progress): void {
    const stack = ['/'];
    while (stack.length) {
      const dir = stack.pop()!;
      let names: string[];
      try {
        names = readdirSync(join(this.root, dir)).sort();
      } catch (e) {
        this.findings.push({ path: dir, kind: 'unreadable', detail: (e as Error).message });
        continue;
      }
      for (const n of names) {
        const p = posix.join(dir, n);
        const st = lstatSync(join(this.root, p));
        const type = typeOfMode(st.mode);
        const e: FsEntry = { path: p, type, mode: st.mode & 0o7777, size: st.size };
        if (type === 'symlink') e.linkTarget = readlinkSync(join(this.root, p));
        if (type === 'char' || type === 'block') this.findings.push({ path: p, kind: 'device', detail: `${type} device` });
        if (type === 'file' && st.mode & 0o6000) this.findings.push({ path: p, kind: 'setuid', detail: `mode ${(st.mode & 0o7777).toString(8)}` });
        this.tree.set(e);
        if (type === 'dir') stack.push(p);
      }
    }
    this.tree.noteLinks();
    const files = this.tree.sorted().filter((e) => e.type === 'file' && e.mode & 0o111);
    let done = 0;
    for (const e of files) {
      onProgress?.(done++, files.length, e.path);
      try {
        if (isExecHead(headOf(join(this.root, e.path), 4))) this.execs.push(e);
      } catch (err) {
        this.findings.push({ path: e.path, kind: 'unreadable', detail: (err as Error).message });
      }
    }
    this.description = `root file system, ${count(this.tree.map.size, 'entry', 'entries')}`;
  }

  entries() {
    return this.tree.sorted();
  }

  lookup(path: string, follow = true): FsEntry | undefined {
    return this.tree.lookup(path, follow);
  }

  private host(path: string): string {
    const e = this.lookup(path, true);
    if (!e || e.type !== 'file') throw new ImageError(`${path}: not a regular file in ${this.root}`);
    return join(this.root, e.path);
  }

  async read(path: string): Promise<Uint8Array> {
    const b = readFileSync(this.host(path));
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }

  async readHead(path: string, n: number): Promise<Uint8Array> {
    return headOf(this.host(path), n);
  }

  executables(): FsEntry[] {
    return this.execs;
  }

  async close(): Promise<void> {}
}

/** A single file given on the command line (a link given there is followed: it is the user's path). */
export class SingleFile implements ImageFs {
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
    return new Uint8Array(readFileSync(this.host));
  }
  async readHead(_p: string, n: number) {
    return headOf(this.host, n);
  }
  executables() {
    return this.exec ? [this.entry] : [];
  }
  async close() {}
}
