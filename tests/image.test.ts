// The image reader on every input form, and on hostile ones: what it lists must be exactly
// the merged file system, digests are checked, and nothing is written outside its own
// temporary directory (which close() removes), whatever the archive holds.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageError, openImage, type ImageFs } from '../tools/image/index.js';
import { CORPUS } from './fixtures.js';
import { EXPECTED_EXECUTABLES, twoLayers, writeDockerSave, writeOciLayout, type LayerSpec } from './oci.js';

const tmp = mkdtempSync(join(tmpdir(), 'recomp-image-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const HELLO = join(CORPUS, 'x86_64-musl', 'hello');
let n = 0;
const fresh = (name: string) => join(tmp, `${name}-${n++}`);

/** Temporary directories the reader made (recomp-image-*) that still exist. */
const storeDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith('recomp-image-') && !d.startsWith('recomp-image-test-'));

async function withImage<T>(path: string, f: (fs: ImageFs) => Promise<T> | T, platform?: string): Promise<T> {
  const before = new Set(storeDirs());
  const fs = await openImage(path, { platform });
  try {
    return await f(fs);
  } finally {
    await fs.close();
    expect(storeDirs().filter((d) => !before.has(d))).toEqual([]); // close() removed what it stored
  }
}

const execPaths = (fs: ImageFs) => fs.executables().map((e) => e.path).sort();

let layers: LayerSpec[];
const EXPECTED = EXPECTED_EXECUTABLES;
beforeAll(() => {
  layers = twoLayers(fresh('layers'), HELLO);
});

describe('image forms', () => {
  for (const compression of ['none', 'gzip', 'zstd'] as const) {
    it(`OCI layout, ${compression} layers: exactly the merged executables; links resolve inside`, async () => {
      const dir = fresh('layout');
      writeOciLayout(dir, layers.map((l) => ({ ...l, compression })));
      await withImage(dir, async (fs) => {
        expect(fs.kind).toBe('oci-layout');
        expect(execPaths(fs)).toEqual(EXPECTED);
        expect(fs.lookup('/usr/bin/gone')).toBeUndefined();
        expect(fs.lookup('/opt/app/old')).toBeUndefined();
        expect(fs.lookup('/usr/local/bin/link')?.path).toBe('/bin/hello');
        expect(Buffer.from(await fs.read('/usr/local/bin/link')).equals(readFileSync(HELLO))).toBe(true);
        expect(Buffer.from(await fs.read('/bin/hello-hard')).equals(readFileSync(HELLO))).toBe(true);
        expect(fs.findings.map((f) => f.kind)).toContain('absolute-link');
      });
    });
  }

  it('docker save, Docker 25+ form (OCI layout plus manifest.json)', async () => {
    const t = fresh('docker25') + '.tar';
    writeDockerSave(t, fresh('stage'), layers, 'oci');
    await withImage(t, (fs) => {
      expect(fs.kind).toBe('docker-archive');
      expect(execPaths(fs)).toEqual(EXPECTED);
    });
  });

  it('docker save, legacy form (<id>/layer.tar)', async () => {
    const t = fresh('legacy') + '.tar';
    writeDockerSave(t, fresh('stage'), layers, 'legacy');
    await withImage(t, (fs) => {
      expect(fs.kind).toBe('docker-archive-legacy');
      expect(execPaths(fs)).toEqual(EXPECTED);
    });
  });

  it('OCI archive, plain and gzip-compressed', async () => {
    const dir = fresh('layout');
    writeOciLayout(dir, layers);
    const t = fresh('oci') + '.tar';
    execFileSync('tar', ['-cf', t, '-C', dir, '.']);
    execFileSync('gzip', ['-k', t]);
    for (const p of [t, `${t}.gz`]) {
      await withImage(p, (fs) => {
        expect(fs.kind).toBe('oci-archive');
        expect(execPaths(fs)).toEqual(EXPECTED);
      });
    }
  });

  it('multi-platform index: the host platform by default, --platform to choose, a clear error otherwise', async () => {
    const dir = fresh('multi');
    const amd = writeOciLayout(join(dir, 'a'), [layers[0]], { arch: 'amd64' });
    const arm = writeOciLayout(join(dir, 'b'), [{ tar: (await tarOf([{ name: 'arm/only', content: readFileSync(HELLO), mode: 0o755 }])) }], { arch: 'arm64' });
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    for (const sub of ['a', 'b']) for (const f of readdirSync(join(dir, sub, 'blobs', 'sha256'))) copyFileSync(join(dir, sub, 'blobs', 'sha256', f), join(dir, 'blobs', 'sha256', f));
    const size = (d: string, sub: string) => readFileSync(join(dir, sub, 'blobs', 'sha256', d.slice(7))).length;
    writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(
      join(dir, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: amd.manifest, size: size(amd.manifest, 'a'), platform: { os: 'linux', architecture: 'amd64' } },
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: arm.manifest, size: size(arm.manifest, 'b'), platform: { os: 'linux', architecture: 'arm64' } },
        ],
      }),
    );
    await withImage(dir, (fs) => expect(execPaths(fs)).toEqual(['/arm/only']), 'linux/arm64');
    await withImage(dir, (fs) => expect(execPaths(fs)).toContain('/bin/hello'), 'linux/amd64');
    await expect(openImage(dir, { platform: 'linux/s390x' })).rejects.toThrow(/no image for platform linux\/s390x.*linux\/amd64, linux\/arm64/);
  });
});

interface Member {
  name: string;
  type?: tar.Header['type'];
  content?: Buffer;
  linkname?: string;
  mode?: number;
  size?: number;
}

