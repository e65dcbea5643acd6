// Image layers merged into one file system, held in memory (paths from the archive never
// become host paths). Only the content of ELF files and `#!` scripts is kept, under names
// generated in a private temporary directory; everything else is metadata.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { PassThrough, Transform, pipeline } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import tar from 'tar-stream';
import { ImageError, type Finding, type FsEntry, type ImageFs } from './index.js';
import { headOf } from './rootfs.js';
import { FsTree, isExecHead, normalisePath } from './tree.js';

export interface StoredEntry extends FsEntry {
  /** host path of the kept content (ELF files and scripts only) */
  blob?: string;
}

/** A private temporary directory whose files have generated names. */
export class TempStore {
  readonly dir = mkdtempSync(join(tmpdir(), 'recomp-image-'));
  private n = 0;
  newPath(): string {
    return join(this.dir, String(this.n++));
  }
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const GZIP = [0x1f, 0x8b];
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];


const startsWith = (b: Uint8Array, magic: number[]) => magic.every((m, i) => b[i] === m);

/** A stream that hashes what passes through it. */
function hashing(algorithm: string): { tap: Transform; digest: () => string } {
  const h = createHash(algorithm);
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      h.update(chunk);
      cb(null, chunk);
    },
  });
  return { tap, digest: () => `${algorithm}:${h.digest('hex')}` };
}

/** `sha256:hex` → the node:crypto algorithm name; the digest string is checked before any use. */
export function digestAlgorithm(digest: string, what: string): string {
  const m = /^(sha256|sha512):([0-9a-f]+)$/.exec(digest);
  if (!m || m[2].length !== (m[1] === 'sha256' ? 64 : 128)) throw new ImageError(`${what}: malformed digest '${digest}'`);
  return m[1];
}

/**
 * Streams a (plain, gzip or zstd) tar file into `onEntry`, checking the digest of the file
 * as stored and of the uncompressed tar when they are given.
 */
export async function readTar(
  path: string,
  what: string,
  check: { digest?: string; diffId?: string },
  onEntry: (header: tar.Header, body: AsyncIterable<Buffer>) => Promise<void>,
): Promise<void> {
  const head = headOf(path, 4);
  const raw = hashing(check.digest ? digestAlgorithm(check.digest, what) : 'sha256');
  const plain = hashing(check.diffId ? digestAlgorithm(check.diffId, `${what} diff_id`) : 'sha256');
  const decompress = startsWith(head, GZIP) ? createGunzip() : startsWith(head, ZSTD) ? createZstdDecompress() : new PassThrough();
  const extract = tar.extract({});
  let failure: Error | undefined;
  const piped = new Promise<void>((resolve) => {
    pipeline(createReadStream(path), raw.tap, decompress, plain.tap, (err) => {
      if (err) {
        failure = err;
        extract.destroy(err);
      } else (extract as unknown as { end(): void }).end();
      resolve();
    }).pipe(extract as unknown as NodeJS.WritableStream, { end: false });
  });
  try {
    for await (const entry of extract) await onEntry(entry.header, entry as AsyncIterable<Buffer>);
  } catch (e) {
    throw new ImageError(`${what}: not a readable tar${startsWith(head, GZIP) ? ' (gzip)' : startsWith(head, ZSTD) ? ' (zstd)' : ''}: ${(failure ?? (e as Error)).message}`);
  }
  await piped;
  if (failure) throw new ImageError(`${what}: ${failure.message}`);
  const [stored, uncompressed] = [raw.digest(), plain.digest()];
  if (check.digest && stored !== check.digest) throw new ImageError(`${what}: digest mismatch: the manifest says ${check.digest}, the blob is ${stored}`);
  if (check.diffId && uncompressed !== check.diffId) throw new ImageError(`${what}: diff_id mismatch: the config says ${check.diffId}, the uncompressed layer is ${uncompressed}`);
}

const ENTRY_TYPES: Record<string, FsEntry['type']> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'dir',
  symlink: 'symlink',
  link: 'hardlink',
  'character-device': 'char',
  'block-device': 'block',
  fifo: 'fifo',
};

