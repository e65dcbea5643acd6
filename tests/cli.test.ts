import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  it("exec's cache of translations is keyed by the build of recomp, not only its version", () => {
    // a second build of recomp with the same version number: a copy of bin/ and dist/tools,
    // one of whose files then changes as a rebuild would change it
    const other = mkdtempSync(join(tmpdir(), 'recomp-build-'));
    cpSync(join(ROOT, 'bin'), join(other, 'bin'), { recursive: true });
    mkdirSync(join(other, 'dist'));
    cpSync(join(ROOT, 'dist', 'tools'), join(other, 'dist', 'tools'), { recursive: true });
    for (const f of ['node_modules', 'package.json']) symlinkSync(join(ROOT, f), join(other, f));
    const cache = mkdtempSync(join(tmpdir(), 'recomp-exec-cache-'));
    const exec = (recomp: string) => {
      const r = spawnSync(recomp, ['exec', join(CORPUS, 'x86_64-musl', 'hello')], { encoding: 'utf8', env: { ...process.env, RECOMP_CACHE: cache } });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('hello, world\n');
      return readdirSync(cache).filter((n) => n.endsWith('.wasm')).length;
    };
    expect(exec(RECOMP)).toBe(1);
    expect(exec(join(other, 'bin', 'recomp'))).toBe(1); // the same code: the same translation
    appendFileSync(join(other, 'dist', 'tools', 'translate', 'index.js'), '\n// rebuilt\n');
    expect(exec(join(other, 'bin', 'recomp'))).toBe(2);
    expect(exec(RECOMP)).toBe(2);
  }, 300_000);

  it('exec says why it cannot use its cache directory, and does not hang on one under /proc', () => {
    const hello = join(CORPUS, 'x86_64-musl', 'hello');
    // /proc answers ENOENT to a mkdir there, which Node's recursive mkdir retries forever
    for (const [dir, why] of [['/proc/recomp-cache/modules', 'ENOENT'], [join(hello, 'cache'), 'ENOTDIR'], [hello, 'ENOTDIR']]) {
      const r = spawnSync(RECOMP, ['exec', hello], { encoding: 'utf8', env: { ...process.env, RECOMP_CACHE: dir }, timeout: 60_000 });
      expect(r.stderr).toBe(`recomp exec: cannot use the cache directory ${dir}: ${why} (set RECOMP_CACHE to a writable directory)\n`);
      expect(r.status).toBe(1);
    }
  });

  it('an output that cannot be written is an error before the work, not an internal error after it', () => {
    const hello = join(CORPUS, 'x86_64-musl', 'hello');
    const cases: [string[], string][] = [
      [['translate', hello, '-o', '/nonexistent/hello.wasm'], 'recomp translate: cannot write /nonexistent/hello.wasm: ENOENT (its directory /nonexistent)'],
      [['translate', hello, '-o', join(hello, 'hello.wasm')], `recomp translate: cannot write ${hello}/hello.wasm: ENOTDIR (its directory ${hello})`],
      [['translate', hello, '-o', join(tmpdir(), 'unused.wasm'), '--report', '/proc/recomp/report.json'], 'recomp translate: cannot write /proc/recomp/report.json: ENOENT (its directory /proc/recomp)'],
      [['aot', hello, '--target', 'x86_64', '-o', '/nonexistent/blob'], 'recomp aot: cannot write /nonexistent/blob: ENOENT (its directory /nonexistent)'],
      [['analyze', hello, '--json', '-o', '/nonexistent/a.json'], 'recomp analyze: cannot write /nonexistent/a.json: ENOENT'],
    ];
    for (const [args, message] of cases) {
      const r = spawnSync(RECOMP, args, { encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr, args.join(' ')).toBe(`${message}\n`);
      expect(r.status).toBe(1);
    }
  });
});
