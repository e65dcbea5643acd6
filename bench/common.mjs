// What the bench scripts share: where things are, the corpus benchmarks, and the timing.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..');
export const recomp = join(root, 'bin', 'recomp');
export const corpus = process.env.RECOMP_CORPUS ?? join(root, '.cache', 'corpus');
/** runs per measurement; the best counts */
export const repeat = Number(process.env.BENCH_REPEAT ?? 3);

/** the benchmarks of ../shared/corpus/cases.tsv (name, kind, args, ...), or those named in `only` (NAME,...) */
export function benchCases(only) {
  return readFileSync(join(root, '..', 'shared', 'corpus', 'cases.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split('\t'))
    .filter(([, kind]) => kind === 'bench')
    .filter(([name]) => !only || only.split(',').includes(name));
}

/**
 * Times commands side by side: `repeat` rounds, each running every column's command once in
 * turn ({ name: [cmd, args] }), and for each column its best wall time and its output.
 * Interleaved rounds put a slow spell of a shared machine on every column alike, where runs
 * grouped per command let it fall on one.
 */
export function sideBySide(columns) {
  const best = Object.fromEntries(Object.keys(columns).map((name) => [name, { seconds: Infinity, stdout: '' }]));
  for (let i = 0; i < repeat; i++) {
    for (const [name, [cmd, args]] of Object.entries(columns)) {
      const t = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, cwd: '/tmp' });
      const s = Number(process.hrtime.bigint() - t) / 1e9;
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: status ${r.status}: ${r.stderr}`);
      best[name] = { seconds: Math.min(best[name].seconds, s), stdout: r.stdout };
    }
  }
  return best;
}

/** best wall time of `repeat` runs of one command, and the output */
export const timed = (cmd, args) => sideBySide({ it: [cmd, args] }).it;
