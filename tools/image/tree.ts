// A file system held as a map of absolute paths: what a root file system directory or the
// merged layers of an image become. Lookups resolve symlinks the way the kernel does, with
// `/` and `..` clamped to the image's root, so nothing ever resolves to the host.
import { posix } from 'node:path';
import type { Finding, FsEntry } from './index.js';

/** ELF magic or `#!`: the two kinds of executable file `analyze` reports. */
export const isExecHead = (b: Uint8Array) => (b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46) || (b[0] === 0x23 && b[1] === 0x21);

export const ROOT_DIR: FsEntry = { path: '/', type: 'dir', mode: 0o755, size: 0 };

/** A path from an archive or a host walk as an absolute, normalised path; undefined if it climbs out with `..`. */
export function normalisePath(name: string): string | undefined {
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return undefined;
    out.push(part);
  }
  return '/' + out.join('/');
}

export class FsTree<E extends FsEntry = FsEntry> {
  readonly map = new Map<string, E>();
  constructor(readonly findings: Finding[]) {}

  set(e: E): void {
    this.map.set(e.path, e);
  }

  /** Removes `path` and, when it is a directory, everything below it. */
  remove(path: string, keepSelf = false, predicate: (e: E) => boolean = () => true): void {
    if (!keepSelf) {
      const e = this.map.get(path);
      if (e && predicate(e)) this.map.delete(path);
    }
    const prefix = path === '/' ? '/' : path + '/';
    for (const [p, e] of this.map) if (p.startsWith(prefix) && predicate(e)) this.map.delete(p);
  }

  sorted(): E[] {
    return [...this.map.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Resolves a path inside the tree like the kernel, with `/` and `..` clamped to the root. */
  lookup(path: string, follow = true): E | FsEntry | undefined {
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
        const t = e.linkTarget ?? '';
        parts.splice(0, i + 1, ...t.split('/').filter(Boolean));
        if (t.startsWith('/')) cur = [];
        i = -1;
        continue;
      }
      if (last) return e;
      if (e.type !== 'dir') return undefined;
      cur.push(part);
    }
    return cur.length === 0 ? ROOT_DIR : this.map.get('/' + cur.join('/'));
  }

  /** Records the links that point at absolute paths or climb above the root (they still resolve inside). */
  noteLinks(): void {
    for (const e of this.map.values()) {
      if (e.type !== 'symlink' || e.linkTarget === undefined) continue;
      const t = e.linkTarget;
      if (t.startsWith('/')) continue; // ordinary in root file systems: resolved against the image's root
      const depth = posix.dirname(e.path).split('/').filter(Boolean).length;
      let d = depth;
      for (const part of t.split('/')) {
        if (part === '..') d--;
        else if (part && part !== '.') d++;
        if (d < 0) {
          this.findings.push({ path: e.path, kind: 'escaping-link', detail: `link to ${t} climbs above the root; resolved inside the image` });
          break;
        }
      }
    }
  }
}
