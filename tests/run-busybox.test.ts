// Debian's busybox-static (a real glibc static binary), translated once and run applet by
// applet next to the native binary: same stdout, same exit status, in a granted directory.
// The arm64 build too, next to itself under qemu-aarch64.
import { existsSync, mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, copyFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, BUSYBOX_ARM64 } from './fixtures.js';
import { exec, RECOMP, translated } from './translated.js';

let work: string;
let module: string;
let moduleArm64: string;
const TEXT = 'pear 3\napple 10\nfig 7\napple 10\nbanana 2\n';

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'recomp-bb-'));
  writeFileSync(join(work, 'fruit.txt'), TEXT);
  mkdirSync(join(work, 'sub'));
  writeFileSync(join(work, 'sub', 'a.txt'), 'alpha\n');
  // busybox picks the applet from argv[0]: the module is named busybox.wasm
  const m = await translated(BUSYBOX);
  mkdirSync(join(work, 'mod'));
  module = join(work, 'mod', 'busybox.wasm');
  copyFileSync(m, module);
  mkdirSync(join(work, 'mod64'));
  moduleArm64 = join(work, 'mod64', 'busybox.wasm');
  copyFileSync(await translated(BUSYBOX_ARM64), moduleArm64);
}, 900_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const guest = (args: string[], input = '', extra: string[] = []) => exec(RECOMP, ['run', module, '--dir', work, ...extra, '--', ...args], { input, cwd: work, timeoutMs: 60_000 });
const native = (args: string[], input = '') => exec(BUSYBOX, args, { input, cwd: work, env: {}, timeoutMs: 60_000 });
/** the arm64 build: translated, and under qemu-aarch64 as the reference */
const ARCHES = {
  x86_64: { guest, native },
  aarch64: {
    guest: (args: string[], input = '') => exec(RECOMP, ['run', moduleArm64, '--dir', work, '--', ...args], { input, cwd: work, timeoutMs: 60_000 }),
    native: (args: string[], input = '') => exec('qemu-aarch64', [BUSYBOX_ARM64, ...args], { input, cwd: work, env: {}, timeoutMs: 60_000 }),
  },
};

const APPLETS: [string, string[], string?][] = [
  ['echo', ['echo', 'hello', 'world']],
  ['cat', ['cat', 'fruit.txt']],
  ['wc', ['wc', 'fruit.txt']],
  ['sort', ['sort', '-k2', '-n', 'fruit.txt']],
  ['uniq', ['uniq', '-c'], 'a\na\nb\n'],
  ['tr', ['tr', 'a-z', 'A-Z'], TEXT],
  ['sed', ['sed', '-e', 's/p/P/g', '-e', '2d', 'fruit.txt']],
  ['awk', ['awk', '{ s += $2 } END { print s, NR }', 'fruit.txt']],
  ['grep', ['grep', '-n', 'apple', 'fruit.txt']],
  ['head', ['head', '-n', '2', 'fruit.txt']],
  ['tail', ['tail', '-n', '2', 'fruit.txt']],
  ['cut', ['cut', '-d', ' ', '-f', '1', 'fruit.txt']],
  ['md5sum', ['md5sum', 'fruit.txt']],
  ['sha256sum', ['sha256sum', 'fruit.txt']],
  ['base64', ['base64', 'fruit.txt']],
  ['od', ['od', '-A', 'x', '-t', 'x1z', 'fruit.txt']],
  ['expr', ['expr', '6', '*', '7']],
  ['seq', ['seq', '2', '3', '20']],
  ['factor', ['factor', '1234567890']],
  ['dc', ['dc', '-e', '2 64 ^ p']],
  ['ls', ['ls', '-a', 'sub']],
  ['sh builtins', ['sh', '-c', 'x=0; for i in 1 2 3 4; do x=$((x + i)); done; echo "sum $x"; test -f fruit.txt && echo yes; exit 7']],
];

describe.concurrent('busybox applets, translated', () => {
  const cases = (['x86_64', 'aarch64'] as const).flatMap((arch) => APPLETS.map(([name, args, input]) => [`${arch} ${name}`, arch, args, input ?? ''] as const));
  it.each(cases)('%s matches native', async (_, arch, args, input) => {
    const { guest, native } = ARCHES[arch];
    const [g, n] = await Promise.all([guest(args, input), native(args, input)]);
    expect(g.stdout.toString()).toBe(n.stdout.toString());
    expect(g.status, g.stderr).toBe(n.status);
  });
});

describe('the vkernel around busybox', () => {
  it('pipelines need fork: a clear "not supported yet", no hang', async () => {
    const r = await guest(['sh', '-c', 'echo a | cat']);
    expect(r.stderr).toMatch(/not supported yet/);
    expect(r.status).not.toBe(0);
  });

  it('confines the guest to granted directories: .., absolute paths and symlinks do not escape', async () => {
    const secret = mkdtempSync(join(tmpdir(), 'recomp-secret-'));
    writeFileSync(join(secret, 'key'), 'top secret\n');
    symlinkSync(join(secret, 'key'), join(work, 'link'));
    try {
      for (const path of [join(secret, 'key'), `${work}/../${secret.split('/').pop()}/key`, 'link', '/etc/passwd']) {
        const r = await guest(['cat', path]);
        expect(r.stdout.toString(), path).not.toContain('top secret');
        expect(r.stdout.toString(), path).not.toContain('root:');
        expect(r.status, path).toBe(1);
      }
      // '/' shows only the way to the grant
      const ls = await guest(['ls', '/']);
      expect(ls.stdout.toString().trim().split('\n')).toEqual([work.split('/')[1]]);
      // creating through a dangling link would put the file where the link points: refused
      symlinkSync(join(secret, 'planted'), join(work, 'dangling'));
      const planted = await guest(['sh', '-c', 'echo planted > dangling']);
      expect(planted.status).not.toBe(0);
      expect(existsSync(join(secret, 'planted'))).toBe(false);
    } finally {
      rmSync(join(work, 'dangling'), { force: true });
      rmSync(join(work, 'link'));
      rmSync(secret, { recursive: true });
    }
  });

  it('writes files in the grant, and only variables given with --env reach the guest', async () => {
    // shell builtins only: an external command would need fork and exec
    const r = await guest(['sh', '-c', 'echo "$GREETING $HOME" > out.txt; read line < out.txt; echo "$line."'], '', ['--env', 'GREETING=hi']);
    expect(r.stdout.toString()).toBe('hi.\n');
    expect(readFileSync(join(work, 'out.txt'), 'utf8')).toBe('hi \n');
  });

  it('death by a signal is 128+N with the signal named; --trace names every syscall', async () => {
    const r = await guest(['sh', '-c', 'kill -USR1 $$'], '', ['--trace']);
    expect(r.status).toBe(138);
    expect(r.stderr).toMatch(/SIGUSR1/);
    expect(r.stderr).toMatch(/\[recomp\] kill\(1000, 10/);
    expect(r.stderr).toMatch(/\[recomp\] rt_sigaction\(/);
  });
});
