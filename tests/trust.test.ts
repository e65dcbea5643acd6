// Trust, end to end through the CLI: manifests that reproduce byte for byte whatever the
// directory, environment or cores; Ed25519 keys; DSSE signatures checked here with Node's
// crypto against the DSSE specification (not with recomp's own code); `run --trusted-key`
// and run policies refusing altered modules before any guest code runs; `verify --rebuild`
// over the whole x86_64 corpus.
import { createPublicKey, verify as cryptoVerify, createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { schemaFiles } from '../tools/manifest/schemas.js';
import { CORPUS, corpusCases, ROOT } from './fixtures.js';
import { exec, RECOMP, slot, translated } from './translated.js';

const HELLO = join(CORPUS, 'x86_64-musl', 'hello');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const recomp = (args: string[], opts: Parameters<typeof exec>[2] = {}) => exec(RECOMP, args, { timeoutMs: 300_000, ...opts });

describe('schemas', () => {
  it('the committed JSON Schema files are the ones the zod schemas give (scripts/schemas.mjs writes them)', () => {
    for (const [path, schema] of Object.entries(schemaFiles())) {
      expect(readFileSync(join(ROOT, path), 'utf8'), `${path} is stale: run scripts/schemas.mjs`).toBe(JSON.stringify(schema, null, 2) + '\n');
    }
  });
});

describe('reproducible translation', () => {
  it('the same ELF gives the same module and manifest from other directories, TMPDIR, locale, time zone and cores', async () => {
    const root = mkdtempSync(join(tmpdir(), 'recomp-repro-'));
    const [a, b, tmpA, tmpB] = ['a', 'b/deeper/out', 'tmpA', 'tmpB'].map((d) => join(root, d));
    for (const d of [a, b, tmpA, tmpB]) mkdirSync(d, { recursive: true });
    const inputB = join(root, 'b', 'hello');
    copyFileSync(HELLO, inputB);
    // run A: absolute paths, from /, one core; run B: relative paths from another directory
    const ra = await exec('taskset', ['-c', '0', RECOMP, 'translate', HELLO, '-o', join(a, 'hello.wasm')], {
      cwd: '/',
      env: { ...process.env, TMPDIR: tmpA, TZ: 'Pacific/Kiritimati', LC_ALL: 'C', LANG: 'C' },
    });
    expect(ra.status, ra.stderr).toBe(0);
    const rb = await exec(RECOMP, ['translate', 'hello', '-o', relative(join(root, 'b'), join(b, 'hello.wasm'))], {
      cwd: join(root, 'b'),
      env: { ...process.env, TMPDIR: tmpB, TZ: 'America/Adak', LC_ALL: 'de_DE.UTF-8', LANG: 'de_DE.UTF-8' },
    });
    expect(rb.status, rb.stderr).toBe(0);
    const [ma, mb] = [readFileSync(join(a, 'hello.wasm')), readFileSync(join(b, 'hello.wasm'))];
    expect(sha(ma)).toBe(sha(mb));
    const manifestA = readFileSync(join(a, 'hello.wasm.manifest.json'), 'utf8');
    expect(manifestA).toBe(readFileSync(join(b, 'hello.wasm.manifest.json'), 'utf8'));
    // the manifest names the bytes and no path of this machine
    const m = JSON.parse(manifestA);
    expect(m.schema).toBe('recomp.manifest/v1');
    expect(m.outputs[0]).toEqual({ name: 'hello.wasm', sha256: sha(ma), size: ma.length, mediaType: 'application/wasm' });
    expect(m.input).toMatchObject({ name: 'hello', sha256: sha(readFileSync(HELLO)), arch: 'x86_64', linking: 'static' });
    expect(m.syscalls.names).toContain('writev');
    expect(manifestA).not.toContain(root);
    expect(manifestA).not.toContain(CORPUS);
  });

  it('an aarch64 host (the arm64 Node 24 under qemu-aarch64) gives the same module and manifest as this x86_64 host', async () => {
    const host = join(ROOT, '.cache', 'arm64-host');
    const node = join(host, 'node', 'bin', 'node');
    const sysroot = join(host, 'sysroot');
    expect(existsSync(node) && existsSync(sysroot), `no aarch64 host in ${host}: scripts/install.sh makes it (scripts/arm64-host.sh)`).toBe(true);
    const onArm = (args: string[], cwd: string) => exec('qemu-aarch64', ['-L', sysroot, node, ...args], { cwd, timeoutMs: 600_000 });
    const arch = await onArm(['-p', 'process.arch + " " + process.version'], '/');
    expect(arch.stdout.toString().trim()).toBe(`arm64 ${process.version}`);
    const root = mkdtempSync(join(tmpdir(), 'recomp-arm-host-'));
    for (const d of ['x86', 'arm']) {
      mkdirSync(join(root, d));
      copyFileSync(HELLO, join(root, d, 'hello'));
    }
    const x = await recomp(['translate', 'hello', '-o', 'hello.wasm'], { cwd: join(root, 'x86') });
    expect(x.status, x.stderr).toBe(0);
    const a = await onArm([join(ROOT, 'dist', 'tools', 'cli', 'main.js'), 'translate', 'hello', '-o', 'hello.wasm'], join(root, 'arm'));
    expect(a.status, a.stderr).toBe(0);
    for (const f of ['hello.wasm', 'hello.wasm.manifest.json']) expect(sha(readFileSync(join(root, 'arm', f))), f).toBe(sha(readFileSync(join(root, 'x86', f))));
  }, 900_000);

  it('--stamp adds time and host outside the reproducible part; verify --rebuild still matches', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recomp-stamp-'));
    copyFileSync(HELLO, join(dir, 'hello'));
    const r = await recomp(['translate', 'hello', '-o', 'hello.wasm', '--stamp'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, 'hello.wasm.manifest.json'), 'utf8'));
    expect(Date.parse(m.stamp.time)).toBeGreaterThan(Date.parse('2026-01-01'));
    expect(typeof m.stamp.host).toBe('string');
    const v = await recomp(['verify', '--rebuild', join(dir, 'hello.wasm.manifest.json'), '--json']);
    expect(v.status, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout.toString()).rebuild).toMatchObject({ match: true, manifest: { match: true, differing: [] } });
  });
});

