// The seccomp filter of AOT blobs (tools/aot/host/seccomp.c, from the table in
// tools/aot/host/host-syscalls.ts): the table covers the C handlers and what they really
// call (a blob taken through every handler, under strace on x86_64 and qemu-aarch64 -strace
// on aarch64, with --trace marking where each guest system call ends); a blob runs filtered
// (Seccomp: 2), installs exactly what its manifest lists, and a host system call outside the
// filter, another ABI's or an x32 number, stops it with the message and status 125.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SYSCALLS_AARCH64, SYSCALLS_X86_64 } from '../tools/analyze/syscall-tables.js';
import { checkHandlerTables, HANDLERS, hostSyscalls, libcSyscalls, RUNTIME } from '../tools/aot/host/host-syscalls.js';
import { readSections } from '../tools/wasm/sections.js';
import { CORPUS, ROOT } from './fixtures.js';
import { aotBlob, exec, RECOMP, translated } from './translated.js';

type Target = 'x86_64' | 'aarch64';
const HOST_DIR = join(ROOT, 'tools', 'aot', 'host');
const HELLO = join(CORPUS, 'x86_64-musl', 'hello');
const TABLES: Record<Target, ReadonlyMap<number, string>> = { x86_64: SYSCALLS_X86_64, aarch64: SYSCALLS_AARCH64 };

let tourElf: Promise<string> | undefined;
/** tests/programs/syscall-tour.c, static with musl (the same bytes every run: the blob cache holds) */
function tour(): Promise<string> {
  tourElf ??= (async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'recomp-tour-')), 'syscall-tour');
    const r = await exec('musl-gcc', ['-O1', '-static', '-o', out, join(ROOT, 'tests', 'programs', 'syscall-tour.c')]);
    if (r.status !== 0) throw new Error(`musl-gcc failed: ${r.stderr}`);
    return out;
  })();
  return tourElf;
}

/**
 * The host system calls of each guest system call's handler, from a trace of the blob's
 * process (strace's or qemu -strace's lines, "PID name(args..."), where --trace's own
 * lines (a write of "[recomp] NAME(...") end each guest system call: the calls between
 * two of them are the later one's (its handler runs before its line is written), the calls
 * after the last are the last one's (exit writes its line, then closes and exits). Only
 * what follows the seccomp() call counts: start-up is not filtered.
 */
function callsByHandler(trace: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  let started = false;
  let window: string[] = [];
  let last: string | undefined;
  const flush = (guest: string) => {
    const s = out.get(guest) ?? new Set<string>();
    for (const c of window) s.add(c);
    out.set(guest, s);
    window = [];
  };
  for (const line of trace.split('\n')) {
    const call = /^\d+\s+(\w+)\(/.exec(line)?.[1]; // strace pads short pids
    if (!call) continue;
    if (!started) {
      started = call === 'seccomp';
      continue;
    }
    const guest = call === 'write' ? /\[recomp\] (\w+)\(/.exec(line)?.[1] : undefined;
    if (guest) flush((last = guest));
    else window.push(call);
  }
  if (!started) throw new Error(`no seccomp() call in the trace:\n${trace.slice(0, 3000)}`);
  if (last) flush(last);
  return out;
}

/** the host system calls the filter's BPF (as strace -v prints it) allows: each JEQ followed by RET ALLOW */
function allowedByFilter(trace: string, target: Target): string[] {
  const filter = /seccomp\(SECCOMP_SET_MODE_FILTER, 0, \{len=\d+, filter=\[(.*)\]\}\)/.exec(trace)?.[1];
  if (!filter) throw new Error(`no seccomp() call in the trace:\n${trace.slice(0, 2000)}`);
  const re = /BPF_JUMP\(BPF_JMP\|BPF_K\|BPF_JEQ, (0x[0-9a-f]+|0), 0, 0x1\), BPF_STMT\(BPF_RET\|BPF_K, SECCOMP_RET_ALLOW\)/g;
  return [...filter.matchAll(re)].map((m) => TABLES[target].get(Number(m[1])) ?? `#${m[1]}`).sort();
}

/** the module with the syscall names of its recomp.map section replaced (the section rebuilt, the rest as it was) */
function withGuestSyscalls(bytes: Uint8Array, edit: (names: string[]) => string[]): Uint8Array {
  const sections = readSections(bytes);
  const k = sections.findIndex((x) => x.id === 0 && x.name === 'recomp.map');
  const s = sections[k];
  // the section (its id, size and contents) begins where the one before ends
  const start = k === 0 ? 8 : sections[k - 1].offset + sections[k - 1].size;
  const leb = (n: number) => {
    const out: number[] = [];
    do out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0)), (n >>>= 7);
    while (n);
    return out;
  };
  const name = Buffer.from('recomp.map');
  const headerLen = leb(name.length).length + name.length;
  const map = JSON.parse(Buffer.from(bytes.subarray(s.offset + headerLen, s.offset + s.size)).toString('utf8'));
  map.syscalls.names = edit(map.syscalls.names);
  const body = Buffer.concat([Buffer.from(leb(name.length)), name, Buffer.from(JSON.stringify(map))]);
  return Buffer.concat([bytes.subarray(0, start), Buffer.from([0, ...leb(body.length)]), body, bytes.subarray(s.offset + s.size)]);
}

