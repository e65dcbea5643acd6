// Benchmark of `recomp analyze` (not a timed test): /bin/busybox, /bin/ls, and a whole Debian
// root file system (debootstrap --variant=minbase, built once into .cache/), best of
// BENCH_REPEAT runs, reported as seconds and MB/s of ELF: the executables' bytes alone, and
// with the shared libraries analysed for them (each file counted once). Run: bench/analyze.sh
import { spawnSync } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const recomp = join(root, 'bin', 'recomp');
const repeat = Number(process.env.BENCH_REPEAT ?? 3);

function time(args) {
  let best = Infinity;
  let out = '';
  for (let i = 0; i < repeat; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(recomp, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    if (r.status !== 0) throw new Error(`recomp ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    best = Math.min(best, s);
    out = r.stdout;
  }
  return { seconds: best, json: JSON.parse(out) };
}

const rows = [];
function bench(label, input, hostRoot, extra = []) {
  const { seconds, json } = time(['analyze', '--json', ...extra, input]);
  const host = (p) => realpathSync(hostRoot ? join(hostRoot, p) : p);
  const exes = new Set();
  const all = new Set();
  for (const i of json.inputs) {
    for (const r of i.records) if (r.kind === 'elf') exes.add(host(r.path));
    for (const l of i.libraries) all.add(hostRoot ? host(l.path) : realpathSync(l.path));
  }
  for (const e of exes) all.add(e);
  const mb = (set) => [...set].reduce((s, p) => s + statSync(p).size, 0) / 1e6;
  rows.push({ label: `${label}${extra.length ? ' ' + extra.join(' ') : ''}`, seconds, elfs: exes.size, exeMb: mb(exes), allMb: mb(all), files: all.size });
}

bench('/bin/busybox', '/bin/busybox');
bench('/bin/ls (+ libraries)', '/bin/ls');
const rootfs = process.argv[2];
if (rootfs) {
  bench('Debian minbase rootfs', rootfs, rootfs);
  bench('Debian minbase rootfs', rootfs, rootfs, ['--jobs', '2']);
}

console.log('input'.padEnd(36), 'executables', '  MB', ' +libs (files)  MB', ' best s', ' MB/s exe', ' MB/s all');
for (const r of rows) {
  console.log(
    r.label.padEnd(36),
    String(r.elfs).padStart(11),
    r.exeMb.toFixed(1).padStart(5),
    String(r.files).padStart(13),
    r.allMb.toFixed(1).padStart(5),
    r.seconds.toFixed(2).padStart(7),
    (r.exeMb / r.seconds).toFixed(1).padStart(9),
    (r.allMb / r.seconds).toFixed(1).padStart(9),
  );
}
