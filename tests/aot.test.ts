// AOT blobs end to end: every corpus program and benchmark (at build.sh's small sizes),
// translated --for aot, compiled by `recomp aot` for its own architecture, must print what
// the native binary printed and exit with its status: x86_64 blobs run here, aarch64 blobs
// under qemu-aarch64.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS, CORPUS_SRC, corpusCases, ROOT, VARIANTS } from './fixtures.js';
import { aotBlob, exec, RECOMP, translated } from './translated.js';
import { SMALL, words } from './corpus-args.js';
import { AotError, oneInstance } from '../tools/aot/index.js';
import { expectFaultsAsLinux, faultProgram } from './faults.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * gcc takes one to two minutes of a CI core per glibc program (wasm2c writes ~80 MB of C for
 * static glibc), so CI compiles every musl program and, of the glibc variants, programs that
 * exercise what differs (startup with its ifuncs, C++ unwinding, printf of floats, a
 * benchmark); RECOMP_AOT_FULL=1 compiles all of them (the release check).
 */
const CI_SUBSET: Record<string, string[]> = {
  'x86_64-glibc': ['hello', 'exceptions', 'nbody'],
  'x86_64-glibc-pie': ['hello'],
  'aarch64-glibc': ['hello', 'floats'],
};
const cases = corpusCases()
  .flatMap((c) => VARIANTS.map((v) => [v, c] as const))
  .filter(([v, c]) => existsSync(join(CORPUS, v, c.name)))
  .filter(([v, c]) => process.env.RECOMP_AOT_FULL === '1' || v === 'x86_64-musl' || CI_SUBSET[v]?.includes(c.name));

describe.concurrent('corpus, compiled ahead of time', () => {
  it.each(cases.map(([v, c]) => [`${v}/${c.name}`, v, c] as const))('%s matches the native run', async (_, variant, c) => {
    const target = variant.startsWith('aarch64') ? 'aarch64' : 'x86_64';
    const blob = await aotBlob(join(CORPUS, variant, c.name), target);
    const args = c.kind === 'bench' ? [SMALL[c.name] ?? c.args] : words(c.args);
    const env = c.env === '-' ? [] : c.env.split(/\s+/).flatMap((e) => ['--env', e]);
    const input = c.stdin === '-' ? '' : readFileSync(join(CORPUS_SRC, c.stdin));
    const [cmd, pre] = target === 'aarch64' ? ['qemu-aarch64', [blob]] : [blob, []];
    const r = await exec(cmd, [...pre, '--argv0', c.name, ...env, '--', ...args], { input, cwd: '/tmp', timeoutMs: 300_000 });
    const expected = join(CORPUS, 'expected', variant, c.name);
    expect(r.stdout.toString('utf8')).toBe(readFileSync(`${expected}.stdout`, 'utf8'));
    expect(r.status, r.stderr).toBe(Number(readFileSync(`${expected}.status`, 'utf8')));
  }, 900_000);
});

