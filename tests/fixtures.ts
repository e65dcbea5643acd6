// Where the tests find their real inputs: the corpus (built by global-setup) and system binaries.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED = resolve(ROOT, '..', 'shared');
export const CORPUS_SRC = join(SHARED, 'corpus');
/** OUTDIR of ../shared/corpus/build.sh, filled once per test run by tests/global-setup.ts */
export const CORPUS = process.env.RECOMP_CORPUS ?? join(ROOT, '.cache', 'corpus');
export const VARIANTS = ['x86_64-glibc', 'x86_64-glibc-pie', 'x86_64-musl', 'aarch64-glibc'] as const;
export type Variant = (typeof VARIANTS)[number];
export const BUSYBOX = '/bin/busybox';
/** Debian's arm64 busybox-static, unpacked by scripts/arm64-busybox.sh (run by scripts/install.sh) */
export const BUSYBOX_ARM64 = join(ROOT, '.cache', 'arm64', 'bin', 'busybox');

export interface CorpusCase {
  name: string;
  kind: 'program' | 'bench';
  args: string;
  stdin: string;
  env: string;
  note: string;
}

export function corpusCases(): CorpusCase[] {
  return readFileSync(join(CORPUS_SRC, 'cases.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [name, kind, args, stdin, env, note] = l.split('\t');
      return { name, kind: kind as CorpusCase['kind'], args, stdin, env, note };
    });
}

/** Every built corpus binary: [variant, name, path]. */
export function corpusBinaries(): [Variant, string, string][] {
  const out: [Variant, string, string][] = [];
  for (const v of VARIANTS) {
    const dir = join(CORPUS, v);
    if (!existsSync(dir)) continue;
    for (const n of readdirSync(dir).sort()) out.push([v, n, join(dir, n)]);
  }
  return out;
}
