// OCI image layouts (a directory, or the same inside a docker-save or OCI archive) and the
// legacy docker-save form: from the index or manifest.json to the ordered list of layers,
// every JSON blob checked against its digest before it is believed.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { arch as hostArch } from 'node:os';
import { z } from 'zod';
import { parseJsonAs } from '../common/json.js';
import { count, ImageError, type Progress } from './index.js';
import { applyLayer, digestAlgorithm, LayeredImage } from './layers.js';

/** Host path of a file of the layout or archive by its relative name, or undefined. */
export type FileSource = (rel: string) => string | undefined;

const Platform = z.object({ architecture: z.string(), os: z.string(), variant: z.string().optional() });
const Descriptor = z.object({
  mediaType: z.string().optional(),
  digest: z.string(),
  size: z.number().int().nonnegative(),
  platform: Platform.optional(),
});
const Index = z.object({ schemaVersion: z.literal(2), manifests: z.array(Descriptor) });
const Manifest = z.object({ schemaVersion: z.literal(2), config: Descriptor, layers: z.array(Descriptor) });
const Config = z.object({
  architecture: z.string().optional(),
  os: z.string().optional(),
  rootfs: z.object({ type: z.literal('layers'), diff_ids: z.array(z.string()) }),
});
const LegacyManifest = z.array(z.object({ Config: z.string(), RepoTags: z.array(z.string()).nullish(), Layers: z.array(z.string()) })).min(1);
type Descriptor = z.infer<typeof Descriptor>;

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
const MANIFEST_TYPES = new Set(['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json']);
const LAYER_TYPE = /^application\/vnd\.(oci\.image\.layer(\.nondistributable)?\.v1\.tar(\+gzip|\+zstd)?|docker\.image\.rootfs\.(foreign\.)?diff\.tar(\.gzip)?)$/;

export const hostPlatform = () => `linux/${hostArch() === 'x64' ? 'amd64' : hostArch()}`;

const parseJson = <T>(schema: z.ZodType<T>, text: string, what: string): T => parseJsonAs(schema, text, what, ImageError);

function blobPath(files: FileSource, d: Descriptor, what: string): string {
  const alg = digestAlgorithm(d.digest, what);
  const rel = `blobs/${alg}/${d.digest.slice(alg.length + 1)}`;
  const p = files(rel);
  if (!p) throw new ImageError(`${what}: blob ${d.digest} is missing (${rel})`);
  return p;
}

/** A JSON blob, checked against its descriptor's digest and size. */
function readJsonBlob<T>(files: FileSource, d: Descriptor, schema: z.ZodType<T>, what: string): T {
  const p = blobPath(files, d, what);
  const bytes = readFileSync(p);
  const alg = digestAlgorithm(d.digest, what);
  const got = `${alg}:${createHash(alg).update(bytes).digest('hex')}`;
  if (got !== d.digest) throw new ImageError(`${what}: digest mismatch: expected ${d.digest}, the blob is ${got}`);
  if (bytes.length !== d.size) throw new ImageError(`${what}: size mismatch: the descriptor says ${d.size} bytes, the blob has ${bytes.length}`);
  return parseJson(schema, bytes.toString('utf8'), what);
}

const platformOf = (p: z.infer<typeof Platform>) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;

/** The image manifest for `platform` among an index's entries (nested indexes followed). */
function selectManifest(files: FileSource, index: z.infer<typeof Index>, platform: string | undefined, what: string, depth = 0): [Descriptor, string] {
  if (depth > 4) throw new ImageError(`${what}: indexes nested more than 4 deep`);
  // attestation manifests (buildx) carry the platform unknown/unknown
  const candidates = index.manifests.filter((m) => m.platform?.os !== 'unknown');
  if (candidates.length === 0) throw new ImageError(`${what}: the index lists no image`);
  let chosen: Descriptor | undefined;
  if (candidates.length === 1 && (!platform || !candidates[0].platform)) chosen = candidates[0];
  else {
    const want = platform ?? hostPlatform();
    const match = candidates.filter((m) => m.platform && (platformOf(m.platform) === want || `${m.platform.os}/${m.platform.architecture}` === want));
    if (match.length === 0) {
      const have = candidates.map((m) => (m.platform ? platformOf(m.platform) : 'unspecified')).join(', ');
      throw new ImageError(`${what}: no image for platform ${want}${platform ? '' : ' (the host\'s)'}; the image has: ${have}; choose one with --platform`);
    }
    chosen = match[0];
  }
  const type = chosen.mediaType ?? '';
  if (INDEX_TYPES.has(type)) return selectManifest(files, readJsonBlob(files, chosen, Index, `${what} → index ${chosen.digest}`), platform, what, depth + 1);
  if (type && !MANIFEST_TYPES.has(type)) throw new ImageError(`${what}: manifest ${chosen.digest} has the unsupported media type ${type}`);
  return [chosen, chosen.platform ? platformOf(chosen.platform) : ''];
}