describe('the host system call table', () => {
  it('has an entry for every handler of syscalls.c and signals.c, and notices one without', () => {
    expect(checkHandlerTables(HOST_DIR)).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'recomp-host-'));
    for (const f of ['syscalls.c', 'signals.c']) copyFileSync(join(HOST_DIR, f), join(dir, f));
    writeFileSync(join(dir, 'syscalls.c'), readFileSync(join(dir, 'syscalls.c'), 'utf8').replace('{"pipe", sys_pipe},', '{"pipe", sys_pipe}, {"acct", sys_zero},'));
    expect(checkHandlerTables(dir)).toEqual(['acct has a handler but no entry in host-syscalls.ts']);
  });

  it('names system calls both hosts have; an incomplete set gets every handler', () => {
    for (const target of ['x86_64', 'aarch64'] as const) {
      const all = hostSyscalls({ names: [], complete: false }, target);
      expect(all).toEqual(hostSyscalls({ names: Object.keys(HANDLERS), complete: true }, target));
      expect(all).toContain('openat');
      expect(all).toContain(target === 'x86_64' ? 'mkdir' : 'mkdirat');
      for (const never of ['execve', 'fork', 'clone', 'socket', 'ptrace', 'kill', 'setuid', 'mount']) expect(all).not.toContain(never);
      // a set with nothing the host does for it: the runtime's calls alone
      expect(hostSyscalls({ names: ['getpid', 'munmap', 'no_such_call'], complete: true }, target)).toEqual([...libcSyscalls(RUNTIME, target)].sort());
    }
  });
});

