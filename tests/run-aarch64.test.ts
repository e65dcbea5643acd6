// aarch64 semantics that the corpus exercises only lightly, against qemu-aarch64 (which
// implements them exactly): fused multiply-add on random operands, double and single; the
// Advanced SIMD forms of gcc's auto-vectoriser and arm_neon.h (tests/programs/neon.c).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readElf } from '../tools/elf/index.js';
import { ROOT } from './fixtures.js';
import { aotBlob, exec, RECOMP, slot, translated } from './translated.js';

/** the functions of tests/programs/neon.c: none of their instructions may fault */
const NEON_FUNCTIONS = ['fill', 'fp_by_element', 'int_by_element', 'lanes', 'permutes', 'conversions', 'saturating', 'pairwise', 'fp_vector', 'loops', 'main'];
/** glibc's SVE string kernels: never chosen on recomp's baseline CPU (no SVE in its hwcaps) */
const SVE_ONLY = /'(cnt[bhwd]|whilelo|ptrue|ld1b|st1b)'/;

describe('aarch64, translated', () => {
  it('fmadd is fused (double and single): the same bits as qemu-aarch64 on 200000 random operand triples, translated and as an AOT blob for this host', async () => {
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
    // a module for aot imports its fma: recomp run (a profiling run) serves its exported emulation
    const forAot = await exec(RECOMP, ['run', await translated(bin, 2, 'aot')], { timeoutMs: 120_000 });
    expect(forAot.status, forAot.stderr).toBe(0);
    expect(forAot.stdout.toString()).toBe(native.stdout.toString());
    // the blob's fma is the host C library's (vkernel.fma64/fma32), not the module's emulation
    const blob = await exec(await aotBlob(bin, process.arch === 'arm64' ? 'aarch64' : 'x86_64'), [], { timeoutMs: 120_000 });
    expect(blob.status, blob.stderr).toBe(0);
    expect(blob.stdout.toString()).toBe(native.stdout.toString());
  }, 900_000);

  for (const level of ['-O2', '-O3']) {
    it(`Advanced SIMD at gcc ${level}: the same output as qemu-aarch64, and no instruction of the program faults`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'recomp-neon-'));
      const bin = join(dir, 'neon');
      const built = await exec('aarch64-linux-gnu-gcc', [level, '-static', '-o', bin, join(ROOT, 'tests', 'programs', 'neon.c'), '-lm']);
      expect(built.status, built.stderr).toBe(0);
      const native = await exec('qemu-aarch64', [bin]);
      expect(native.status).toBe(0);
      expect(native.stdout.toString().split('\n').length).toBeGreaterThan(9);
      const module = join(dir, 'neon.wasm');
      const report = join(dir, 'report.json');
      const t = await slot(2, () => exec(RECOMP, ['translate', bin, '-o', module, '--report', report], { timeoutMs: 300_000 }));
      expect(t.status, t.stderr).toBe(0);
      const faults = (JSON.parse(readFileSync(report, 'utf8')) as { faults: { address: string; reason: string }[] }).faults;
      // everything the program itself runs translates; elsewhere (glibc) only SVE is left unsupported
      const own = readElf(new Uint8Array(readFileSync(bin)))
        .symbols()
        .filter((f) => NEON_FUNCTIONS.includes(f.name))
        .map((f) => [Number(f.value), Number(f.value) + Number(f.size)]);
      expect(own.length).toBe(NEON_FUNCTIONS.length);
      expect(faults.filter((f) => own.some(([lo, hi]) => Number(f.address) >= lo && Number(f.address) < hi))).toEqual([]);
      expect(faults.filter((f) => f.reason.includes('not supported') && !SVE_ONLY.test(f.reason))).toEqual([]);
      const r = await exec(RECOMP, ['run', module], { timeoutMs: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.toString()).toBe(native.stdout.toString());
    }, 600_000);
  }
});
