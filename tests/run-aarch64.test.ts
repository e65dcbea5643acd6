// aarch64 semantics that the corpus exercises only lightly, against qemu-aarch64 (which
// implements them exactly): fused multiply-add on random operands, double and single.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './fixtures.js';
import { exec, RECOMP, translated } from './translated.js';

describe('aarch64, translated', () => {
  it('fmadd is fused (double and single): the same bits as qemu-aarch64 on 200000 random operand triples', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recomp-fma-'));
    const bin = join(dir, 'fma');
    const built = await exec('aarch64-linux-gnu-gcc', ['-O2', '-static', '-o', bin, join(ROOT, 'tests', 'programs', 'fma.c'), '-lm']);
    expect(built.status, built.stderr).toBe(0);
    const native = await exec('qemu-aarch64', [bin]);
    expect(native.status).toBe(0);
    const module = await translated(bin);
    // both paths: the host's fused relaxed madd where the engine fuses, and the exact emulation
    for (const fma of ['auto', 'emulate']) {
      const r = await exec(RECOMP, ['run', module], { timeoutMs: 120_000, env: { ...process.env, RECOMP_FMA: fma } });
      expect(r.status, `${fma}: ${r.stderr}`).toBe(0);
      expect(r.stdout.toString(), fma).toBe(native.stdout.toString());
    }
  }, 600_000);
});