/** A tar with exactly these members (names and types a normal tar tool would refuse to write). */
async function tarOf(members: Member[], truncateTo?: number): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve) => {
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    pack.on('end', () => resolve());
  });
  for (const m of members) {
    await new Promise<void>((resolve, reject) => {
      pack.entry({ name: m.name, type: m.type ?? 'file', linkname: m.linkname, mode: m.mode ?? 0o644, size: m.content?.length ?? 0 }, m.content ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await done;
  const all = Buffer.concat(chunks);
  return truncateTo === undefined ? all : all.subarray(0, truncateTo);
}

describe('hostile images', () => {
  it('../ names, absolute names, links out, devices, dangling hard links: reported, never followed or written', async () => {
    const elf = readFileSync(HELLO);
    const hostile = await tarOf([
      { name: '../../escape', content: elf, mode: 0o755 },
      { name: '/abs/tool', content: elf, mode: 0o755 },
      { name: 'etc/shadowlink', type: 'symlink', linkname: '/etc/shadow' },
      { name: 'up', type: 'symlink', linkname: '../../../..' },
      { name: 'root', type: 'symlink', linkname: '/' },
      { name: 'bin/ok', content: elf, mode: 0o4755 },
      { name: 'dev/null', type: 'character-device' },
      { name: 'hl', type: 'link', linkname: 'missing' },
    ]);
    const dir = fresh('hostile');
    writeOciLayout(dir, [{ tar: hostile }]);
    const sentinel = readdirSync(join(dir, '..'));
    await withImage(dir, async (fs) => {
      expect(execPaths(fs)).toEqual(['/abs/tool', '/bin/ok']);
      const kinds = new Set(fs.findings.map((f) => f.kind));
      for (const k of ['path-traversal', 'absolute-path', 'absolute-link', 'device', 'dangling-hardlink', 'setuid', 'escaping-link']) expect(kinds, k).toContain(k);
      expect(fs.lookup('/etc/shadowlink')).toBeUndefined(); // /etc/shadow of the image: absent; never the host's
      expect(fs.lookup('/up/bin/ok')?.path).toBe('/bin/ok'); // .. clamps at the image root
      expect(fs.lookup('/root/../../bin/ok')?.path).toBe('/bin/ok');
      await expect(fs.read('/etc/shadowlink')).rejects.toThrow(ImageError);
    });
    expect(readdirSync(join(dir, '..'))).toEqual(sentinel);
    expect(existsSync(join(tmp, 'escape'))).toBe(false);
    expect(existsSync(join(tmpdir(), 'escape'))).toBe(false);
  });

  it('a layer tar cut mid-file and one declaring a gigantic size: clear errors, no hang', async () => {
    const elf = readFileSync(HELLO);
    const full = await tarOf([{ name: 'bin/a', content: elf, mode: 0o755 }]);
    const giant = Buffer.from(full.subarray(0, 512 + 4096));
    giant.write('77777777777\0', 124, 'latin1'); // size field: 8 GiB
    let sum = 0;
    giant.fill(0x20, 148, 156);
    for (let i = 0; i < 512; i++) sum += giant[i];
    giant.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    for (const [name, bytes] of [['cut', full.subarray(0, 512 + 1000)], ['giant', giant]] as const) {
      const dir = fresh(name);
      writeOciLayout(dir, [{ tar: bytes }]);
      const t0 = Date.now();
      await expect(openImage(dir)).rejects.toThrow(/layer 1 .*not a readable tar/);
      expect(Date.now() - t0).toBeLessThan(5000);
    }
    expect(storeDirs()).toEqual([]);
  });

  it('a blob whose bytes do not match its digest, a wrong diff_id, malformed JSON: errors that name the blob', async () => {
    const dir = fresh('tampered');
    const d = writeOciLayout(dir, [{ ...layers[0], compression: 'gzip' }]);
    const blob = join(dir, 'blobs', 'sha256', d.layers[0].slice(7));
    const bytes = readFileSync(blob);
    bytes[bytes.length - 20] ^= 0xff;
    writeFileSync(blob, bytes);
    await expect(openImage(dir)).rejects.toThrow(new RegExp(`layer 1 \\(${d.layers[0]}\\).*(digest mismatch|not a readable tar)`));

    const dir2 = fresh('diffid');
    writeOciLayout(dir2, [layers[0]], { diffIds: (ids) => ids.map(() => 'sha256:' + '0'.repeat(64)) });
    await expect(openImage(dir2)).rejects.toThrow(/diff_id mismatch: the config says sha256:0{64}/);

    const dir3 = fresh('badjson');
    writeOciLayout(dir3, [layers[0]]);
    writeFileSync(join(dir3, 'index.json'), '{"schemaVersion": 2, "manifests": [');
    await expect(openImage(dir3)).rejects.toThrow(/index.json: not valid JSON/);

    const dir4 = fresh('baddigest');
    writeOciLayout(dir4, [layers[0]]);
    const idx = JSON.parse(readFileSync(join(dir4, 'index.json'), 'utf8'));
    idx.manifests[0].digest = 'sha256:../../../../etc/passwd';
    writeFileSync(join(dir4, 'index.json'), JSON.stringify(idx));
    await expect(openImage(dir4)).rejects.toThrow(/malformed digest/);
    expect(storeDirs()).toEqual([]);
  });

  it('a tar that is no image: a clear error', async () => {
    const t = fresh('plain') + '.tar';
    writeFileSync(t, await tarOf([{ name: 'x', content: Buffer.from('hi') }]));
    await expect(openImage(t)).rejects.toThrow(/neither docker save output nor an OCI archive/);
  });
});
