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

/** best wall time of `repeat` runs, and the output */
export function timed(cmd, args) {
  let best = Infinity;
  let stdout = '';
  for (let i = 0; i < repeat; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, cwd: '/tmp' });
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: status ${r.status}: ${r.stderr}`);
    best = Math.min(best, s);
    stdout = r.stdout;
  }
  return { seconds: best, stdout };
}
