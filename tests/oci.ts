// Builds real OCI image layouts for tests, with Debian's tar and node's zlib: each layer is
// a directory tree turned into a tar, with the entry order given explicitly where it matters
// (an opaque whiteout after its siblings).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface LayerSpec {
  /** directory holding the layer's files */
  dir: string;
  /** tar member order (paths relative to dir, './x'); default: tar's own walk of '.' */
  order?: string[];
  compression?: 'none' | 'gzip';
}

const sha = (b: Uint8Array) => 'sha256:' + createHash('sha256').update(b).digest('hex');

export function layerTar(spec: LayerSpec): Buffer {
  const args = spec.order ? ['--no-recursion', '-C', spec.dir, ...spec.order] : ['-C', spec.dir, '.'];
  return execFileSync('tar', ['--format=posix', '--owner=0', '--group=0', '--numeric-owner', '-cf', '-', ...args], { maxBuffer: 1 << 30 });
}

/** Writes an OCI layout at `out` with the layers in order; returns the manifest digest. */
export function writeOciLayout(out: string, layers: LayerSpec[], arch = 'amd64'): string {
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
    const blob = l.compression === 'gzip' ? gzipSync(tar) : tar;
    const mediaType = l.compression === 'gzip' ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar';
    return { mediaType, digest: put(blob), size: blob.length };
  });
  const config = Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds }, config: {} }));
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
  return md;
}

export const fileBytes = (p: string) => readFileSync(p);
