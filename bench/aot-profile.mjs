// Does profile-guided AOT pay? (not a timed test) For each corpus benchmark: translate --for
// aot, run the module with --profile at its full size (cases.tsv), then compile the blob
// without and with the profile; prints the compile CPU time (user + sys of gcc and all,
// from GNU time) and the run time (best of BENCH_REPEAT) of each, and the cost of counting
// (the profiled run against a plain run of the same module). Outputs are checked against
// the native program's.
//   node bench/aot-profile.mjs [--variant x86_64-glibc|x86_64-musl|...] [--only NAME,...]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchCases, corpus, recomp, repeat, root, sideBySide, timed } from './common.mjs';

const out = join(root, '.cache', 'bench-profile');
const { values } = parseArgs({ options: { variant: { type: 'string', default: 'x86_64-glibc' }, only: { type: 'string' } } });
const hostTarget = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
if (values.variant.startsWith('aarch64') !== (hostTarget === 'aarch64')) throw new Error('run the variant of this host: the native program is the reference');
mkdirSync(out, { recursive: true });

const cases = benchCases(values.only);

/** CPU seconds (user + sys, children included) of one run, from GNU time */
function cpu(cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', cmd, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: status ${r.status}: ${r.stderr}`);
  const [user, sys] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return user + sys;
}

const rows = [];
for (const [name, , args] of cases) {
  const bin = join(corpus, values.variant, name);
  if (!existsSync(bin)) continue;
  const argv = args.split(/\s+/);
  const base = join(out, `${values.variant}-${name}`);
  cpu(recomp, ['translate', '--for', 'aot', bin, '-o', `${base}.wasm`, '-q']);
  const native = timed(bin, argv);
  const plain = timed(recomp, ['run', `${base}.wasm`, '--', ...argv]);
  const counted = timed(recomp, ['run', `${base}.wasm`, '--profile', `${base}.profile.json`, '--', ...argv]);
  if (counted.stdout !== native.stdout) throw new Error(`${name}: the profiled run's output differs from native`);
  const profile = JSON.parse(readFileSync(`${base}.profile.json`, 'utf8'));
  const fullCpu = cpu(recomp, ['aot', `${base}.wasm`, '--target', hostTarget, '-o', `${base}.full`, '-q']);
  const guidedCpu = cpu(recomp, ['aot', `${base}.wasm`, '--target', hostTarget, '--profile', `${base}.profile.json`, '-o', `${base}.guided`, '-q']);
  const { full, guided } = sideBySide({ full: [`${base}.full`, ['--', ...argv]], guided: [`${base}.guided`, ['--', ...argv]] });
  for (const [what, r] of [['full', full], ['guided', guided]]) if (r.stdout !== native.stdout) throw new Error(`${name}: the ${what} blob's output differs from native`);
  const row = { name, ran: profile.totals.ran, functions: profile.totals.functions, plain: plain.seconds, counted: counted.seconds, fullCpu, guidedCpu, full: full.seconds, guided: guided.seconds };
  rows.push(row);
  process.stderr.write(`${JSON.stringify(row)}\n`);
}

const pad = (s, n) => String(s).padStart(n);
const geo = (xs) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
console.log(`variant ${values.variant}, ${hostTarget} blobs; run times best of ${repeat}; compile: CPU seconds of recomp aot (gcc included)`);
console.log(`${'benchmark'.padEnd(10)} ${pad('ran/fns', 9)} ${pad('run s', 7)} ${pad('counted s', 9)} ${pad('cc full', 8)} ${pad('cc guided', 9)} ${pad('blob full s', 11)} ${pad('guided s', 9)}`);
for (const r of rows)
  console.log(
    `${r.name.padEnd(10)} ${pad(`${r.ran}/${r.functions}`, 9)} ${pad(r.plain.toFixed(2), 7)} ${pad(r.counted.toFixed(2), 9)} ${pad(r.fullCpu.toFixed(1), 8)} ${pad(r.guidedCpu.toFixed(1), 9)} ${pad(r.full.toFixed(2), 11)} ${pad(r.guided.toFixed(2), 9)}`,
  );
if (rows.length)
  console.log(
    `geometric means: counting costs ${geo(rows.map((r) => r.counted / r.plain)).toFixed(2)}x the plain run; the guided compile takes ${geo(rows.map((r) => r.guidedCpu / r.fullCpu)).toFixed(2)}x the CPU of the full one; the guided blob runs in ${geo(rows.map((r) => r.guided / r.full)).toFixed(2)}x the full blob's time`,
  );
