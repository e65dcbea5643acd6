// End to end: every corpus program and benchmark (at the small size build.sh recorded) in
// the three x86_64 variants and aarch64 (recorded under qemu-aarch64), translated at the
// default -O2 and run by `recomp run`, must print what the native binary printed and exit
// with its status.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS, CORPUS_SRC, corpusCases } from './fixtures.js';
import { exec, RECOMP, translated } from './translated.js';
import { SMALL, words } from './corpus-args.js';

const VARIANTS = ['x86_64-glibc', 'x86_64-glibc-pie', 'x86_64-musl', 'aarch64-glibc'] as const;
const cases = corpusCases().flatMap((c) => VARIANTS.map((v) => [v, c] as const)).filter(([v, c]) => existsSync(join(CORPUS, v, c.name)));

describe.concurrent('corpus, translated and run', () => {
  it.each(cases.map(([v, c]) => [`${v}/${c.name}`, v, c] as const))('%s matches the native run', async (_, variant, c) => {
    const module = await translated(join(CORPUS, variant, c.name));
    const args = c.kind === 'bench' ? [SMALL[c.name] ?? c.args] : words(c.args);
    const env = c.env === '-' ? [] : c.env.split(/\s+/).flatMap((e) => ['--env', e]);
    const input = c.stdin === '-' ? '' : readFileSync(join(CORPUS_SRC, c.stdin));
    const r = await exec(RECOMP, ['run', module, ...env, '--', ...args], { input, cwd: '/tmp', timeoutMs: 120_000 });
    const expected = join(CORPUS, 'expected', variant, c.name);
    expect(r.stdout.toString('utf8')).toBe(readFileSync(`${expected}.stdout`, 'utf8'));
    expect(r.status, r.stderr).toBe(Number(readFileSync(`${expected}.status`, 'utf8')));
  }, 600_000);
});

describe('guest faults', () => {
  it('a wild pointer ends the guest with SIGSEGV and the address, below the image as in the null page; past the top of memory after a good access with SIGSEGV; ud2 with SIGILL', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'recomp-fault-'));
    const src = join(dir, 'fault.c');
    // 'far': p[0] is checked and good, p + 2 GiB - 1 MiB (same base register) lies past the end of memory;
    // 'low': 2 MiB, unmapped below the image (0x400000), as natively
    writeFileSync(
      src,
      '#include <stdlib.h>\n#include <string.h>\nint main(int c, char **v) {\n' +
        '  if (c > 1 && !strcmp(v[1], "far")) { volatile long *p = malloc(64); long a = p[0]; return a + *(volatile long *)((char *)p + 0x7ff00000); }\n' +
        '  if (c > 1 && !strcmp(v[1], "low")) return *(volatile int *)(long)atoi("2097152");\n' +
        '  if (c > 1) __builtin_trap(); volatile int *p = (int *)(long)atoi("16"); return *p; }\n',
    );
    const bin = join(dir, 'fault');
    const cc = await exec('musl-gcc', ['-O1', '-static', '-o', bin, src]);
    expect(cc.status, cc.stderr).toBe(0);
    const module = await translated(bin);
    const segv = await exec(RECOMP, ['run', module]);
    expect(segv.status).toBe(139);
    expect(segv.stderr).toMatch(/SIGSEGV \(invalid memory access at 0x10\)/);
    const far = await exec(RECOMP, ['run', module, '--', 'far']);
    expect(far.status).toBe(139);
    expect(far.stderr).toMatch(/SIGSEGV/);
    const native = await exec(bin, ['low']);
    expect(native.signal).toBe('SIGSEGV');
    const low = await exec(RECOMP, ['run', module, '--', 'low']);
    expect(low.status).toBe(139);
    expect(low.stderr).toMatch(/SIGSEGV \(invalid memory access at 0x200000\)/);
    const ill = await exec(RECOMP, ['run', module, '--', 'x']);
    expect(ill.status).toBe(132);
    expect(ill.stderr).toMatch(/SIGILL/);
  }, 300_000);
});
