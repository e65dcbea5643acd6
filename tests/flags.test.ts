// Behaviour flags on real binaries, through the CLI: the JIT flags fire (with the address or
// import that is the evidence) on real JIT users, and on nothing in coreutils.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './fixtures.js';

const RECOMP = join(ROOT, 'bin', 'recomp');

interface Flag {
  set: boolean;
  evidence: { address?: number; detail: string }[];
}
type Rec = { path: string; kind: string; flags: Record<string, Flag> };

function analyze(...paths: string[]): Rec[] {
  const r = spawnSync(RECOMP, ['analyze', '--json', '--no-code', ...paths], { encoding: 'utf8', maxBuffer: 1 << 28 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout).inputs.flatMap((i: { records: Rec[] }) => i.records);
}

const NODE = join(ROOT, 'node_modules', `node-linux-${process.arch}`, 'bin', 'node');

describe('JIT and code generation flags', () => {
  it('node (V8): jit from its compiler symbols, runtimeCodegen from an executable mapping', () => {
    const [rec] = analyze(NODE);
    expect(rec.flags.jit.set).toBe(true);
    expect(rec.flags.jit.evidence.some((e) => /V8/.test(e.detail) && typeof e.address === 'number')).toBe(true);
    expect(rec.flags.runtimeCodegen.set).toBe(true);
    expect(rec.flags.threads.set).toBe(true);
  });

  it('luajit: jit, with the evidence named', () => {
    expect(existsSync('/usr/bin/luajit')).toBe(true);
    const [rec] = analyze('/usr/bin/luajit');
    expect(rec.flags.jit.set).toBe(true);
    expect(rec.flags.jit.evidence[0].detail).toMatch(/LuaJIT/);
  });

  it('grep: jit through its PCRE2 JIT import', () => {
    const [rec] = analyze('/usr/bin/grep');
    expect(rec.flags.jit.set).toBe(true);
    expect(rec.flags.jit.evidence.map((e) => e.detail)).toContain('PCRE JIT compiler: imports pcre2_jit_compile_8');
  });

  it('no coreutils binary is flagged jit, runtimeCodegen or selfModifying', () => {
    const files = execFileSync('dpkg', ['-L', 'coreutils'], { encoding: 'utf8' })
      .split('\n')
      .filter((p) => /^\/(usr\/)?s?bin\/./.test(p) && existsSync(p));
    expect(files.length).toBeGreaterThan(80);
    const recs = analyze(...files);
    expect(recs.length).toBe(files.length);
    const flagged = recs.filter((r) => r.kind === 'elf' && (r.flags.jit.set || r.flags.runtimeCodegen.set || r.flags.selfModifying.set));
    expect(flagged.map((r) => r.path)).toEqual([]);
  });
});