describe('keys, signatures and trusted runs', () => {
  let dir: string;
  const at = (f: string) => join(dir, f);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'recomp-sign-'));
    copyFileSync(HELLO, at('hello'));
    for (const k of ['release', 'other']) {
      const r = await recomp(['keygen', '-o', at(k)]);
      expect(r.status, r.stderr).toBe(0);
    }
    const r = await recomp(['translate', at('hello'), '-o', at('hello.wasm'), '--sign-key', at('release')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/signed by key [0-9a-f]{16}/);
  });

  it('keygen writes a 0600 Ed25519 private key and its public key, and never overwrites silently', async () => {
    expect(statSync(at('release')).mode & 0o777).toBe(0o600);
    const pub = createPublicKey(readFileSync(at('release.pub')));
    expect(pub.asymmetricKeyType).toBe('ed25519');
    const again = await recomp(['keygen', '-o', at('release')]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('never overwritten');
    const forced = await recomp(['keygen', '-o', at('scratch'), '--json']);
    expect(forced.status).toBe(0);
    const { keyid } = JSON.parse(forced.stdout.toString());
    expect(keyid).toBe(sha(createPublicKey(readFileSync(at('scratch.pub'))).export({ type: 'spki', format: 'der' })));
  });

  it('the envelope is DSSE v1 over an in-toto statement naming the module, checkable without recomp', () => {
    const env = JSON.parse(readFileSync(at('hello.wasm.dsse.json'), 'utf8'));
    expect(env.payloadType).toBe('application/vnd.in-toto+json');
    const payload = Buffer.from(env.payload, 'base64');
    // PAE as the DSSE specification defines it
    const pae = Buffer.concat([Buffer.from(`DSSEv1 ${env.payloadType.length} ${env.payloadType} ${payload.length} `), payload]);
    const pub = createPublicKey(readFileSync(at('release.pub')));
    expect(env.signatures).toHaveLength(1);
    expect(cryptoVerify(null, pae, pub, Buffer.from(env.signatures[0].sig, 'base64'))).toBe(true);
    const st = JSON.parse(payload.toString());
    expect(st._type).toBe('https://in-toto.io/Statement/v1');
    expect(st.subject).toEqual([{ name: 'hello.wasm', digest: { sha256: sha(readFileSync(at('hello.wasm'))) } }]);
    expect(st.predicate).toEqual(JSON.parse(readFileSync(at('hello.wasm.manifest.json'), 'utf8')));
  });

  it('a signed module runs with --trusted-key; verify passes for its key and fails for another', async () => {
    const r = await recomp(['run', at('hello.wasm'), '--trusted-key', at('release.pub')]);
    expect(r.stdout.toString()).toBe('hello, world\n');
    expect(r.status).toBe(0);
    expect((await recomp(['verify', at('hello.wasm'), '--key', at('release.pub')])).status).toBe(0);
    const other = await recomp(['verify', at('hello.wasm'), '--key', at('other.pub'), '--json']);
    expect(other.status).toBe(1);
    expect(JSON.parse(other.stdout.toString())).toMatchObject({ ok: false, error: expect.stringContaining('not signed by a trusted key') });
    const refused = await recomp(['run', at('hello.wasm'), '--trusted-key', at('other.pub')]);
    expect(refused.status).toBe(1);
    expect(refused.stdout.length).toBe(0);
  });

  it('one flipped byte in the module, the manifest or the envelope is refused before the guest runs', async () => {
    const cases: [string, (d: string) => void, RegExp][] = [
      ['module', (d) => flip(join(d, 'hello.wasm'), 4000), /hello\.wasm does not match its manifest/],
      ['manifest', (d) => edit(join(d, 'hello.wasm.manifest.json'), (s) => s.replace('"writev"', '"writeV"')), /not the manifest that was signed/],
      ['signature', (d) => edit(join(d, 'hello.wasm.dsse.json'), (s) => s.replace(/"sig": "(.)/, (_m, c: string) => `"sig": "${c === 'A' ? 'B' : 'A'}`)), /does not verify/],
      ['payload', (d) => edit(join(d, 'hello.wasm.dsse.json'), (s) => s.replace(/"payload": "(.{40})(.)/, (_m, p: string, c: string) => `"payload": "${p}${c === 'A' ? 'B' : 'A'}`)), /does not verify/],
    ];
    for (const [what, tamper, reason] of cases) {
      const d = mkdtempSync(join(tmpdir(), `recomp-tamper-${what}-`));
      for (const f of ['hello.wasm', 'hello.wasm.manifest.json', 'hello.wasm.dsse.json']) copyFileSync(at(f), join(d, f));
      tamper(d);
      const r = await recomp(['run', join(d, 'hello.wasm'), '--trusted-key', at('release.pub')]);
      expect(r.status, what).toBe(1);
      expect(r.stdout.length, what).toBe(0);
      expect(r.stderr, what).toMatch(reason);
      const v = await recomp(['verify', join(d, 'hello.wasm'), '--key', at('release.pub')]);
      expect(v.status, what).toBe(1);
    }
  });

  it('an unsigned module is refused with --trusted-key; sign refuses a manifest that no longer matches', async () => {
    const d = mkdtempSync(join(tmpdir(), 'recomp-unsigned-'));
    for (const f of ['hello.wasm', 'hello.wasm.manifest.json']) copyFileSync(at(f), join(d, f));
    const r = await recomp(['run', join(d, 'hello.wasm'), '--trusted-key', at('release.pub')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('is not signed');
    flip(join(d, 'hello.wasm'), 100);
    const s = await recomp(['sign', join(d, 'hello.wasm'), '--key', at('release')]);
    expect(s.status).toBe(1);
    expect(s.stderr).toContain('does not match its manifest');
    expect(existsSync(join(d, 'hello.wasm.dsse.json'))).toBe(false);
  });

  it('a second signer adds a signature; either key then verifies', async () => {
    const d = mkdtempSync(join(tmpdir(), 'recomp-cosign-'));
    for (const f of ['hello.wasm', 'hello.wasm.manifest.json', 'hello.wasm.dsse.json']) copyFileSync(at(f), join(d, f));
    expect((await recomp(['sign', join(d, 'hello.wasm.manifest.json'), '--key', at('other')])).status).toBe(0);
    expect(JSON.parse(readFileSync(join(d, 'hello.wasm.dsse.json'), 'utf8')).signatures).toHaveLength(2);
    for (const k of ['release.pub', 'other.pub']) expect((await recomp(['verify', join(d, 'hello.wasm'), '--key', at(k)])).status, k).toBe(0);
  });

  it('a run policy makes the check mandatory: unsigned modules and exec are refused', async () => {
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ schema: 'recomp.policy/v1', requireSignature: true, trustedKeys: ['release.pub'] }));
    const env = { ...process.env, RECOMP_POLICY: policy };
    const ok = await recomp(['run', at('hello.wasm')], { env });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout.toString()).toBe('hello, world\n');
    const d = mkdtempSync(join(tmpdir(), 'recomp-policy-'));
    copyFileSync(at('hello.wasm'), join(d, 'hello.wasm'));
    const unsigned = await recomp(['run', join(d, 'hello.wasm')], { env });
    expect(unsigned.status).toBe(1);
    expect(unsigned.stderr).toContain('is not signed');
    const ex = await recomp(['exec', at('hello')], { env });
    expect(ex.status).toBe(1);
    expect(ex.stderr).toContain('requires signed modules');
    writeFileSync(policy, '{"schema": "recomp.policy/v1", "requireSignature": "yes"}');
    const bad = await recomp(['run', '--policy', policy, at('hello.wasm')]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/policy\.json: field requireSignature/);
  });

  it('bad key files give clear errors', async () => {
    const signWithPublic = await recomp(['sign', at('hello.wasm'), '--key', at('release.pub')]);
    expect(signWithPublic.status).toBe(1);
    expect(signWithPublic.stderr).toContain('this is a public key');
    const verifyWithPrivate = await recomp(['verify', at('hello.wasm'), '--key', at('release')]);
    expect(verifyWithPrivate.status).toBe(1);
    expect(verifyWithPrivate.stderr).toContain('a private key');
    writeFileSync(at('garbage.pub'), '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n');
    const garbage = await recomp(['verify', at('hello.wasm'), '--key', at('garbage.pub')]);
    expect(garbage.status).toBe(1);
    expect(garbage.stderr).toContain('not a usable public key');
  });
});

