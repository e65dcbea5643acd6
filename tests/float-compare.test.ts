// Float compares on unordered operands (tests/programs/fcompare.c): every C comparison and
// the branch, select or set-on-condition gcc compiles it to, on NaN, infinities, signed zeros
// and equal values, must come out as on the hardware. The lifters fuse a compare with the
// condition that reads it (one `ge` for comisd + jae, fcmp + b.ge), so a wrong fusion shows
// here as a differing line: x86_64 (musl) translated and compiled ahead of time, aarch64
// (glibc) translated, against qemu-aarch64.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './fixtures.js';
import { aotBlob, exec, RECOMP, translated } from './translated.js';

const SOURCE = join(ROOT, 'tests', 'programs', 'fcompare.c');

async function build(cc: string, out: string): Promise<string> {
  const r = await exec(cc, ['-O2', '-static', '-o', out, SOURCE, '-lm']);
  expect(r.status, r.stderr).toBe(0);
  return out;
}

describe.concurrent('float compares, translated', () => {
  it('x86_64 (ucomisd/comisd with jcc, setcc, cmovcc): the same lines as the native run, translated and as an AOT blob', async () => {
    const bin = await build('musl-gcc', join(mkdtempSync(join(tmpdir(), 'recomp-fcompare-')), 'fcompare'));
    const native = await exec(bin, []);
    expect(native.status).toBe(0);
    expect(native.stdout.toString().split('\n').length).toBe(14 * 14 + 2);
    const run = await exec(RECOMP, ['run', await translated(bin)], { timeoutMs: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.toString()).toBe(native.stdout.toString());
    const blob = await exec(await aotBlob(bin, 'x86_64'), [], { timeoutMs: 120_000 });
    expect(blob.status, blob.stderr).toBe(0);
    expect(blob.stdout.toString()).toBe(native.stdout.toString());
  }, 600_000);

  it('aarch64 (fcmp/fcmpe with b.cond, cset, csel, fcsel): the same lines as qemu-aarch64', async () => {
    const bin = await build('aarch64-linux-gnu-gcc', join(mkdtempSync(join(tmpdir(), 'recomp-fcompare-')), 'fcompare'));
    const native = await exec('qemu-aarch64', [bin]);
    expect(native.status).toBe(0);
    const run = await exec(RECOMP, ['run', await translated(bin)], { timeoutMs: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.toString()).toBe(native.stdout.toString());
  }, 600_000);
});
