// End to end: every corpus program and benchmark (at the small size build.sh recorded) in
// the three x86_64 variants and aarch64 (recorded under qemu-aarch64), translated at the
// default -O2 and run by `recomp run`, must print what the native binary printed and exit
// with its status.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';
import { readElf } from '../tools/elf/index.js';
import { fnName } from '../tools/wasm/module.js';
import { CORPUS, CORPUS_SRC, corpusCases } from './fixtures.js';
import { exec, RECOMP, translated } from './translated.js';
import { SMALL, words } from './corpus-args.js';
import { expectFaultsAsLinux, faultProgram } from './faults.js';

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
  it('a wild pointer ends the guest with SIGSEGV and the address, below the image as in the null page; past the top of memory after a good access with SIGSEGV; a system call given a pointer below the image fails with EFAULT; ud2 ends it with SIGILL', async () => {
    const bin = await faultProgram();
    const module = await translated(bin);
    await expectFaultsAsLinux(bin, (args) => exec(RECOMP, ['run', module, '--', ...args]));
  }, 300_000);
});

describe('code shape', () => {
  // (a module for aot, where checked accesses carry their displacements the same way; the
  // engine's wrap a checked address whole)
  it('a stack slot (rsp plus a displacement) is accessed at the wrapped stack pointer with the displacement in the offset, not at a wrapped sum', async () => {
    const module = await translated(join(CORPUS, 'x86_64-glibc', 'qsort'), 2, 'aot');
    const mod = binaryen.readBinary(readFileSync(module));
    try {
      const text = mod.emitText();
      const accesses = text.match(/\((?:i32|i64|f32|f64|v128)\.(?:load|store)\w*/g)?.length ?? 0;
      const wrappedSums = text.match(/\((?:i32|i64|f32|f64|v128)\.(?:load|store)\w*(?: offset=\d+)?(?: align=\d+)?\s*\(i32\.wrap_i64\s*\(i64\.add\s*\(local\.get \$\d+\)\s*\(i64\.const \d+\)/g)?.length ?? 0;
      expect(accesses).toBeGreaterThan(10_000);
      // (with the displacement inside the wrap, one in six of them were: 8122 of 50621)
      expect(wrappedSums).toBeLessThan(accesses / 1000);
    } finally {
      mod.dispose();
    }
  }, 300_000);

  /** the wasm text of the body of the function at guest symbol `name` in x86_64 glibc `program`, translated for aot */
  async function functionText(program: string, name: string): Promise<string> {
    const elf = join(CORPUS, 'x86_64-glibc', program);
    const at = readElf(readFileSync(elf)).symbols().find((s) => s.name === name)?.value;
    expect(at, name).toBeDefined();
    const mod = binaryen.readBinary(readFileSync(await translated(elf, 2, 'aot')));
    try {
      const f = mod.getFunction(fnName(at!));
      expect(f, fnName(at!)).not.toBe(0);
      return binaryen.emitText(binaryen.getFunctionInfo(f).body);
    } finally {
      mod.dispose();
    }
  }

  it("the pops that end a function load at the stack pointer the first one saw, each pop's displacement in its offset (not each at a stack pointer of its own)", async () => {
    // _int_free pushes and pops rbx, rbp and r12 to r15: some path ends in six pops, each at
    // the stack pointer the pop before left (a temp holding the one before plus 8)
    const text = await functionText('qsort', '_int_free');
    const loads = [...text.matchAll(/\(i64\.load(?: \$\w+)?(?: offset=(\d+))? align=1\s*\(i32\.wrap_i64\s*\(local\.get (\$\d+)\)/g)].map((m) => ({ offset: Number(m[1] ?? 0), base: m[2] }));
    let run = 0;
    let longest = 0;
    loads.forEach((l, i) => {
      const prev = loads[i - 1];
      run = prev && l.base === prev.base && l.offset === prev.offset + 8 ? run + 1 : 1;
      longest = Math.max(longest, run);
    });
    expect(longest).toBeGreaterThanOrEqual(6);
  }, 300_000);
});