describe('verify --rebuild', () => {
  it('detects a module that does not rebuild, and an input that is not the recorded one', async () => {
    const d = mkdtempSync(join(tmpdir(), 'recomp-rebuild-'));
    copyFileSync(HELLO, join(d, 'hello'));
    expect((await recomp(['translate', 'hello', '-o', 'hello.wasm'], { cwd: d })).status).toBe(0);
    // recording -O1 for a module made at -O2: the rebuild at -O1 cannot give these bytes
    edit(join(d, 'hello.wasm.manifest.json'), (s) => s.replace('"optimize": 2', '"optimize": 1'));
    const r = await recomp(['verify', '--rebuild', join(d, 'hello.wasm'), '--json']);
    expect(r.status).toBe(1);
    const j = JSON.parse(r.stdout.toString());
    expect(j.ok).toBe(false);
    expect(j.rebuild.module.rebuilt).not.toBe(j.rebuild.module.recorded);
    const other = await recomp(['verify', '--rebuild', join(d, 'hello.wasm'), '--input', join(CORPUS, 'x86_64-glibc', 'hello')]);
    expect(other.status).toBe(1);
    expect(other.stderr).toContain('is not the recorded input');
  });

  const VARIANTS = ['x86_64-glibc', 'x86_64-glibc-pie', 'x86_64-musl', 'aarch64-glibc'];
  const all = corpusCases().flatMap((c) => VARIANTS.map((v) => join(CORPUS, v, c.name))).filter((p) => existsSync(p));
  it.concurrent.each(all.map((p) => [relative(CORPUS, p), p]))('%s rebuilds byte for byte', async (_, elf) => {
    const module = await translated(elf);
    const r = await slot(2, () => recomp(['verify', '--rebuild', `${module}.manifest.json`, '--input', elf, '--json'], { timeoutMs: 600_000 }));
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.toString()).rebuild).toMatchObject({ match: true, toolchain: { same: true } });
  }, 900_000);
});

function flip(path: string, offset: number): void {
  const b = readFileSync(path);
  b[offset] ^= 1;
  writeFileSync(path, b);
}

function edit(path: string, f: (s: string) => string): void {
  const before = readFileSync(path, 'utf8');
  const after = f(before);
  if (after === before) throw new Error(`the edit of ${path} changed nothing`);
  writeFileSync(path, after);
}