describe('AOT blobs: reproducible and signed', () => {
  const HELLO = join(CORPUS, 'x86_64-musl', 'hello');

  it('two builds from other directories and TMPDIRs give the same blob and manifest; a tampered blob is refused by recomp run --trusted-key', async () => {
    const root = mkdtempSync(join(tmpdir(), 'recomp-aot-repro-'));
    const module = await translated(HELLO, 2, 'aot');
    const [a, b, tmpA, tmpB] = ['a', 'b/deeper', 'tmpA', 'tmpB'].map((d) => join(root, d));
    for (const d of [a, b, tmpA, tmpB]) mkdirSync(d, { recursive: true });
    copyFileSync(module, join(b, 'hello.wasm'));
    copyFileSync(`${module}.manifest.json`, join(b, 'hello.wasm.manifest.json'));
    copyFileSync(module, join(a, 'hello.wasm'));
    copyFileSync(`${module}.manifest.json`, join(a, 'hello.wasm.manifest.json'));
    const ka = await exec(RECOMP, ['keygen', '-o', join(root, 'release.key')]);
    expect(ka.status, ka.stderr).toBe(0);
    const ra = await exec(RECOMP, ['aot', join(a, 'hello.wasm'), '--target', 'x86_64', '-o', join(a, 'hello.bin'), '--sign-key', join(root, 'release.key')], { cwd: '/', env: { ...process.env, TMPDIR: tmpA } });
    expect(ra.status, ra.stderr).toBe(0);
    const rb = await exec(RECOMP, ['aot', 'hello.wasm', '--target', 'x86_64', '-o', 'hello.bin'], { cwd: b, env: { ...process.env, TMPDIR: tmpB, LC_ALL: 'C', TZ: 'Pacific/Kiritimati' } });
    expect(rb.status, rb.stderr).toBe(0);
    expect(sha(readFileSync(join(a, 'hello.bin')))).toBe(sha(readFileSync(join(b, 'hello.bin'))));
    expect(readFileSync(join(a, 'hello.bin.manifest.json'), 'utf8')).toBe(readFileSync(join(b, 'hello.bin.manifest.json'), 'utf8'));
    const manifest = JSON.parse(readFileSync(join(a, 'hello.bin.manifest.json'), 'utf8'));
    expect(manifest.trust).toBe('aot');
    expect(manifest.aot.target).toBe('x86_64');
    expect(manifest.aot.compiler.version).toMatch(/gcc/);
    // signed: runs under --trusted-key; one byte changed: refused before it runs
    const good = await exec(RECOMP, ['run', join(a, 'hello.bin'), '--trusted-key', join(root, 'release.key.pub')]);
    expect(good.status, good.stderr).toBe(0);
    expect(good.stdout.toString()).toBe(readFileSync(join(CORPUS, 'expected', 'x86_64-musl', 'hello.stdout'), 'utf8'));
    const bytes = readFileSync(join(a, 'hello.bin'));
    bytes[bytes.length - 100] ^= 1;
    writeFileSync(join(a, 'hello.bin'), bytes);
    const bad = await exec(RECOMP, ['run', join(a, 'hello.bin'), '--trusted-key', join(root, 'release.key.pub')]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/refused/);
    expect(bad.stdout.toString()).toBe('');
  }, 600_000);

  it('refuses a module translated for engines, and says what to do', async () => {
    const module = await translated(HELLO);
    const dir = mkdtempSync(join(tmpdir(), 'recomp-aot-engine-'));
    const r = await exec(RECOMP, ['aot', module, '--target', 'x86_64', '-o', join(dir, 'x')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/translated for engines.*--for aot/);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  }, 300_000);
});

describe('AOT blobs: the module names its one instance', () => {
  // qsort calls its comparator through the table, whose entries hand the callee an instance
  // gcc cannot see is the blob's one: the module's C must name that one instead
  it("no function of qsort's C takes the instance it uses; the blob sorts as natively", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recomp-aot-instance-'));
    const module = await translated(join(CORPUS, 'x86_64-musl', 'qsort'), 2, 'aot');
    const c = join(dir, 'c');
    mkdirSync(c);
    const built = await exec(RECOMP, ['aot', module, '--target', 'x86_64', '-o', join(dir, 'qsort'), '--keep-c', c, '-q']);
    expect(built.status, built.stderr).toBe(0);
    const moduleC = readdirSync(c).filter((f) => /^recomp(_\d+)?\.c$/.test(f));
    expect(moduleC.length).toBeGreaterThan(0);
    for (const f of moduleC) {
      const text = readFileSync(join(c, f), 'utf8');
      expect(text.match(/\((?:w2c_recomp|void) ?\* ?instance[,)]/g), f).toBeNull();
      expect(text).toContain('#define instance (&recomp_the_instance)');
      expect(text.match(/unused_instance[,)]/g)?.length ?? 0, f).toBeGreaterThan(100);
    }
    expect(readFileSync(join(c, 'glue.c'), 'utf8')).toMatch(/^w2c_recomp recomp_the_instance;$/m);
    const r = await exec(join(dir, 'qsort'), ['--argv0', 'qsort', '--', SMALL.qsort]);
    const expected = join(CORPUS, 'expected', 'x86_64-musl', 'qsort');
    expect(r.stdout.toString('utf8')).toBe(readFileSync(`${expected}.stdout`, 'utf8'));
    expect(r.status, r.stderr).toBe(0);
  }, 600_000);

  it('refuses C of a shape it does not know, and leaves C without functions on an instance alone', () => {
    expect(() => oneInstance('static u32 w2c_recomp_f(w2c_recomp* instance, u32 p) { return p; }\n')).toThrow(AotError);
    const plain = '#include "recomp.h"\nstatic u32 add(u32 a, u32 b) { return a + b; }\n';
    expect(oneInstance(plain)).toBe(plain);
  });
});