describe.concurrent('AOT blobs, filtered', () => {
  it.each(['x86_64', 'aarch64'] as const)('%s: every handler makes only the host system calls its entry lists', async (target) => {
    const blob = await aotBlob(await tour(), target);
    const work = mkdtempSync(join(tmpdir(), 'recomp-tour-run-'));
    const args = ['--trace', '--dir', work, '--', work];
    // strace writes the trace to a file; qemu's -strace goes to stderr with the blob's own lines
    const r =
      target === 'x86_64'
        ? await exec('strace', ['-f', '-qq', '-o', join(work, 'strace.txt'), blob, ...args], { timeoutMs: 120_000 })
        : await exec('qemu-aarch64', ['-strace', blob, ...args], { timeoutMs: 120_000 });
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    expect(r.stdout.toString()).toBe('signals ok\ndone\n');
    const trace = target === 'x86_64' ? readFileSync(join(work, 'strace.txt'), 'utf8') : r.stderr;
    const seen = callsByHandler(trace);
    const runtime = libcSyscalls(RUNTIME, target);
    const stray: string[] = [];
    for (const [guest, calls] of seen) {
      const listed = libcSyscalls(HANDLERS[guest] ?? [], target);
      for (const c of calls) if (!listed.has(c) && !runtime.has(c)) stray.push(`${guest} made ${c}`);
    }
    expect(stray).toEqual([]);
    // the tour reaches every handler but exit (exit_group's) and rt_sigreturn (which leaves by longjmp, without a --trace line)
    expect(Object.keys(HANDLERS).filter((n) => !seen.has(n))).toEqual(['exit', 'rt_sigreturn']);
    // and the handlers did call the host: the trace is not empty of what the table is about
    expect([...(seen.get('openat') ?? [])]).toContain('openat');
    expect([...(seen.get('getdents64') ?? [])]).toContain('getdents64');
  }, 900_000);

  it('x86_64: the guest reads Seccomp: 2 and NoNewPrivs: 1 in its /proc/self/status', async () => {
    const blob = await aotBlob(await tour(), 'x86_64');
    const work = mkdtempSync(join(tmpdir(), 'recomp-tour-run-'));
    const r = await exec(blob, ['--dir', work, '--dir', '/proc', '--', work, '/proc/self/status'], { timeoutMs: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.toString()).toMatch(/^NoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t1\n/);
  }, 900_000);

  it('x86_64: the filter the blob installs allows what its manifest lists: hello, a complete set, few; glibc hello, an incomplete set, every handler', async () => {
    for (const [elf, complete] of [
      [HELLO, true],
      [join(CORPUS, 'x86_64-glibc', 'hello'), false],
    ] as const) {
      const blob = await aotBlob(elf, 'x86_64');
      const manifest = JSON.parse(readFileSync(`${blob}.manifest.json`, 'utf8'));
      expect(manifest.syscalls.complete).toBe(complete);
      const allowed: string[] = manifest.aot.seccomp.allowed;
      expect(allowed).toEqual([...allowed].sort());
      expect(allowed).toEqual(hostSyscalls(manifest.syscalls, 'x86_64'));
      const dir = mkdtempSync(join(tmpdir(), 'recomp-seccomp-'));
      const r = await exec('strace', ['-v', '-qq', '-e', 'trace=seccomp', '-o', join(dir, 'strace.txt'), blob], { timeoutMs: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.toString()).toBe('hello, world\n');
      expect(allowedByFilter(readFileSync(join(dir, 'strace.txt'), 'utf8'), 'x86_64')).toEqual(allowed);
      for (const c of ['write', 'exit_group', 'writev']) expect(allowed).toContain(c);
      for (const never of ['execve', 'fork', 'clone', 'socket', 'ptrace', 'kill']) expect(allowed).not.toContain(never);
      // musl's hello neither makes nor gets directories; an incomplete set gets every handler's calls
      for (const c of ['mkdir', 'rename', 'unlink', 'getdents64']) expect(allowed.includes(c)).toBe(!complete);
    }
  }, 900_000);

  it('x86_64: a host system call outside the filter stops the blob, named, with status 125', async () => {
    // hello's module with writev taken out of its syscall set: the host's writev for the guest's is then outside the filter
    const module = await translated(HELLO, 2, 'aot');
    const dir = mkdtempSync(join(tmpdir(), 'recomp-seccomp-'));
    const bytes = withGuestSyscalls(readFileSync(module), (names) => names.filter((n) => n !== 'writev'));
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'hello.wasm'), bytes);
    const manifest = JSON.parse(readFileSync(`${module}.manifest.json`, 'utf8'));
    manifest.outputs[0] = { ...manifest.outputs[0], name: 'hello.wasm', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    writeFileSync(join(dir, 'hello.wasm.manifest.json'), JSON.stringify(manifest));
    const built = await exec(RECOMP, ['aot', join(dir, 'hello.wasm'), '--target', 'x86_64', '-o', join(dir, 'out', 'hello'), '--json']);
    expect(built.status, built.stderr).toBe(0);
    const report = JSON.parse(built.stdout.toString());
    expect(report.aot.seccomp.allowed).not.toContain('writev');
    expect(report.aot.seccomp.allowed).toContain('write');
    const r = await exec(join(dir, 'out', 'hello'), []);
    expect(r.stdout.toString()).toBe('');
    expect(r.stderr).toBe("recomp: the host made system call 20 (writev), which this blob's seccomp filter does not allow (a recomp bug; the guest's writev was in progress)\n");
    expect(r.status).toBe(125);
  }, 900_000);
});

describe('the filter alone (tests/programs/seccomp-abi.c linked with seccomp.c)', () => {
  const build = async (cc: string) => {
    const out = join(mkdtempSync(join(tmpdir(), 'recomp-seccomp-abi-')), 'abi');
    const r = await exec(cc, ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-Werror', '-static', '-I', HOST_DIR, '-o', out, join(ROOT, 'tests', 'programs', 'seccomp-abi.c'), join(HOST_DIR, 'seccomp.c')]);
    expect(r.status, r.stderr).toBe(0);
    return out;
  };

  it('x86_64: allows what is listed; traps anything else, x32 numbers and i386 calls, each named', async () => {
    const abi = await build('gcc');
    const ok = await exec(abi, ['write']);
    expect([ok.status, ok.stdout.toString(), ok.stderr]).toEqual([0, 'allowed\n', '']);
    const refused = "which this blob's seccomp filter does not allow (a recomp bug; the guest's harness was in progress)\n";
    // a kernel without IA32 emulation has no i386 calls to filter: int 0x80 is a SIGSEGV there
    const probe = await exec(abi, ['i386-probe']);
    const i386 = probe.status === 0;
    if (!i386) expect(probe.signal).toBe('SIGSEGV');
    for (const [what, message] of [
      ['getpid', `recomp: the host made system call 39 (getpid), ${refused}`],
      ['x32', `recomp: the host made an x32 system call (0x40000027), ${refused}`],
      ['i386', `recomp: the host made a system call of another architecture (audit arch 0x40000003, number 20), ${refused}`],
    ]) {
      const r = await exec(abi, [what]);
      if (what === 'i386' && !i386) expect([r.signal, r.stdout.toString()], what).toEqual(['SIGSEGV', '']);
      else expect([r.status, r.stdout.toString(), r.stderr], what).toEqual([125, '', message]);
    }
  }, 120_000);

  it('aarch64: compiles, and runs under qemu-user, which refuses seccomp filters, with a warning', async () => {
    const abi = await build('aarch64-linux-gnu-gcc');
    const r = await exec('qemu-aarch64', [abi, 'write']);
    expect([r.status, r.stdout.toString()]).toEqual([0, 'allowed\n']);
    expect(r.stderr).toMatch(/^recomp: warning: this kernel \(or emulator\) has no seccomp filters \(Function not implemented\): the host's system calls are not filtered\n$/);
  }, 120_000);
});
