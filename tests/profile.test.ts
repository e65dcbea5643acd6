// Execution profiles end to end: `recomp run --profile` on corpus programs must count what
// their source says they do, and `recomp aot --profile` must take only a profile of the very
// module, build the same bytes every time and print what the native program prints.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Profile } from '../tools/profile/profile.js';
import { CORPUS } from './fixtures.js';
import { SMALL } from './corpus-args.js';
import { exec, RECOMP, translated } from './translated.js';

const BINTREES = join(CORPUS, 'x86_64-musl', 'bintrees');
const NBODY = join(CORPUS, 'x86_64-musl', 'nbody');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const recomp = (args: string[], cwd?: string) => exec(RECOMP, args, { cwd, timeoutMs: 600_000 });

/** runs `module` with --profile; the profile read back against its schema, and the run's output */
async function profiled(module: string, args: string[], dir: string, name = 'profile.json'): Promise<{ profile: Profile; text: string; stdout: string }> {
  const out = join(dir, name);
  const r = await recomp(['run', module, '--profile', out, '--', ...args]);
  expect(r.status, r.stderr).toBe(0);
  const text = readFileSync(out, 'utf8');
  return { profile: Profile.parse(JSON.parse(text)), text, stdout: r.stdout.toString() };
}
const fn = (p: Profile, name: string) => p.functions.find((f) => f.name === name);

/** bintrees.c frees every node it makes: a stretch tree of depth maxd+1, a long-lived one of maxd, and 2^(maxd-d+4) trees of each even depth d from 4 */
function bintreesNodes(maxd: number): number {
  const nodes = (d: number) => 2 ** (d + 1) - 1;
  let n = nodes(maxd + 1) + nodes(maxd);
  for (let d = 4; d <= maxd; d += 2) n += 2 ** (maxd - d + 4) * nodes(d);
  return n;
}

describe('recomp run --profile', () => {
  it('counts what the source says: bintrees calls free once per node it made, main once; the same run gives the same text', async () => {
    const module = await translated(BINTREES, 2, 'aot');
    const dir = mkdtempSync(join(tmpdir(), 'recomp-profile-'));
    const maxd = Number(SMALL.bintrees);
    const a = await profiled(module, [String(maxd)], dir, 'a.json');
    expect(a.stdout).toBe(readFileSync(join(CORPUS, 'expected', 'x86_64-musl', 'bintrees.stdout'), 'utf8'));
    expect(fn(a.profile, 'free')?.entries).toBe(bintreesNodes(maxd));
    expect(fn(a.profile, 'main')?.entries).toBe(1);
    expect(a.profile.module.sha256).toBe(sha(readFileSync(module)));
    expect(a.profile.run).toEqual({ argv: [basename(module, '.wasm'), String(maxd)], status: 0 });
    // every function listed ran; by entry address; the totals add up
    const entries = a.profile.functions.map((f) => parseInt(f.entry, 16));
    expect(entries).toEqual([...entries].sort((x, y) => x - y));
    expect(a.profile.functions.every((f) => f.entries + f.loops > 0)).toBe(true);
    expect(a.profile.totals.ran).toBe(a.profile.functions.length);
    expect(a.profile.totals.entries).toBe(a.profile.functions.reduce((s, f) => s + f.entries, 0));
    const b = await profiled(module, [String(maxd)], dir, 'b.json');
    expect(b.text).toBe(a.text);
  }, 600_000);

  it("sees a hot loop in a function entered once: nbody's main dominates, and its re-entries at loop heads (engine flavour) are not counted as entries", async () => {
    const module = await translated(NBODY);
    const dir = mkdtempSync(join(tmpdir(), 'recomp-profile-'));
    const n = 200_000; // several times the passes after which a loop re-enters its function
    const { profile } = await profiled(module, [String(n)], dir);
    const main = fn(profile, 'main')!;
    expect(main.entries).toBe(1);
    // advance() is inlined in main's loop: at least one pass per step
    expect(main.loops).toBeGreaterThanOrEqual(n);
    expect(main.loops).toBeGreaterThan(0.9 * profile.totals.loops);
    // energy() is called twice, before and after the steps
    expect(fn(profile, 'energy')?.entries).toBe(2);
  }, 600_000);

  it('refuses a native blob, and a module it cannot read, with a message that says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recomp-profile-'));
    const blob = await recomp(['run', '/bin/true', '--profile', join(dir, 'p.json')]);
    expect(blob.status).toBe(2);
    expect(blob.stderr).toMatch(/native blob.*profile the module/);
    const module = readFileSync(await translated(NBODY));
    writeFileSync(join(dir, 'cut.wasm'), module.subarray(0, module.length >> 1));
    const cut = await recomp(['run', join(dir, 'cut.wasm'), '--profile', join(dir, 'p.json')]);
    expect(cut.status).toBe(1);
    expect(cut.stderr).toMatch(/cannot profile this module: .*runs past the end/);
    expect(existsSync(join(dir, 'p.json'))).toBe(false);
  }, 300_000);
});