/** Drains an entry, keeping its bytes in the store when they start an ELF file or a script. */
async function keepIfExecutable(body: AsyncIterable<Buffer>, store: TempStore): Promise<string | undefined> {
  let fd: number | undefined;
  let path: string | undefined;
  let first = true;
  try {
    for await (const chunk of body) {
      if (first) {
        first = false;
        if (chunk.length >= 2 && isExecHead(chunk)) {
          path = store.newPath();
          fd = openSync(path, 'wx', 0o600);
        }
      }
      if (fd !== undefined) writeSync(fd, chunk);
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return path;
}

/**
 * Applies one layer (OCI image spec semantics): whiteouts `.wh.NAME` delete NAME from the
 * lower layers, `.wh..wh..opq` hides a directory's lower contents wherever it appears in
 * the tar; neither touches the layer's own entries, so both are applied before its additions.
 */
export async function applyLayer(tree: FsTree<StoredEntry>, path: string, layer: number, what: string, check: { digest?: string; diffId?: string }, store: TempStore): Promise<void> {
  const findings = tree.findings;
  const opaque: string[] = [];
  const whiteouts: string[] = [];
  const added = new Map<string, StoredEntry>();
  await readTar(path, what, check, async (h, body) => {
    let name = h.name;
    if (name.startsWith('/')) {
      findings.push({ path: name, kind: 'absolute-path', detail: `${what}: member name is absolute; taken relative to the image root` });
      name = name.replace(/^\/+/, '');
    }
    const p = normalisePath(name);
    if (p === undefined) {
      findings.push({ path: h.name, kind: 'path-traversal', detail: `${what}: member name climbs out with '..'; skipped` });
      for await (const _ of body);
      return;
    }
    const base = posix.basename(p);
    if (base === '.wh..wh..opq') {
      opaque.push(posix.dirname(p));
      for await (const _ of body);
      return;
    }
    if (base.startsWith('.wh.')) {
      whiteouts.push(posix.join(posix.dirname(p), base.slice(4)));
      for await (const _ of body);
      return;
    }
    const type = ENTRY_TYPES[h.type ?? 'file'];
    if (!type) {
      findings.push({ path: p, kind: 'unknown-type', detail: `${what}: tar entry type ${h.type}; skipped` });
      for await (const _ of body);
      return;
    }
    const mode = (h.mode ?? 0) & 0o7777;
    let e: StoredEntry = { path: p, type, mode, size: h.size ?? 0, layer };
    if (type === 'file') {
      const blob = await keepIfExecutable(body, store);
      if (blob) e.blob = blob;
    } else {
      for await (const _ of body);
    }
    if (type === 'symlink') {
      const target = h.linkname ?? '';
      e.linkTarget = target;
      if (target.startsWith('/')) findings.push({ path: p, kind: 'absolute-link', detail: `link to ${target}: resolved inside the image, never on the host` });
    }
    if (type === 'hardlink') {
      const target = normalisePath((h.linkname ?? '').replace(/^\/+/, ''));
      const t = target === undefined ? undefined : (added.get(target) ?? tree.map.get(target));
      if (!t || t.type !== 'file') {
        findings.push({ path: p, kind: 'dangling-hardlink', detail: `${what}: hard link to ${h.linkname}, which is not a file of the image; skipped` });
        return;
      }
      e = { ...t, path: p, layer };
    }
    if (type === 'char' || type === 'block') findings.push({ path: p, kind: 'device', detail: `${type} device (not created, not followed)` });
    if (type === 'file' && mode & 0o6000) findings.push({ path: p, kind: 'setuid', detail: `mode ${mode.toString(8)}` });
    if (added.has(p)) findings.push({ path: p, kind: 'duplicate', detail: `${what}: appears twice; the later entry wins` });
    added.delete(p); // keep tar order for the re-insert below
    added.set(p, e);
  });
  const lower = (e: StoredEntry) => (e.layer ?? -1) < layer;
  for (const d of opaque) tree.remove(d, true, lower);
  for (const w of whiteouts) tree.remove(w, false, lower);
  for (const e of added.values()) {
    // every ancestor must be a directory: make missing ones, refuse to go through a file or link
    const parts = e.path.split('/').filter(Boolean);
    let ok = true;
    for (let i = 1; i < parts.length; i++) {
      const anc = '/' + parts.slice(0, i).join('/');
      const a = tree.map.get(anc);
      if (!a) tree.set({ path: anc, type: 'dir', mode: 0o755, size: 0, layer });
      else if (a.type !== 'dir') {
        findings.push({ path: e.path, kind: 'parent-not-directory', detail: `${what}: ${anc} is a ${a.type}; entry skipped` });
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    const old = tree.map.get(e.path);
    if (old && !(old.type === 'dir' && e.type === 'dir')) tree.remove(e.path);
    tree.set(e);
  }
}

/** The merged file system of an image's layers. */
export class LayeredImage implements ImageFs {
  findings: Finding[] = [];
  readonly tree = new FsTree<StoredEntry>(this.findings);
  private execs: FsEntry[] = [];
  constructor(
    readonly kind: ImageFs['kind'],
    public description: string,
    readonly store: TempStore,
  ) {}

  /** After the last layer: note links that climb out, and list the executables. */
  finish(): void {
    this.tree.noteLinks();
    this.execs = this.tree.sorted().filter((e) => e.type === 'file' && e.mode & 0o111 && e.blob !== undefined);
  }

  entries() {
    return this.tree.sorted();
  }

  lookup(path: string, follow = true): FsEntry | undefined {
    return this.tree.lookup(path, follow);
  }

  private blob(path: string): string {
    const e = this.tree.lookup(path, true) as StoredEntry | undefined;
    if (!e || e.type !== 'file') throw new ImageError(`${path}: not a regular file in the image`);
    if (!e.blob) throw new ImageError(`${path}: content not kept (only ELF files and scripts are)`);
    return e.blob;
  }

  async read(path: string): Promise<Uint8Array> {
    return new Uint8Array(readFileSync(this.blob(path)));
  }

  async readHead(path: string, n: number): Promise<Uint8Array> {
    return headOf(this.blob(path), n);
  }

  executables(): FsEntry[] {
    return this.execs;
  }

  async close(): Promise<void> {
    this.store.remove();
  }
}
