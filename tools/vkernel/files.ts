// The guest's view of files: granted directories (and nothing else), file descriptors.
//
// A guest path is made absolute against the guest's cwd and normalised lexically ('..'
// stops at '/'); the longest granted guest prefix maps it to a host path; then the host
// path, with symlinks resolved, must still lie inside that grant's host directory, so
// neither '..' nor a symlink can reach the rest of the host.
import { closeSync, existsSync, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import { dirname, join, posix, resolve, sep } from 'node:path';
import { E } from './errors.js';

export interface Grant {
  host: string;
  guest: string;
}

export class Sandbox {
  private grants: { host: string; guest: string }[];
  cwd: string;

  constructor(grants: Grant[], hostCwd: string) {
    this.grants = grants
      .map((g) => ({ host: realpathSync(resolve(g.host)), guest: posix.normalize(g.guest).replace(/\/+$/, '') || '/' }))
      .sort((a, b) => b.guest.length - a.guest.length);
    // the guest starts in the host's cwd when that is granted, else in '/'
    const real = realpathSync(hostCwd);
    this.cwd = '/';
    for (const g of this.grants) {
      if (real === g.host || real.startsWith(g.host + sep)) {
        this.cwd = posix.join(g.guest, real.slice(g.host.length).split(sep).join('/')) || '/';
        break;
      }
    }
  }

  /** guest path → absolute normalised guest path */
  absolute(path: string, dir = this.cwd): string {
    return posix.normalize(path.startsWith('/') ? path : posix.join(dir, path));
  }

  /**
   * guest path → host path, or a negative errno. `forCreate`: the final component may not
   * exist yet (its parent must, inside the grant).
   */
  resolve(guestPath: string, opts: { dir?: string; forCreate?: boolean; noFollow?: boolean } = {}): string | number {
    if (guestPath.length === 0) return -E.NOENT;
    if (guestPath.length > 4095) return -E.NAMETOOLONG;
    const abs = this.absolute(guestPath, opts.dir);
    const g = this.grants.find((x) => abs === x.guest || x.guest === '/' || abs.startsWith(x.guest + '/'));
    if (!g) return this.isAncestorOfGrant(abs) ? this.syntheticDir(abs) : -E.NOENT;
    const rel = g.guest === '/' ? abs.slice(1) : abs.slice(g.guest.length + 1);
    const host = rel ? join(g.host, ...rel.split('/')) : g.host;
    // confine: resolve symlinks (of the parent only when the last component may be new or a link)
    let real: string;
    try {
      real = opts.noFollow ? join(realpathSync(dirname(host)), host.slice(dirname(host).length + 1)) : realpathSync(host);
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT') return -E.ACCES;
      if (!opts.forCreate) {
        // a dangling link inside the grant, or a missing file: missing either way
        return -E.NOENT;
      }
      const created = newFileTarget(host);
      if (typeof created === 'number') return created;
      real = created;
    }
    if (real !== g.host && !real.startsWith(g.host + sep)) return -E.ACCES;
    return real === host || opts.noFollow ? host : real;
  }

  /** '/' and the directories above a grant exist, so `cd /` and `ls /` work */
  private isAncestorOfGrant(abs: string): boolean {
    return this.grants.some((g) => abs === '/' || g.guest.startsWith(abs === '/' ? '/' : abs + '/'));
  }
  private syntheticDir(abs: string): string {
    return `\0dir:${abs}`;
  }
  /** the names directly below a synthetic directory */
  syntheticEntries(abs: string): string[] {
    const out = new Set<string>();
    for (const g of this.grants) {
      const rest = abs === '/' ? g.guest.slice(1) : g.guest.startsWith(abs + '/') ? g.guest.slice(abs.length + 1) : undefined;
      if (rest) out.add(rest.split('/')[0]);
    }
    return [...out].sort();
  }

  /** host path → guest path (for getcwd and readlink of confined links) */
  toGuest(host: string): string | undefined {
    for (const g of this.grants) {
      if (host === g.host) return g.guest;
      if (host.startsWith(g.host + sep)) return posix.join(g.guest, host.slice(g.host.length + 1).split(sep).join('/'));
    }
    return undefined;
  }
}

/**
 * Where creating `host` (which does not resolve) puts the new file: a dangling symlink is
 * followed to its final target, as open(O_CREAT) does, so that the grant check sees that
 * target and a link inside a grant cannot create a file outside it.
 */
function newFileTarget(host: string): string | number {
  let cur = host;
  for (let hops = 0; hops < 40; hops++) {
    let target: string;
    try {
      if (!lstatSync(cur).isSymbolicLink()) return -E.NOENT;
      target = readlinkSync(cur);
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT') return -E.ACCES;
      // the last link's target (or the path itself) is missing: it is what gets created
      try {
        return join(realpathSync(dirname(cur)), cur.slice(dirname(cur).length + 1));
      } catch {
        return -E.NOENT;
      }
    }
    cur = resolve(dirname(cur), target);
  }
  return -E.LOOP;
}

/** An open file description: shared by descriptors made with dup (offset included). */
export type OpenFile = (
  | { kind: 'host'; fd: number; path: string; guestPath: string; flags: number; append: boolean; pos: bigint; dir?: DirStream }
  | { kind: 'std'; fd: number }
  | { kind: 'pipe'; end: 'r' | 'w'; pipe: Pipe }
  | { kind: 'synthetic-dir'; guestPath: string; dir?: DirStream }
) & { refs: number };

export interface DirStream {
  entries: { name: string; ino: bigint; type: number }[];
  next: number;
}

export class Pipe {
  chunks: Buffer[] = [];
  readers = 1;
  writers = 1;
  get size(): number {
    return this.chunks.reduce((s, c) => s + c.length, 0);
  }
}

export const O = { WRONLY: 1, RDWR: 2, CREAT: 0o100, EXCL: 0o200, NOCTTY: 0o400, TRUNC: 0o1000, APPEND: 0o2000, NONBLOCK: 0o4000, DIRECTORY: 0o200000, NOFOLLOW: 0o400000, CLOEXEC: 0o2000000, PATH: 0o10000000 };

/** guest descriptor → open file description and the descriptor's own close-on-exec flag */
export class FdTable {
  private fds = new Map<number, { file: OpenFile; cloexec: boolean }>();
  constructor() {
    for (const fd of [0, 1, 2]) this.fds.set(fd, { file: { kind: 'std', fd, refs: 1 }, cloexec: false });
  }
  get(fd: number): OpenFile | undefined {
    return this.fds.get(fd)?.file;
  }
  cloexec(fd: number): boolean {
    return this.fds.get(fd)?.cloexec ?? false;
  }
  setCloexec(fd: number, on: boolean): void {
    const e = this.fds.get(fd);
    if (e) e.cloexec = on;
  }
  /** installs `file` (a new description, or one shared with dup) at the lowest free fd >= from */
  add(file: OpenFile, cloexec: boolean, from = 0): number {
    let fd = from;
    while (this.fds.has(fd)) fd++;
    if (fd >= 1024) return -E.MFILE;
    file.refs++;
    this.fds.set(fd, { file, cloexec });
    return fd;
  }
  /** dup2/dup3: replaces whatever `fd` held */
  put(fd: number, file: OpenFile, cloexec: boolean): void {
    file.refs++;
    if (this.fds.has(fd)) this.close(fd);
    this.fds.set(fd, { file, cloexec });
  }
  close(fd: number): number {
    const e = this.fds.get(fd);
    if (!e) return -E.BADF;
    this.fds.delete(fd);
    release(e.file);
    return 0;
  }
  closeAll(): void {
    for (const fd of [...this.fds.keys()]) this.close(fd);
  }
}

function release(f: OpenFile): void {
  if (--f.refs > 0) return;
  if (f.kind === 'host') closeSync(f.fd);
  else if (f.kind === 'pipe') {
    if (f.end === 'r') f.pipe.readers--;
    else f.pipe.writers--;
  }
}

export function openHost(path: string, flags: number, mode: number): number {
  // Node's fs.openSync takes Linux flag bits as a number
  return openSync(path, flags & ~O.CLOEXEC & ~O.NOCTTY, mode);
}

export function dirStream(hostPath: string): DirStream {
  const entries: DirStream['entries'] = [];
  const self = fstatOf(hostPath);
  entries.push({ name: '.', ino: self?.ino ? BigInt(self.ino) : 1n, type: 4 });
  entries.push({ name: '..', ino: 1n, type: 4 });
  for (const d of readdirSync(hostPath, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const type = d.isDirectory() ? 4 : d.isFile() ? 8 : d.isSymbolicLink() ? 10 : d.isFIFO() ? 1 : d.isSocket() ? 12 : d.isCharacterDevice() ? 2 : d.isBlockDevice() ? 6 : 0;
    let ino = 0n;
    try {
      ino = BigInt(fstatOf(join(hostPath, d.name), true)?.ino ?? 0);
    } catch {
      /* vanished */
    }
    entries.push({ name: d.name, ino, type });
  }
  return { entries, next: 0 };
}

function fstatOf(p: string, noFollow = false): Stats | undefined {
  if (!existsSync(p) && !noFollow) return undefined;
  try {
    const fd = openSync(p, noFollow ? O.PATH | O.NOFOLLOW : O.PATH);
    try {
      return fstatSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}