describe('recomp aot --profile', () => {
  it('builds the same blob from the same module and profile in two directories; it prints what native prints; cold functions are marked, hot ones not', async () => {
    const module = await translated(BINTREES, 2, 'aot');
    const root = mkdtempSync(join(tmpdir(), 'recomp-profile-aot-'));
    const [a, b, c] = ['a', 'b/deeper', 'c'].map((d) => join(root, d));
    for (const d of [a, b, c]) mkdirSync(d, { recursive: true });
    const { text } = await profiled(module, [SMALL.bintrees], a, 'bintrees.profile.json');
    for (const d of [a, b]) {
      copyFileSync(module, join(d, 'bintrees.wasm'));
      copyFileSync(`${module}.manifest.json`, join(d, 'bintrees.wasm.manifest.json'));
    }
    writeFileSync(join(b, 'bintrees.profile.json'), text);
    const ra = await recomp(['aot', join(a, 'bintrees.wasm'), '--profile', join(a, 'bintrees.profile.json'), '--target', 'x86_64', '-o', join(a, 'bintrees'), '--keep-c', c, '-q'], '/');
    expect(ra.status, ra.stderr).toBe(0);
    const rb = await recomp(['aot', 'bintrees.wasm', '--profile', 'bintrees.profile.json', '--target', 'x86_64', '-o', 'bintrees', '-q'], b);
    expect(rb.status, rb.stderr).toBe(0);
    expect(sha(readFileSync(join(a, 'bintrees')))).toBe(sha(readFileSync(join(b, 'bintrees'))));
    expect(readFileSync(join(a, 'bintrees.manifest.json'), 'utf8')).toBe(readFileSync(join(b, 'bintrees.manifest.json'), 'utf8'));
    const manifest = JSON.parse(readFileSync(join(a, 'bintrees.manifest.json'), 'utf8'));
    const profile = Profile.parse(JSON.parse(text));
    expect(manifest.aot.profile).toEqual({ name: 'bintrees.profile.json', sha256: sha(Buffer.from(text)), size: text.length, hot: profile.totals.ran, cold: profile.totals.functions - profile.totals.ran, coldOptimize: 'O1' });
    expect(manifest.build.command).toEqual(['recomp', 'aot', 'bintrees.wasm', '--target', 'x86_64', '--profile', 'bintrees.profile.json', '-o', 'bintrees']);
    // in the C: main (ran) has no attribute; every function that did not run has it
    const code = readdirSync(c)
      .filter((f) => f.endsWith('.c'))
      .map((f) => readFileSync(join(c, f), 'utf8'))
      .join('\n');
    const main = new RegExp(`^(.*)struct wasm_multi_\\w+ w2c_recomp_f${fn(profile, 'main')!.entry.slice(2)}\\(.*\\{$`, 'm').exec(code);
    expect(main?.[1]).toBe('');
    const marked = code.match(/^__attribute__\(\(optimize\("O1"\)\)\) struct wasm_multi_\w+ w2c_recomp_f/gm) ?? [];
    expect(marked.length).toBe(manifest.aot.profile.cold);
    const run = await exec(join(a, 'bintrees'), ['--', SMALL.bintrees], { cwd: '/tmp' });
    expect(run.stdout.toString()).toBe(readFileSync(join(CORPUS, 'expected', 'x86_64-musl', 'bintrees.stdout'), 'utf8'));
    expect(run.status, run.stderr).toBe(0);
  }, 900_000);

  it('refuses a profile of another module, a malformed profile and --hot-only, each saying why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recomp-profile-aot-'));
    const nbody = await translated(NBODY, 2, 'aot');
    const bintrees = await translated(BINTREES, 2, 'aot');
    await profiled(bintrees, ['4'], dir, 'bintrees.json');
    const other = await recomp(['aot', nbody, '--profile', join(dir, 'bintrees.json'), '--target', 'x86_64', '-o', join(dir, 'x')]);
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/is the profile of another module/);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ schema: 'recomp.profile/v1', functions: [] }));
    const bad = await recomp(['aot', nbody, '--profile', join(dir, 'bad.json'), '--target', 'x86_64', '-o', join(dir, 'x')]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/bad\.json: field \w+/);
    const hotOnly = await recomp(['aot', bintrees, '--profile', join(dir, 'bintrees.json'), '--hot-only', '--target', 'x86_64', '-o', join(dir, 'x')]);
    expect(hotOnly.status).toBe(2);
    expect(hotOnly.stderr).toMatch(/--hot-only cannot be done: .*no WebAssembly engine/);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  }, 600_000);

  it('--help names the options', async () => {
    const run = await recomp(['run', '--help']);
    expect(run.stdout.toString()).toMatch(/--profile OUT/);
    const aot = await recomp(['aot', '--help']);
    expect(aot.stdout.toString()).toMatch(/--profile FILE[\s\S]*--hot-only/);
  });
});
