// Tar archives of images: `docker save` output (Docker 25+: an OCI layout plus
// manifest.json; legacy: manifest.json with `<id>/layer.tar`) and OCI archives (a tar of an
// OCI layout). The outer tar's files are copied into the private store under generated
// names; its member names are only keys of a map, never host paths.
import { closeSync, openSync, writeSync } from 'node:fs';
import { count, ImageError, type Progress } from './index.js';
import { LayeredImage, readTar, TempStore } from './layers.js';
import { openLegacyDockerSave, openOciLayout, type FileSource } from './oci.js';
import { normalisePath } from './tree.js';

export async function openArchive(path: string, opts: { platform?: string; onProgress?: Progress }): Promise<LayeredImage> {
  const store = new TempStore();
  try {
    const members = new Map<string, string>();
    await readTar(path, path, {}, async (h, body) => {
      const rel = normalisePath(h.name.replace(/^\/+/, ''));
      if ((h.type ?? 'file') !== 'file' || rel === undefined) {
        for await (const _ of body);
        return;
      }
      const host = store.newPath();
      const fd = openSync(host, 'wx', 0o600);
      try {
        for await (const chunk of body) writeSync(fd, chunk);
      } finally {
        closeSync(fd);
      }
      members.set(rel.slice(1), host);
    });
    const files: FileSource = (rel) => members.get(rel);
    let image: LayeredImage;
    if (members.has('index.json') && members.has('oci-layout')) {
      const docker = members.has('manifest.json');
      image = new LayeredImage(docker ? 'docker-archive' : 'oci-archive', '', store);
      await openOciLayout(files, image, opts, path);
      image.description = `${docker ? 'docker save archive (OCI layout)' : 'OCI archive'}, ${image.description}`;
    } else if (members.has('manifest.json')) {
      image = new LayeredImage('docker-archive-legacy', '', store);
      await openLegacyDockerSave(files, image, opts, path);
      image.description = `docker save archive (legacy), ${image.description}`;
    } else {
      throw new ImageError(`${path}: a tar archive, but neither docker save output nor an OCI archive (no index.json with oci-layout, no manifest.json)`);
    }
    image.finish();
    image.description += `, ${count(image.tree.map.size, 'entry', 'entries')}`;
    return image;
  } catch (e) {
    store.remove();
    throw e;
  }
}

export async function openLayoutDir(dir: string, opts: { platform?: string; onProgress?: Progress }, files: FileSource): Promise<LayeredImage> {
  const store = new TempStore();
  try {
    const image = new LayeredImage('oci-layout', '', store);
    await openOciLayout(files, image, opts, dir);
    image.finish();
    image.description = `OCI image layout, ${image.description}, ${count(image.tree.map.size, 'entry', 'entries')}`;
    return image;
  } catch (e) {
    store.remove();
    throw e;
  }
}
