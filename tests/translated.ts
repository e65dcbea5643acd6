// Translating real binaries for the end-to-end tests: through the CLI (as users do), once
// per input, translator build and level, cached under .cache/translated so a second test
// run does not repeat minutes of translation. The cache key covers the translator itself
// (every file of dist/), so a changed translator never reuses an old module.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './fixtures.js';

export const RECOMP = join(ROOT, 'bin', 'recomp');
const CACHE = join(ROOT, '.cache', 'translated');

let buildHash: string | undefined;
function translatorHash(): string {
  if (buildHash) return buildHash;
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) h.update(e.name).update(readFileSync(p));
    }
  };
  walk(join(ROOT, 'dist', 'tools'));
  return (buildHash = h.digest('hex').slice(0, 16));
}

/** runs a command; resolves with its output and status (never rejects on a non-zero status) */
export function exec(cmd: string, args: string[], opts: { input?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ stdout: Buffer; stderr: string; status: number | null; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = opts.timeoutMs ? setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs) : undefined;
    p.on('error', reject);
    p.on('close', (status, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), status, signal });
    });
    p.stdin.on('error', () => {});
    p.stdin.end(opts.input ?? '');
  });
}

/** at most `n` translations at once (each takes a core and up to ~1 GB); for any test's own translations too */
let running = 0;
const waiting: (() => void)[] = [];
export async function slot<T>(n: number, f: () => Promise<T>): Promise<T> {
  while (running >= n) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await f();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

const inflight = new Map<string, Promise<string>>();

/** the module for `elf` at `-O level`, translated by `recomp translate` (cached); `--for aot` with flavour aot */
export function translated(elf: string, level = 2, flavour: 'engine' | 'aot' = 'engine'): Promise<string> {
  const key = `${createHash('sha256').update(readFileSync(elf)).digest('hex').slice(0, 24)}-${translatorHash()}-O${level}${flavour === 'aot' ? '-aot' : ''}`;
  const out = join(CACHE, `${key}.wasm`);
  if (existsSync(out)) return Promise.resolve(out);
  let p = inflight.get(key);
  if (!p) {
    p = slot(2, async () => {
      mkdirSync(CACHE, { recursive: true });
      const tmp = join(CACHE, `${key}.${process.pid}.wasm`);
      const r = await exec(RECOMP, ['translate', elf, '-o', tmp, `-O${level}`, ...(flavour === 'aot' ? ['--for', 'aot'] : [])]);
      if (r.status !== 0) throw new Error(`recomp translate ${elf} failed (${r.status}): ${r.stderr}`);
      renameSync(tmp, out);
      renameSync(`${tmp}.manifest.json`, `${out}.manifest.json`);
      return out;
    });
    inflight.set(key, p);
  }
  return p;
}

let aotHash: string | undefined;
/** the translator's hash and the AOT host's C sources */
function aotSourcesHash(): string {
  if (aotHash) return aotHash;
  const h = createHash('sha256').update(translatorHash());
  for (const dir of ['host', 'runtime']) {
    const d = join(ROOT, 'tools', 'aot', dir);
    for (const f of readdirSync(d).sort()) h.update(f).update(readFileSync(join(d, f)));
  }
  return (aotHash = h.digest('hex').slice(0, 16));
}

const blobsInflight = new Map<string, Promise<string>>();

/** the AOT blob for `elf` (translated --for aot at -O2, then `recomp aot --target`), cached under .cache/aot */
export function aotBlob(elf: string, target: 'x86_64' | 'aarch64'): Promise<string> {
  const key = `${createHash('sha256').update(readFileSync(elf)).digest('hex').slice(0, 24)}-${aotSourcesHash()}-${target}`;
  const dir = join(ROOT, '.cache', 'aot');
  const out = join(dir, key);
  if (existsSync(out)) return Promise.resolve(out);
  let p = blobsInflight.get(key);
  if (!p) {
    p = (async () => {
      const module = await translated(elf, 2, 'aot');
      return slot(2, async () => {
        mkdirSync(dir, { recursive: true });
        const tmp = join(dir, `${key}.${process.pid}`);
        const r = await exec(RECOMP, ['aot', module, '--target', target, '-o', tmp, '-q']);
        if (r.status !== 0) throw new Error(`recomp aot ${module} failed (${r.status}): ${r.stderr}`);
        renameSync(tmp, out);
        renameSync(`${tmp}.manifest.json`, `${out}.manifest.json`);
        return out;
      });
    })();
    blobsInflight.set(key, p);
  }
  return p;
}
