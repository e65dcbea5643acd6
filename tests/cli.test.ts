import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS, ROOT } from './fixtures.js';

const RECOMP = join(ROOT, 'bin', 'recomp');
const run = (...args: string[]) => spawnSync(RECOMP, args, { encoding: 'utf8' });

describe('recomp CLI', () => {
  it('--help lists every subcommand with a purpose', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    for (const c of ['analyze', 'translate', 'run', 'exec', 'aot', 'keygen', 'sign', 'verify', 'report']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
    }
  });

  it('rejects an unknown subcommand with status 2 and a clear message', () => {
    const r = run('frobnicate');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  it('a reader that stops early (| head -1) ends it quietly', () => {
    // a table of the whole corpus: many writes after the reader is gone
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `"${RECOMP}" analyze "${CORPUS}" | head -1`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').length).toBe(2);
    expect(r.status).toBe(0);
  });

  it('runs on the pinned Node 24, not the system Node', () => {
    const r = run('--version');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/node 24\./);
  });
});
