// Benchmark of translated programs (not a timed test): the eight corpus benchmarks at their
// full size (cases.tsv), run natively, under qemu and translated (`recomp run` of a module
// made at -O LEVEL, default 2), side by side in one run (BENCH_REPEAT rounds, each running
// every column once; the best counts; see common.mjs sideBySide); and the
// translation of Debian's /bin/busybox (seconds, peak memory). Prints a table and the ratios.
// --aot adds the AOT blob (translate --for aot, then recomp aot for this host's architecture:
// an aarch64 program's blob runs natively here too) as one more column.
// For aarch64-glibc, "native" is the x86_64-glibc build of the same program on this host and
// qemu is qemu-aarch64 running the aarch64 build (what a user would otherwise pick).
//   bench/run.sh [--variant x86_64-glibc|x86_64-musl|x86_64-glibc-pie|aarch64-glibc]
//                [--only NAME,...] [-O LEVEL] [--no-qemu] [--no-busybox] [--aot]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchCases, corpus, recomp, repeat, root, sideBySide } from './common.mjs';

const out = join(root, '.cache', 'bench');
const { values } = parseArgs({ options: { variant: { type: 'string', default: 'x86_64-glibc' }, only: { type: 'string' }, O: { type: 'string', short: 'O', default: '2' }, 'no-qemu': { type: 'boolean' }, 'no-busybox': { type: 'boolean' }, aot: { type: 'boolean' } } });
const hostTarget = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
mkdirSync(out, { recursive: true });

const cases = benchCases(values.only);

/** seconds and peak resident memory (MB) of one run, from GNU time */
function measured(cmd, args) {
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8' });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: status ${r.status}: ${r.stderr}`);
  return { seconds: s, mb: Number(r.stderr.trim().split('\n').pop()) / 1024 };
}

const arm = values.variant.startsWith('aarch64');
const geo = (xs) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

/** the program's AOT blob for this host, built (translate --for aot, then recomp aot) */
function aotBlob(bin, name) {
  const aotWasm = join(out, `${values.variant}-${name}-O${values.O}-aot.wasm`);
  const blob = join(out, `${values.variant}-${name}-O${values.O}.${hostTarget}`);
  measured(recomp, ['translate', '--for', 'aot', bin, '-o', aotWasm, `-O${values.O}`]);
  measured(recomp, ['aot', aotWasm, '--target', hostTarget, '-o', blob, '-q']);
  return blob;
}

const rows = [];
for (const [name, , args] of cases) {
  const bin = join(corpus, values.variant, name);
  if (!existsSync(bin)) continue;
  const wasm = join(out, `${values.variant}-${name}-O${values.O}.wasm`);
  const tr = measured(recomp, ['translate', bin, '-o', wasm, `-O${values.O}`]);
  const argv = args.split(/\s+/);
  // every column built, then timed in interleaved rounds
  const columns = { native: [arm ? join(corpus, 'x86_64-glibc', name) : bin, argv] };
  if (!values['no-qemu']) columns.qemu = [arm ? 'qemu-aarch64' : 'qemu-x86_64', [bin, ...argv]];
  columns.wasm = [recomp, ['run', wasm, '--', ...argv]];
  if (values.aot) columns.aot = [aotBlob(bin, name), ['--', ...argv]];
  const times = sideBySide(columns);
  const { native, wasm: wasmRun } = times;
  const qemu = times.qemu ?? { seconds: NaN };
  const aot = times.aot ?? { seconds: NaN };
  const reference = arm && !values['no-qemu'] ? qemu.stdout : native.stdout;
  if (wasmRun.stdout !== reference) throw new Error(`${name}: translated output differs from ${arm ? 'qemu-aarch64' : 'native'}`);
  if (values.aot && aot.stdout !== reference) throw new Error(`${name}: the AOT blob's output differs from ${arm ? 'qemu-aarch64' : 'native'}`);
  rows.push({ name, native: native.seconds, qemu: qemu.seconds, wasm: wasmRun.seconds, aot: aot.seconds, translate: tr.seconds });
  process.stderr.write(`${name}: native ${native.seconds.toFixed(2)} s, qemu ${qemu.seconds.toFixed(2)} s, translated ${wasmRun.seconds.toFixed(2)} s${values.aot ? `, aot ${aot.seconds.toFixed(2)} s` : ''}\n`);
}

const pad = (s, n) => String(s).padStart(n);
console.log(`variant ${values.variant}, -O${values.O}, best of ${repeat} interleaved rounds; ratios are time / native time${arm ? ' (native: the x86_64-glibc build; qemu: qemu-aarch64)' : ''}`);
console.log(`${'benchmark'.padEnd(10)} ${pad('native s', 9)} ${pad('qemu s', 8)} ${pad('wasm s', 8)} ${pad('qemu x', 7)} ${pad('wasm x', 7)} ${pad('wasm/qemu', 9)} ${pad('translate s', 11)}`);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(10)} ${pad(r.native.toFixed(2), 9)} ${pad(r.qemu.toFixed(2), 8)} ${pad(r.wasm.toFixed(2), 8)} ${pad((r.qemu / r.native).toFixed(2), 7)} ${pad((r.wasm / r.native).toFixed(2), 7)} ${pad((r.wasm / r.qemu).toFixed(2), 9)} ${pad(r.translate.toFixed(1), 11)}`,
  );
}
if (rows.length && values['no-qemu']) {
  console.log(`geometric mean: translated ${geo(rows.map((r) => r.wasm / r.native)).toFixed(2)}x native (qemu not run)`);
} else if (rows.length) {
  console.log(`geometric mean: qemu ${geo(rows.map((r) => r.qemu / r.native)).toFixed(2)}x native, translated ${geo(rows.map((r) => r.wasm / r.native)).toFixed(2)}x native, translated/qemu ${geo(rows.map((r) => r.wasm / r.qemu)).toFixed(2)}`);
  const slower = rows.filter((r) => r.wasm >= r.qemu).map((r) => r.name);
  console.log(slower.length ? `slower than qemu: ${slower.join(', ')}` : 'faster than qemu on every benchmark');
}
if (rows.length && values.aot) {
  console.log(`AOT blobs (${hostTarget}): ${rows.map((r) => `${r.name} ${(r.aot / r.native).toFixed(2)}x`).join(', ')}; geometric mean ${geo(rows.map((r) => r.aot / r.native)).toFixed(2)}x native, ${geo(rows.map((r) => r.aot / r.wasm)).toFixed(2)} of the wasm module's time`);
}
if (!values['no-busybox'] && existsSync('/bin/busybox')) {
  const bb = measured(recomp, ['translate', '/bin/busybox', '-o', join(out, `busybox-O${values.O}.wasm`), `-O${values.O}`]);
  console.log(`translate /bin/busybox -O${values.O}: ${bb.seconds.toFixed(1)} s, peak ${bb.mb.toFixed(0)} MB`);
}
