// Soundness of the static syscall sets, with strace as the oracle: every syscall a native
// run makes must be in the set recomp computes without running anything.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeSyscalls, librarySyscalls, ownSyscallReport, siteProgram } from '../tools/analyze/syscalls.js';
import { Program } from '../tools/analyze/program.js';
import { readElf, type Elf } from '../tools/elf/index.js';
import { x86_64Decoder } from '../tools/isa/x86_64/index.js';
import { BUSYBOX, CORPUS, ROOT } from './fixtures.js';
import { localRanges } from '../tools/analyze/sites.js';

const tmp = mkdtempSync(join(tmpdir(), 'recomp-syscalls-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** What strace sees a command call (children included), without strace's own first execve. */
function traced(argv: string[], cwd: string): string[] {
  const log = join(tmp, 'trace.log');
  spawnSync('strace', ['-f', '-qq', '-o', log, ...argv], { cwd, stdio: ['pipe', 'ignore', 'ignore'], input: 'b\na\nc\na\n', timeout: 20_000, killSignal: 'SIGKILL' });
  return [...readFileSync(log, 'utf8').matchAll(/^\d+\s+([a-z0-9_]+)\(/gm)].slice(1).map((m) => m[1]);
}

const APPLETS: string[][] = [
  ['echo', 'hi'], ['cat', 'in.txt'], ['wc', 'in.txt'], ['sort', 'in.txt'], ['uniq', 'in.txt'], ['tr', 'a', 'b'],
  ['sed', 's/a/b/', 'in.txt'], ['awk', '{print $1}', 'in.txt'], ['grep', 'a', 'in.txt'], ['head', '-1', 'in.txt'],
  ['tail', '-1', 'in.txt'], ['cut', '-c1', 'in.txt'], ['md5sum', 'in.txt'], ['sha256sum', 'in.txt'], ['base64', 'in.txt'],
  ['od', 'in.txt'], ['expr', '1', '+', '2'], ['seq', '3'], ['factor', '12'], ['dc', '-e', '2p'], ['ls', '-la'],
  ['cp', 'in.txt', 'x'], ['mv', 'x', 'y'], ['rm', 'y'], ['mkdir', 'd'], ['rmdir', 'd'], ['date'], ['stat', 'in.txt'],
  ['find', '.'], ['tar', 'cf', 't.tar', 'in.txt'], ['gzip', '-k', 'in.txt'], ['gunzip', '-f', 'in.txt.gz'], ['env'],
  ['id'], ['uname', '-a'], ['du', '.'], ['df', '.'], ['sleep', '0.01'], ['touch', 'z'], ['ln', '-sf', 'z', 'zz'],
  ['readlink', 'zz'], ['sh', '-c', 'echo a | wc; x=1; echo $x; (echo sub); sleep 0.01 & wait'], ['xargs', 'echo'],
  ['ps'], ['hostname'], ['whoami'], ['nproc'], ['printf', '%s\\n', 'x'], ['test', '-f', 'in.txt'], ['sha1sum', 'in.txt'],
  ['chmod', '600', 'z'], ['dd', 'if=in.txt', 'of=dd.out', 'bs=1'], ['diff', 'in.txt', 'in.txt'], ['cmp', 'in.txt', 'in.txt'],
  ['nl', 'in.txt'], ['rev', 'in.txt'], ['xxd', 'in.txt'], ['hexdump', '-C', 'in.txt'], ['fold', '-w2', 'in.txt'],
  ['sha512sum', 'in.txt'], ['realpath', '.'], ['basename', '/a/b'], ['dirname', '/a/b'], ['true'],
];

function precision(name: string, staticSet: Set<string>, observed: Set<string>) {
  const hit = [...observed].filter((n) => staticSet.has(n)).length;
  const p = hit / staticSet.size;
  const r = hit / observed.size;
  console.log(`${name}: static ${staticSet.size}, observed ${observed.size}, missed ${observed.size - hit}, precision ${p.toFixed(2)}, F1 ${((2 * p * r) / (p + r)).toFixed(2)}`);
}

const names = (elf: Elf) => new Set(analyzeSyscalls(elf, x86_64Decoder).syscalls.map((s) => s.name));

describe('static syscall sets are sound against strace', () => {
  it(`/bin/busybox over ${APPLETS.length} applets`, () => {
    const dir = join(tmp, 'bb');
    mkdirSync(dir);
    writeFileSync(join(dir, 'in.txt'), 'b\na\nc\na\n');
    const observed = new Set<string>();
    for (const a of APPLETS) for (const n of traced([BUSYBOX, ...a], dir)) observed.add(n);
    const set = names(readElf(readFileSync(BUSYBOX)));
    expect([...observed].filter((n) => !set.has(n))).toEqual([]);
    expect(observed.size).toBeGreaterThan(40);
    precision('busybox', set, observed);
  });

  it('/bin/ls with its libraries, through the CLI', () => {
    const observed = new Set([...traced(['/bin/ls', '-la', '/'], tmp), ...traced(['/bin/ls', '-lR', '--color=always', '/etc/apt'], tmp)]);
    const r = spawnSync(join(ROOT, 'bin', 'recomp'), ['analyze', '--json', '/bin/ls'], { encoding: 'utf8' });
    const [rec] = JSON.parse(r.stdout).inputs[0].records;
    const set = new Set<string>(rec.syscalls.map((x: { name: string }) => x.name));
    expect([...observed].filter((n) => !set.has(n))).toEqual([]);
    precision('ls', set, observed);
  });

  it('an executable with few sites of its own: only the functions around them are decoded, same answer', () => {
    const c = join(tmp, 'few.c');
    writeFileSync(
      c,
      '#include <unistd.h>\n#include <sys/syscall.h>\n' +
        'static long raw(long n) { long r; __asm__ volatile("syscall" : "=a"(r) : "a"(n) : "rcx", "r11", "memory"); return r; }\n' +
        '__attribute__((noinline)) long both(int x) { return x ? raw(SYS_getpid) : raw(SYS_gettid); }\n' +
        'int main(int argc, char **argv) { (void)argv; return (both(argc - 1) + syscall(SYS_getppid)) > 0 ? 0 : 1; }\n',
    );
    const exe = join(tmp, 'few');
    spawnSync('gcc', ['-O2', '-o', exe, c]);
    const elf = readElf(readFileSync(exe));
    const r = ownSyscallReport(elf, x86_64Decoder);
    const local = siteProgram(elf)!;
    const full = new Program(readElf(readFileSync(exe)), x86_64Decoder);
    expect(local.n).toBeLessThan(full.n / 2); // the fast path was taken
    expect(r.syscalls.map((s) => s.name).sort()).toEqual(['getpid', 'getppid', 'gettid']);
    // the sites are where objdump sees the syscall instructions and the call to syscall@plt
    const dis = execFileSync('objdump', ['-d', '--no-show-raw-insn', exe], { encoding: 'utf8' });
    const want = [...dis.matchAll(/^\s*([0-9a-f]+):\s+(syscall|call\s+[0-9a-f]+ <syscall@plt>)/gm)].map((m) => parseInt(m[1], 16)).sort((a, b) => a - b);
    expect(r.syscalls.flatMap((s) => s.sites).sort((a, b) => a - b)).toEqual(want);
    expect(r.complete).toBe(true);
  });

  it('the fast path answers as the whole program does, on every /usr/bin executable where it applies', () => {
    let local = 0;
    const differ: string[] = [];
    for (const n of readdirSync('/usr/bin')) {
      const p = join('/usr/bin', n);
      const st = statSync(p);
      if (!st.isFile() || st.size > 8e6) continue;
      const b = readFileSync(p);
      if (b.readUInt32BE(0) !== 0x7f454c46) continue;
      const [fast, whole] = [readElf(b), readElf(b)];
      if (fast.arch !== 'x86_64') continue;
      const a = ownSyscallReport(fast, x86_64Decoder);
      const f = librarySyscalls(whole, x86_64Decoder); // libraries always take the whole program
      const [sp, wp] = [siteProgram(fast), siteProgram(whole)];
      if (!sp || !wp || sp.n === wp.n) continue; // no sites, or the fast path not taken
      local++;
      const key = (r: typeof a) => JSON.stringify([r.syscalls.map((x) => [x.nr, x.sites]), r.unresolvedSites.length > 0]);
      if (key(a) !== key(f)) differ.push(n);
    }
    console.log(`fast path taken for ${local} executables of /usr/bin`);
    expect(local).toBeGreaterThan(20);
    expect(differ).toEqual([]);
  });

  it("the fast path refuses a function whose FDE does not start on an instruction (glibc's __restore_rt)", () => {
    const elf = readElf(readFileSync(join(CORPUS, 'x86_64-glibc', 'hello')));
    const rt = elf.symbols().find((s) => s.name === '__restore_rt')!;
    const fde = elf.fdes().find((f) => f.start <= rt.value && rt.value < f.end)!;
    expect(fde.start).toBe(rt.value - 1); // the trampoline's FDE begins a byte early, on purpose
    const site = x86_64Decoder.decode(readElf(readFileSync(join(CORPUS, 'x86_64-glibc', 'hello'))).readVirtual(rt.value, 16)!, 0, rt.value)!;
    const sys = rt.value + site.length; // mov $15, %rax; syscall
    expect(localRanges(elf, x86_64Decoder, [sys])).toBeUndefined();
    // and the whole-program analysis names rt_sigreturn at that site
    const r = analyzeSyscalls(elf, x86_64Decoder);
    expect(r.syscalls.find((s) => s.name === 'rt_sigreturn')?.sites).toContain(sys);
  });

  it('the number of a syscall(2) call is found through the wrapper', () => {
    const c = join(tmp, 'raw.c');
    writeFileSync(c, '#include <unistd.h>\n#include <sys/syscall.h>\nint main(void){ return syscall(SYS_getppid) > 0 ? (int)syscall(SYS_sched_yield) : 1; }\n');
    for (const [cc, flags] of [['gcc', ['-static']], ['musl-gcc', ['-static']]] as const) {
      const exe = join(tmp, `raw-${cc}`);
      spawnSync(cc, ['-O2', ...flags, '-o', exe, c]);
      const r = analyzeSyscalls(readElf(readFileSync(exe)), x86_64Decoder);
      const set = new Set(r.syscalls.map((s) => s.name));
      expect(set.has('getppid') && set.has('sched_yield'), cc).toBe(true);
      expect(r.wrappers.length, cc).toBeGreaterThan(0);
    }
  });
});
