// Builds real OCI image layouts for tests, with Debian's tar and node's zlib: each layer is
// a directory tree turned into a tar, with the entry order given explicitly where it matters
// (an opaque whiteout after its siblings).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';

export interface LayerSpec {
  /** directory holding the layer's files */
  dir?: string;
  /** or the layer's tar itself */
  tar?: Buffer;
  /** tar member order (paths relative to dir, './x'); default: tar's own walk of '.' */
  order?: string[];
  compression?: 'none' | 'gzip' | 'zstd';
}

export interface LayoutOptions {
  arch?: string;
  /** replaces the diff_ids the config records (to test the check) */
  diffIds?: (ids: string[]) => string[];
}

const sha = (b: Uint8Array) => 'sha256:' + createHash('sha256').update(b).digest('hex');

export function layerTar(spec: LayerSpec): Buffer {
  if (spec.tar) return spec.tar;
  if (!spec.dir) throw new Error('a layer needs dir or tar');
  const args = spec.order ? ['--no-recursion', '-C', spec.dir, ...spec.order] : ['-C', spec.dir, '.'];
  return execFileSync('tar', ['--format=posix', '--owner=0', '--group=0', '--numeric-owner', '-cf', '-', ...args], { maxBuffer: 1 << 30 });
}

export interface LayoutDigests {
  manifest: string;
  config: string;
  layers: string[];
}

/** Writes an OCI layout at `out` with the layers in order; returns the digests it wrote. */
export function writeOciLayout(out: string, layers: LayerSpec[], opts: LayoutOptions = {}): LayoutDigests {
  const arch = opts.arch ?? 'amd64';
  const blobs = join(out, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (b: Uint8Array) => {
    const d = sha(b);
    writeFileSync(join(blobs, d.slice(7)), b);
    return d;
  };
  const diffIds: string[] = [];
  const descs = layers.map((l) => {
    const tar = layerTar(l);
    diffIds.push(sha(tar));
    const blob = l.compression === 'gzip' ? gzipSync(tar) : l.compression === 'zstd' ? zstdCompressSync(tar) : tar;
    const mediaType = 'application/vnd.oci.image.layer.v1.tar' + (l.compression === 'gzip' ? '+gzip' : l.compression === 'zstd' ? '+zstd' : '');
    return { mediaType, digest: put(blob), size: blob.length };
  });
  const ids = opts.diffIds ? opts.diffIds(diffIds) : diffIds;
  const config = Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: ids }, config: {} }));
  const configDigest = sha(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: put(config), size: config.length },
      layers: descs,
    }),
  );
  const md = put(manifest);
  writeFileSync(join(out, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(out, 'index.json'),
    JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: md, size: manifest.length, platform: { architecture: arch, os: 'linux' } }] }),
  );
  return { manifest: md, config: configDigest, layers: descs.map((d) => d.digest) };
}

/** The docker save forms: 'oci' (Docker 25+: the layout plus manifest.json) or 'legacy' (<id>/layer.tar). */
export function writeDockerSave(outTar: string, staging: string, layers: LayerSpec[], form: 'oci' | 'legacy'): void {
  mkdirSync(staging, { recursive: true });
  if (form === 'oci') {
    const info = writeOciLayout(staging, layers);
    writeFileSync(join(staging, 'manifest.json'), JSON.stringify([{ Config: `blobs/sha256/${info.config.slice(7)}`, RepoTags: ['test:latest'], Layers: info.layers.map((d: string) => `blobs/sha256/${d.slice(7)}`) }]));
  } else {
    const tars = layers.map(layerTar);
    const ids = tars.map((t) => sha(t));
    const names = tars.map((t, i) => {
      const id = createHash('sha256').update(`layer${i}`).digest('hex');
      mkdirSync(join(staging, id), { recursive: true });
      writeFileSync(join(staging, id, 'layer.tar'), t);
      writeFileSync(join(staging, id, 'json'), JSON.stringify({ id }));
      writeFileSync(join(staging, id, 'VERSION'), '1.0');
      return `${id}/layer.tar`;
    });
    const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: ids } });
    const cname = `${sha(Buffer.from(config)).slice(7)}.json`;
    writeFileSync(join(staging, cname), config);
    writeFileSync(join(staging, 'manifest.json'), JSON.stringify([{ Config: cname, RepoTags: ['test:latest'], Layers: names }]));
  }
  execFileSync('tar', ['--format=posix', '-cf', outTar, '-C', staging, '.']);
}

export const fileBytes = (p: string) => readFileSync(p);

/**
 * Two layers over `elf` (any executable): a whiteout, an opaque directory whose marker comes
 * after its sibling in the tar, a script, an ELF without an x bit, an absolute symlink and a
 * hard link. EXPECTED_EXECUTABLES is what the merged file system holds.
 */
export function twoLayers(dir: string, elf: string): LayerSpec[] {
  const l1 = join(dir, 'l1');
  const l2 = join(dir, 'l2');
  const put = (root: string, p: string, src: string | null, mode = 0o755) => {
    mkdirSync(join(root, p, '..'), { recursive: true });
    if (src === null) writeFileSync(join(root, p), '');
    else copyFileSync(src, join(root, p));
    chmodSync(join(root, p), mode);
  };
  put(l1, 'bin/hello', elf);
  put(l1, 'usr/bin/gone', elf);
  put(l1, 'opt/app/old', elf);
  put(l1, 'etc/data', elf, 0o644); // an ELF without an x bit is not an executable
  writeFileSync(join(l1, 'usr/bin/tool.sh'), '#!/bin/sh\necho tool\n');
  chmodSync(join(l1, 'usr/bin/tool.sh'), 0o755);
  execFileSync('ln', [join(l1, 'bin/hello'), join(l1, 'bin/hello-hard')]);
  put(l2, 'usr/bin/.wh.gone', null, 0o644);
  put(l2, 'opt/app/new', elf);
  put(l2, 'opt/app/.wh..wh..opq', null, 0o644);
  mkdirSync(join(l2, 'usr/local/bin'), { recursive: true });
  symlinkSync('/bin/hello', join(l2, 'usr/local/bin/link'));
  return [
    { dir: l1 },
    // the opaque whiteout comes after its sibling: it still hides only layer 1's entries
    { dir: l2, order: ['./usr', './usr/bin', './usr/bin/.wh.gone', './usr/local', './usr/local/bin', './usr/local/bin/link', './opt', './opt/app', './opt/app/new', './opt/app/.wh..wh..opq'] },
  ];
}

export const EXPECTED_EXECUTABLES = ['/bin/hello', '/bin/hello-hard', '/opt/app/new', '/usr/bin/tool.sh'];
