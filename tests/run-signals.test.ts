// Signals end to end: tests/programs/signals.c built static with musl and glibc (and glibc
// for aarch64, run under qemu-aarch64 as the reference), run natively and translated;
// stdout and the exit status (death by SIGTERM) must match.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './fixtures.js';
import { exec, RECOMP, translated } from './translated.js';

const SRC = join(ROOT, 'tests', 'programs', 'signals.c');

describe.concurrent('signals, translated', () => {
  it.each([
    ['musl', 'musl-gcc', []],
    ['glibc', 'gcc', []],
    ['aarch64 glibc', 'aarch64-linux-gnu-gcc', ['qemu-aarch64']],
  ])('%s: handlers, masks, timers, siglongjmp and default actions behave as native', async (_, cc, runner) => {
    const dir = mkdtempSync(join(tmpdir(), 'recomp-signals-'));
    const bin = join(dir, 'signals');
    const built = await exec(cc, ['-O2', '-static', '-o', bin, SRC]);
    expect(built.status, built.stderr).toBe(0);
    const native = runner.length ? await exec(runner[0], [bin]) : await exec(bin, []);
    expect(native.signal).toBe('SIGTERM');
    const r = await exec(RECOMP, ['run', await translated(bin)], { timeoutMs: 60_000 });
    expect(r.stdout.toString()).toBe(native.stdout.toString());
    expect(r.status, r.stderr).toBe(143);
    expect(r.stderr).toMatch(/SIGTERM/);
  }, 600_000);
});
