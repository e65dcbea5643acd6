// `recomp report` on real modules: the glibc corpus `hello` (with symbols) and Debian's
// busybox (stripped). Facts are checked against independent tools: binutils' nm for symbol
// addresses, the wasm binary's own size, capstone-free byte checks of the listings; the HTML
// page is loaded in headless Chromium and its rendered DOM inspected.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, CORPUS } from './fixtures.js';
import { exec, RECOMP, translated } from './translated.js';

const HELLO = join(CORPUS, 'x86_64-glibc', 'hello');

interface Report {
  module: { size: number; sha256: string };
  manifest: { input: { name: string } } | null;
  signatures: { source: string; sha256: string; functions: number }[];
  summary: Record<string, number | boolean>;
  syscalls: { name: string; provided: string }[];
  functions: { entry: string; name: string | null; recognisedBy: string | null; wasmBytes: number; instructions: number; treatment: string; faults: number }[];
  unresolved: { address: string; kind: string; mnemonic: string; listing: { address: string; bytes: string; text: string; site: boolean }[] }[];
  faults: { address: string }[];
  size: { total: number; parts: { part: string; bytes: number }[] };
}

async function reportOf(module: string): Promise<Report> {
  const r = await exec(RECOMP, ['report', module, '--json'], { timeoutMs: 300_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.toString()) as Report;
}

/** nm's defined text symbols: address → names (static functions of different objects share names) */
function nmText(elf: string): Map<number, string[]> {
  const out = execFileSync('nm', ['--defined-only', elf], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const m = new Map<number, string[]>();
  for (const line of out.split('\n')) {
    const [addr, type, name] = line.split(' ');
    if (name && /^[tTW]$/.test(type)) m.set(parseInt(addr, 16), [...(m.get(parseInt(addr, 16)) ?? []), name]);
  }
  return m;
}

describe('recomp report', () => {
  let hello: string;
  let helloReport: Report;
  beforeAll(async () => {
    hello = await translated(HELLO);
    helloReport = await reportOf(hello);
  }, 600_000);

  it('names functions by their symbols at the addresses nm gives, with their wasm bytes', () => {
    const namesAt = nmText(HELLO);
    const byName = new Map(helloReport.functions.filter((f) => f.name).map((f) => [f.name!, f]));
    for (const name of ['main', '_start', 'puts', 'malloc', 'exit']) {
      const f = byName.get(name);
      expect(f, name).toBeDefined();
      expect(namesAt.get(parseInt(f!.entry, 16)), name).toContain(name);
      expect(f!.recognisedBy, name).toBe('symbol');
      expect(f!.wasmBytes, name).toBeGreaterThan(0);
      expect(f!.instructions, name).toBeGreaterThan(0);
    }
    // every name is nm's for that address, and every function at a symbol's address has a name
    for (const f of helloReport.functions) {
      const at = namesAt.get(parseInt(f.entry, 16));
      if (f.name) expect(at ?? [], f.entry).toContain(f.name);
      else expect(at, `${f.entry} has the symbols ${at?.join(', ')} but no name`).toBeUndefined();
    }
    expect(helloReport.manifest?.input.name).toBe('hello');
  });

  it('names the functions of a stripped copy by libc.a signatures, each name the one nm gives the unstripped binary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recomp-strip-'));
    const stripped = join(dir, 'hello');
    execFileSync('strip', ['-o', stripped, HELLO]);
    expect(execFileSync('nm', [stripped], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()).toBe('');
    const module = await translated(stripped);
    // the stripped translation runs as the original does
    const run = await exec(RECOMP, ['run', module]);
    expect(run.stdout.toString()).toBe(readFileSync(join(CORPUS, 'expected', 'x86_64-glibc', 'hello.stdout'), 'utf8'));
    const r = await reportOf(module);
    const namesAt = nmText(HELLO);
    const named = r.functions.filter((f) => f.recognisedBy === 'signature');
    for (const f of named) expect(namesAt.get(parseInt(f.entry, 16)) ?? [], `${f.entry} named ${f.name}`).toContain(f.name);
    // most of the functions nm knows, where the stripped translation has a function, are found
    const candidates = r.functions.filter((f) => namesAt.has(parseInt(f.entry, 16)));
    expect(named.length).toBeGreaterThan(0.6 * candidates.length);
    expect(r.signatures[0].source).toMatch(/libc\.a$/);
    expect(r.signatures[0].functions).toBeGreaterThan(1000);
  }, 600_000);

  it('says how each syscall is provided', () => {
    const how = new Map(helloReport.syscalls.map((s) => [s.name, s.provided]));
    expect(how.get('write')).toBe('vkernel');
    expect(how.get('brk')).toBe('emulated');
    expect(how.get('exit_group')).toBe('vkernel');
    for (const p of how.values()) expect(['wasi', 'vkernel', 'emulated', 'denied']).toContain(p);
  });

  it('accounts for every byte of the module', () => {
    const b = readFileSync(hello);
    expect(helloReport.size.total).toBe(b.length);
    expect(helloReport.size.parts.reduce((n, p) => n + p.bytes, 0)).toBe(b.length);
    const guest = helloReport.size.parts.find((p) => p.part === 'guest code')!;
    expect(guest.bytes).toBe(helloReport.functions.reduce((n, f) => n + f.wasmBytes, 0));
  });

  it('on stripped busybox: unresolved branches with listings whose bytes are the ELF\'s, and the faults translate reports', async () => {
    const module = await translated(BUSYBOX);
    const r = await reportOf(module);
    // no symbols: what is named is named by the signatures of the host's libc.a (the same glibc)
    expect(r.summary.recognised).toBe(r.summary.recognisedBySignature);
    expect(r.summary.recognisedBySignature).toBeGreaterThan(1000);
    for (const n of ['malloc', 'free', '__libc_start_main', 'exit', 'abort']) expect(r.functions.filter((f) => f.name === n).length, n).toBe(1);
    expect(r.summary.functions).toBeGreaterThan(3000);
    expect(r.unresolved.length).toBeGreaterThan(10);
    const elf = readFileSync(BUSYBOX);
    // busybox is non-PIE: guest address = file offset + (vaddr - offset) of its text segment
    const phdrs = execFileSync('readelf', ['-lW', BUSYBOX], { encoding: 'utf8' });
    const load = [...phdrs.matchAll(/LOAD\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x[0-9a-f]+ 0x([0-9a-f]+)/g)].map((m) => ({ off: parseInt(m[1], 16), va: parseInt(m[2], 16), size: parseInt(m[3], 16) }));
    const fileBytes = (addr: number, n: number) => {
      const seg = load.find((s) => addr >= s.va && addr < s.va + s.size)!;
      return elf.subarray(addr - seg.va + seg.off, addr - seg.va + seg.off + n).toString('hex');
    };
    for (const u of r.unresolved) {
      const site = u.listing.find((l) => l.site);
      expect(site, u.address).toBeDefined();
      expect(site!.address).toBe(u.address);
      expect(site!.text.startsWith(u.kind === 'icall' ? 'call' : 'jmp'), `${u.address}: ${site!.text}`).toBe(true);
      for (const l of u.listing) expect(l.bytes, l.address).toBe(fileBytes(parseInt(l.address, 16), l.bytes.length / 2));
    }
    const t = await exec(RECOMP, ['translate', BUSYBOX, '-o', join(mkdtempSync(join(tmpdir(), 'recomp-bb-')), 'bb.wasm'), '--json', '-O0'], { timeoutMs: 600_000 });
    expect(t.status, t.stderr).toBe(0);
    expect(r.faults.map((f) => f.address)).toEqual(JSON.parse(t.stdout.toString()).faults.map((f: { address: string }) => f.address));
  }, 900_000);

  it('renders as a self-contained HTML page in headless Chromium, with tables that sort', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recomp-html-'));
    const html = join(dir, 'hello.html');
    const r = await exec(RECOMP, ['report', hello, '--html', html]);
    expect(r.status, r.stderr).toBe(0);
    const page = readFileSync(html, 'utf8');
    // nothing fetched from anywhere: no external scripts, styles, images or links
    expect(page).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    const dom = (hash: string) => {
      const c = spawnSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${join(dir, 'profile')}`, '--dump-dom', `file://${html}${hash}`], { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 << 20 });
      expect(c.status, c.stderr).toBe(0);
      return c.stdout;
    };
    const sorted = dom('#sort=functions:wasmBytes:desc');
    expect(sorted).toContain('data-ready="1"'); // the page's script ran to its end
    const functionsTable = (d: string) => /<table id="functions"[\s\S]*?<\/table>/.exec(d)![0];
    const rows = [...functionsTable(sorted).matchAll(/<tr><td data-v="(0x[0-9a-f]+)"/g)].map((m) => m[1]);
    const byWasm = [...helloReport.functions].sort((a, b) => b.wasmBytes - a.wasmBytes);
    expect(rows.length).toBe(helloReport.functions.length);
    expect(helloReport.functions.find((f) => f.entry === rows[0])!.wasmBytes).toBe(byWasm[0].wasmBytes);
    expect(sorted).toMatch(/<th [^>]*data-key="wasmBytes"[^>]*aria-sort="descending"/);
    // unsorted, the first row is the lowest entry (address order)
    const plain = dom('');
    const first = /<tr><td data-v="(0x[0-9a-f]+)"/.exec(functionsTable(plain))![1];
    expect(first).toBe(helloReport.functions[0].entry);
    // the chart of where the bytes go: one bar per part
    const chart = /<svg id="size-chart"[\s\S]*?<\/svg>/.exec(plain)![0];
    expect(chart.match(/<rect /g)!.length).toBe(helloReport.size.parts.length);
    expect(plain).toContain('recomp report: <span id="module-name">');
  }, 300_000);

  it('refuses what is not a recomp module with a clear message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recomp-badmod-'));
    const cases: [string, Uint8Array, RegExp][] = [
      ['text', Buffer.from('hello\n'), /not a WebAssembly binary/],
      ['empty module', Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), /no recomp\.map section: not a module made by this recomp/],
      ['truncated', readFileSync(hello).subarray(0, 5000), /runs past the end|unexpected end/],
    ];
    for (const [what, bytes, message] of cases) {
      const p = join(dir, `${what.replace(/ /g, '-')}.wasm`);
      writeFileSync(p, bytes);
      const r = await exec(RECOMP, ['report', p]);
      expect(r.status, what).toBe(1);
      expect(r.stderr, what).toMatch(message);
      expect(r.stderr, what).not.toMatch(/internal error|at .*\.js:\d+/);
    }
    const lib = join(dir, 'not-an-archive.a');
    writeFileSync(lib, 'hello\n');
    const bad = await exec(RECOMP, ['report', hello, '--library', lib]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('not an ar archive');
  });
});
