// Benchmark of `recomp analyze` (not a timed test): /bin/busybox, and a whole Debian root
// file system (debootstrap --variant=minbase, built once into .cache/), reported as
// seconds and MB/s of ELF analysed. Run: bench/analyze.sh
import { spawnSync } from 'node:child_process';
import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
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

function isElf(p) {
  const fd = openSync(p, 'r');
  const b = Buffer.alloc(4);
  readSync(fd, b, 0, 4, 0);
  closeSync(fd);
  return b.readUInt32BE(0) === 0x7f454c46;
}

const rows = [];
function bench(label, input, hostRoot) {
  const { seconds, json } = time(['analyze', '--json', input]);
  const recs = json.inputs.flatMap((i) => i.records);
  let bytes = 0;
  for (const r of recs) {
    const p = hostRoot ? join(hostRoot, r.path) : input;
    if (r.kind !== 'script' && existsSync(p) && isElf(p)) bytes += statSync(p).size;
  }
  const elfs = recs.filter((r) => r.kind === 'elf').length;
  rows.push({ label, seconds, elfs, mb: bytes / 1e6, mbps: bytes / 1e6 / seconds });
}

bench('/bin/busybox', '/bin/busybox');
bench('/bin/ls (+ libraries)', '/bin/ls');
const rootfs = process.argv[2];
if (rootfs) bench(`rootfs ${rootfs}`, rootfs, rootfs);

console.log('input'.padEnd(44), 'ELF files', '   MB', '  best s', '   MB/s');
for (const r of rows) {
  console.log(r.label.padEnd(44), String(r.elfs).padStart(9), r.mb.toFixed(1).padStart(5), r.seconds.toFixed(2).padStart(8), r.mbps.toFixed(1).padStart(7));
}