describe('AOT blobs: chains of jumps', () => {
  // tests/programs/jumps.c: gcc -O2 compiles its mutual tail calls to jmp, which a module for
  // aot turns into native calls: a chain of ten million must run on the blob's native stack,
  // and runaway recursion must die of SIGSEGV as natively, with the blob's message
  it('ten million jumps between two functions and a recursion 100000 deep run as natively; runaway recursion dies of SIGSEGV', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recomp-aot-jumps-'));
    const bin = join(dir, 'jumps');
    const built = await exec('musl-gcc', ['-O2', '-static', '-o', bin, join(ROOT, 'tests', 'programs', 'jumps.c')]);
    expect(built.status, built.stderr).toBe(0);
    const blob = await aotBlob(bin, 'x86_64');
    const native = await exec(bin, []);
    expect(native.stdout.toString()).toMatch(/^even\(10000000\) = 1\n/);
    const r = await exec(blob, [], { timeoutMs: 120_000 });
    expect(r.stdout.toString()).toBe(native.stdout.toString());
    expect(r.status, r.stderr).toBe(0);
    const nativeRunaway = await exec(bin, ['10', 'runaway']);
    const runaway = await exec(blob, ['--', '10', 'runaway'], { timeoutMs: 120_000 });
    expect(nativeRunaway.signal).toBe('SIGSEGV');
    expect(runaway.status).toBe(128 + 11);
    expect(runaway.stderr).toMatch(/guest killed by SIGSEGV/);
    expect(runaway.stdout.toString()).toBe(nativeRunaway.stdout.toString());
  }, 600_000);
});

describe('callee-saved registers held across calls', () => {
  // tests/programs/held.cc: a function without landing pad or setjmp keeps its callee-saved
  // registers in locals across its calls (tools/wasm/module.ts heldAcross); exceptions and
  // longjmps through such frames must still give the catching frame its own values. Run as
  // translated for engines (x86_64 and aarch64) and as an x86_64 blob, against the native run.
  it('exceptions and longjmp through frames that hold them: the same output as natively, translated (x86_64, aarch64) and as a blob', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recomp-held-'));
    const src = join(ROOT, 'tests', 'programs', 'held.cc');
    const bin = join(dir, 'held');
    const arm = join(dir, 'held-aarch64');
    for (const [cxx, out] of [['g++', bin], ['aarch64-linux-gnu-g++', arm]]) {
      const built = await exec(cxx, ['-O2', '-static', '-o', out, src]);
      expect(built.status, built.stderr).toBe(0);
    }
    const native = await exec(bin, []);
    expect(native.status).toBe(0);
    const expected = native.stdout.toString();
    // the program must exercise what it is for: catches after throws from below held frames, and longjmps
    expect(expected.match(/caught bad 3/g)?.length).toBeGreaterThan(5);
    expect(expected).toMatch(/viaSetjmp\(3\) = -/);
    for (const elf of [bin, arm]) {
      const r = await exec(RECOMP, ['run', await translated(elf)], { timeoutMs: 120_000 });
      expect(r.stdout.toString(), elf).toBe(expected);
      expect(r.status, r.stderr).toBe(0);
    }
    const blob = await exec(await aotBlob(bin, 'x86_64'), [], { timeoutMs: 120_000 });
    expect(blob.stdout.toString()).toBe(expected);
    expect(blob.status, blob.stderr).toBe(0);
  }, 900_000);
});

describe('AOT blobs: guest faults', () => {
  // the blob's checks compare an address only against the top of memory: the pages below the
  // image are protected, so the null page and the rest fault in hardware, with the same message
  it('a wild pointer ends the guest with SIGSEGV and the address, below the image as in the null page; past the top of memory with SIGSEGV; a system call given a pointer below the image fails with EFAULT; ud2 ends it with SIGILL', async () => {
    const bin = await faultProgram();
    const blob = await aotBlob(bin, 'x86_64');
    await expectFaultsAsLinux(bin, (args) => exec(blob, ['--', ...args]));
  }, 600_000);
});