/** Reads an OCI image layout (index.json, blobs/) into a merged file system. */
export async function openOciLayout(files: FileSource, image: LayeredImage, opts: { platform?: string; onProgress?: Progress }, what: string): Promise<void> {
  const indexPath = files('index.json');
  if (!indexPath) throw new ImageError(`${what}: no index.json`);
  const index = parseJson(Index, readFileSync(indexPath, 'utf8'), `${what}: index.json`);
  const [desc, platform] = selectManifest(files, index, opts.platform, `${what}: index.json`);
  const manifest = readJsonBlob(files, desc, Manifest, `${what}: manifest ${desc.digest}`);
  const config = readJsonBlob(files, manifest.config, Config, `${what}: config ${manifest.config.digest}`);
  const ids = config.rootfs.diff_ids;
  if (ids.length !== manifest.layers.length) throw new ImageError(`${what}: the manifest has ${manifest.layers.length} layers but the config ${ids.length} diff_ids`);
  for (let i = 0; i < manifest.layers.length; i++) {
    const l = manifest.layers[i];
    const lw = `${what}: layer ${i + 1} (${l.digest})`;
    if (l.mediaType && !LAYER_TYPE.test(l.mediaType)) throw new ImageError(`${lw}: unsupported media type ${l.mediaType}`);
    opts.onProgress?.(i, manifest.layers.length, `layer ${i + 1}/${manifest.layers.length}`);
    const p = blobPath(files, l, lw);
    if (statSync(p).size !== l.size) throw new ImageError(`${lw}: size mismatch: the manifest says ${l.size} bytes, the blob has ${statSync(p).size}`);
    await applyLayer(image.tree, p, i, lw, { digest: l.digest, diffId: ids[i] }, image.store);
  }
  image.description = `${platform || [config.os, config.architecture].filter(Boolean).join('/')}, ${count(manifest.layers.length, 'layer')}`;
}

/** Reads the legacy docker-save form: manifest.json naming `<id>/layer.tar` files and a config. */
export async function openLegacyDockerSave(files: FileSource, image: LayeredImage, opts: { platform?: string; onProgress?: Progress }, what: string): Promise<void> {
  const mp = files('manifest.json')!;
  const entries = parseJson(LegacyManifest, readFileSync(mp, 'utf8'), `${what}: manifest.json`);
  const configs = entries.map((e) => {
    const cp = files(e.Config);
    if (!cp) throw new ImageError(`${what}: config ${e.Config} named by manifest.json is missing`);
    return parseJson(Config, readFileSync(cp, 'utf8'), `${what}: ${e.Config}`);
  });
  let pick = 0;
  if (entries.length > 1) {
    const want = opts.platform ?? hostPlatform();
    const idx = configs.findIndex((c) => `${c.os}/${c.architecture}` === want);
    if (idx < 0) throw new ImageError(`${what}: holds ${entries.length} images (${entries.map((e) => e.RepoTags?.join(' ') || e.Config).join(', ')}) and none is ${want}; analyse one image per archive or pick with --platform`);
    pick = idx;
  }
  const e = entries[pick];
  const ids = configs[pick].rootfs.diff_ids;
  if (ids.length !== e.Layers.length) throw new ImageError(`${what}: manifest.json lists ${e.Layers.length} layers but the config ${ids.length} diff_ids`);
  for (let i = 0; i < e.Layers.length; i++) {
    const lw = `${what}: layer ${i + 1} (${e.Layers[i]})`;
    const p = files(e.Layers[i]);
    if (!p) throw new ImageError(`${lw}: missing from the archive`);
    opts.onProgress?.(i, e.Layers.length, `layer ${i + 1}/${e.Layers.length}`);
    // legacy layers are uncompressed tars: their diff_id is the digest of the file
    await applyLayer(image.tree, p, i, lw, { diffId: ids[i] }, image.store);
  }
  const c = configs[pick];
  image.description = `${e.RepoTags?.join(' ') || e.Config}, ${[c.os, c.architecture].filter(Boolean).join('/')}, ${count(e.Layers.length, 'layer')}`;
}

/** Files of an OCI layout directory by relative name (names come from the layout's own JSON, checked by the caller). */
export function directorySource(dir: string): FileSource {
  return (rel) => {
    if (rel.split('/').includes('..') || rel.startsWith('/')) return undefined;
    const p = `${dir}/${rel}`;
    return existsSync(p) && statSync(p).isFile() ? p : undefined;
  };
}
