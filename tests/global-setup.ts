// Builds the corpus once (../shared/corpus/build.sh), keyed by a hash of its sources, so
// every suite reads real binaries without committing them.
import { execFileSync } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS, CORPUS_SRC } from './fixtures.js';

function hashTree(dir: string, h: Hash): void {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) hashTree(p, h);
    else h.update(e.name).update(readFileSync(p));
  }
}

function sourcesHash(dir: string): string {
  const h = createHash('sha256');
  hashTree(dir, h);
  return h.digest('hex');
}

export default function setup(): void {
  const stamp = join(CORPUS, '.sources-sha256');
  const want = sourcesHash(CORPUS_SRC);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  rmSync(CORPUS, { recursive: true, force: true });
  mkdirSync(CORPUS, { recursive: true });
  process.stderr.write(`building the corpus into ${CORPUS} ...\n`);
  execFileSync(join(CORPUS_SRC, 'build.sh'), [CORPUS], { stdio: ['ignore', 'ignore', 'inherit'] });
  writeFileSync(stamp, want);
}
