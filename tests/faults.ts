// The guest faults of tests/programs/fault.c, checked the same way for `recomp run` and for
// an AOT blob: each mode's exit status and message, the native binary's signal beside them.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ROOT } from './fixtures.js';
import { exec } from './translated.js';

/** fault.c built with musl-gcc -O1 -static into a fresh directory */
export async function faultProgram(): Promise<string> {
  const bin = join(mkdtempSync(join(tmpdir(), 'recomp-fault-')), 'fault');
  const cc = await exec('musl-gcc', ['-O1', '-static', '-o', bin, join(ROOT, 'tests', 'programs', 'fault.c')]);
  expect(cc.status, cc.stderr).toBe(0);
  return bin;
}

/** runs every mode through `run(args)` and checks it against Linux */
export async function expectFaultsAsLinux(bin: string, run: (args: string[]) => Promise<{ status: number | null; stderr: string }>): Promise<void> {
  const native = await exec(bin, ['low']);
  expect(native.signal).toBe('SIGSEGV');
  expect((await exec(bin, ['efault'])).status).toBe(3);
  const segv = await run([]);
  expect(segv.status).toBe(139);
  expect(segv.stderr).toMatch(/SIGSEGV \(invalid memory access at 0x10\)/);
  const far = await run(['far']);
  expect(far.status).toBe(139);
  expect(far.stderr).toMatch(/SIGSEGV/);
  const low = await run(['low']);
  expect(low.status).toBe(139);
  expect(low.stderr).toMatch(/SIGSEGV \(invalid memory access at 0x200000\)/);
  const efault = await run(['efault']);
  expect(efault.status, efault.stderr).toBe(3);
  const ill = await run(['x']);
  expect(ill.status).toBe(132);
  expect(ill.stderr).toMatch(/SIGILL/);
}
