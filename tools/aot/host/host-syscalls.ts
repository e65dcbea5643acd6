// The host system calls the native host (the C beside this file) may make once the guest
// runs: the table the blob's seccomp filter (seccomp.c) is built from. Two levels, each
// checkable on its own:
//
// - HANDLERS: the C library functions each system call handler of syscalls.c and signals.c
//   calls, helpers included (read them off the handler); RUNTIME: what the host calls
//   outside any handler.
// - LIBC: the system calls each of those functions makes in the C library the blob is
//   linked with (glibc 2.36 of Debian bookworm, static), on each host architecture: seen
//   with strace on x86_64 and qemu-aarch64 -strace on aarch64.
//
// tests/aot-seccomp.test.ts runs a blob through every handler under strace (and qemu's) and
// checks that what each handler really called is in its entry here. A handler added to the
// C tables without an entry here is refused by `recomp aot` (checkHandlerTables).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SYSCALLS_AARCH64, SYSCALLS_X86_64 } from '../../analyze/syscall-tables.js';
import type { Target } from '../index.js';

type PerArch = Readonly<Record<Target, readonly string[]>>;
const both = (...names: string[]): PerArch => ({ x86_64: names, aarch64: names });
/** path calls: aarch64 has only the *at forms, which glibc then uses */
const legacyOrAt = (x86_64: string, aarch64: string): PerArch => ({ x86_64: [x86_64], aarch64: [aarch64] });

/** the system calls of each C library function the host calls after start-up */
const LIBC = {
  read: both('read'),
  pread: both('pread64'),
  writev: both('writev'),
  pwritev: both('pwritev'),
  // glibc's nanosleep is clock_nanosleep(CLOCK_REALTIME)
  nanosleep: both('clock_nanosleep'),
  clock_nanosleep: both('clock_nanosleep'),
  // usually answered by the vDSO; a system call where the clock source has none (and under qemu)
  clock_gettime: both('clock_gettime'),
  getrusage: both('getrusage'),
  getrandom: both('getrandom'),
  open: both('openat'),
  close: both('close'),
  // newfstatat: glibc's fallback on kernels before 4.11, which have no statx
  statx: both('statx', 'newfstatat'),
  // stat, lstat, fstat and fstatat all become fstatat
  stat: both('newfstatat'),
  readlink: legacyOrAt('readlink', 'readlinkat'),
  // a readlink per component; faccessat2 checks a directory before '..' (faccessat: glibc's
  // fallback on kernels before 5.8, which have no faccessat2)
  realpath: { x86_64: ['readlink', 'faccessat2', 'faccessat'], aarch64: ['readlinkat', 'faccessat2', 'faccessat'] },
  mkdir: legacyOrAt('mkdir', 'mkdirat'),
  rmdir: legacyOrAt('rmdir', 'unlinkat'),
  unlink: legacyOrAt('unlink', 'unlinkat'),
  rename: legacyOrAt('rename', 'renameat'),
  link: legacyOrAt('link', 'linkat'),
  symlink: legacyOrAt('symlink', 'symlinkat'),
  opendir: both('openat', 'newfstatat'),
  readdir: both('getdents64'),
  closedir: both('close'),
  // sysconf(_SC_PHYS_PAGES) once, before sorting an array of 1 KiB or more
  qsort: both('sysinfo'),
  // isatty is tcgetattr: TCGETS
  isatty: both('ioctl'),
  ioctl: both('ioctl'),
  fsync: both('fsync'),
  ftruncate: both('ftruncate'),
  // malloc, calloc, realloc and free (the main arena: the program break, big blocks mapped)
  malloc: both('brk', 'mmap', 'munmap', 'mremap'),
  // zeroing a long range of guest memory (memory.c zero)
  madvise: both('madvise'),
  // to stderr, which is unbuffered: one write
  fprintf: both('write'),
  write: both('write'),
  exit: both('exit_group'),
  sigaction: both('rt_sigaction'),
  // raise is pthread_kill of the calling thread, with all signals blocked around it; abort
  // also restores SIGABRT's default action
  raise: both('rt_sigprocmask', 'getpid', 'tgkill'),
  abort: both('rt_sigprocmask', 'getpid', 'tgkill', 'rt_sigaction'),
  // not a function: the return from a host signal handler
  sigreturn: both('rt_sigreturn'),
} satisfies Record<string, PerArch>;
type Libc = keyof typeof LIBC;

// the helpers of syscalls.c and files.c, by what they call
/** sandbox_resolve */
const RESOLVE: Libc[] = ['realpath'];
/** do_open: resolve, sandbox_check_create (lstat, readlink, realpath), open */
const OPEN: Libc[] = [...RESOLVE, 'stat', 'readlink', 'open', 'close'];
/** read_fd: host_read, and the wait on a non-blocking stdin */
const READ: Libc[] = ['read', 'pread', 'nanosleep'];
/** write_fd: one (p)writev, waits on EAGAIN */
const WRITE: Libc[] = ['writev', 'pwritev', 'nanosleep'];
/** host_stat, host_fstat, fd_stat */
const STAT: Libc[] = ['statx'];
/** stat_at */
const STAT_AT: Libc[] = [...RESOLVE, ...STAT];
/** timespec_now: the clocks, process CPU time from getrusage */
const NOW: Libc[] = ['clock_gettime', 'getrusage'];
/** signals.c: the timer reads the monotonic clock, waiting sleeps until a time */
const WAIT: Libc[] = ['clock_gettime', 'clock_nanosleep'];
/** getdents: is_dir_file (fstat), dir_stream (opendir, stat, readdir, fstatat, closedir, qsort), the synthetic entries (qsort) */
const GETDENTS: Libc[] = ['stat', 'opendir', 'readdir', 'closedir', 'qsort'];

/**
 * Every handler of syscalls.c (SYSCALLS) and signals.c (signal_syscalls), by the guest
 * system call's name, with the C library functions it calls. Empty: answered inside the
 * host (memory, identity, descriptors, pipes, signals) or refused.
 */
export const HANDLERS: Readonly<Record<string, readonly Libc[]>> = {
  read: READ,
  write: WRITE,
  pread64: READ,
  pwrite64: WRITE,
  readv: READ,
  writev: WRITE,
  open: OPEN,
  openat: OPEN,
  creat: OPEN,
  close: ['close'],
  lseek: STAT,
  fstat: STAT,
  stat: STAT_AT,
  lstat: STAT_AT,
  newfstatat: STAT_AT,
  statx: STAT_AT,
  access: RESOLVE,
  faccessat: RESOLVE,
  faccessat2: RESOLVE,
  getdents64: GETDENTS,
  mkdir: [...RESOLVE, 'mkdir'],
  mkdirat: [...RESOLVE, 'mkdir'],
  rmdir: [...RESOLVE, 'rmdir'],
  unlink: [...RESOLVE, 'unlink'],
  unlinkat: [...RESOLVE, 'unlink', 'rmdir'],
  rename: [...RESOLVE, 'rename'],
  renameat: [...RESOLVE, 'rename'],
  renameat2: [...RESOLVE, 'rename'],
  link: [...RESOLVE, 'link'],
  symlink: [...RESOLVE, 'symlink'],
  readlink: [...RESOLVE, 'readlink'],
  readlinkat: [...RESOLVE, 'readlink'],
  getcwd: [],
  chdir: [...RESOLVE, 'stat'],
  fchdir: ['stat'],
  dup: [],
  // replace a descriptor: the one replaced is closed
  dup2: ['close'],
  dup3: ['close'],
  fcntl: [],
  ioctl: ['isatty', 'ioctl'],
  pipe: [],
  pipe2: [],
  fsync: ['fsync'],
  fdatasync: ['fsync'],
  ftruncate: ['ftruncate'],
  umask: [],
  chmod: [],
  fchmod: [],
  fchmodat: [],
  chown: [],
  fchown: [],
  fchownat: [],
  lchown: [],
  utimensat: [],
  // the memory given out is zeroed (memory.c zero)
  brk: ['madvise'],
  // a file mapping is a copy read into the guest's memory
  mmap: ['madvise', 'pread', 'read'],
  munmap: [],
  mprotect: [],
  madvise: [],
  mremap: ['madvise'],
  // files_close_all, then exit
  exit: ['close', 'exit'],
  exit_group: ['close', 'exit'],
  getpid: [],
  gettid: [],
  getppid: [],
  getuid: [],
  geteuid: [],
  getgid: [],
  getegid: [],
  getpgrp: [],
  getpgid: [],
  getsid: [],
  setpgid: [],
  getgroups: [],
  getresuid: [],
  getresgid: [],
  set_tid_address: [],
  set_robust_list: [],
  rseq: [],
  arch_prctl: [],
  uname: [],
  prlimit64: [],
  getrlimit: [],
  setrlimit: [],
  getrusage: ['getrusage'],
  sysinfo: ['clock_gettime'],
  sched_getaffinity: [],
  sched_yield: [],
  getrandom: ['getrandom'],
  clock_gettime: NOW,
  clock_getres: [],
  gettimeofday: NOW,
  time: ['clock_gettime'],
  nanosleep: ['nanosleep'],
  clock_nanosleep: [...NOW, 'nanosleep'],
  futex: [],
  // fork, exec and threads: refused, with a message (fprintf: RUNTIME)
  fork: [],
  vfork: [],
  clone: [],
  clone3: [],
  execve: [],
  wait4: [],
  poll: [],
  ppoll: WAIT,
  rt_sigaction: [],
  rt_sigprocmask: [],
  rt_sigpending: [],
  rt_sigreturn: [],
  kill: [],
  tgkill: [],
  tkill: [],
  alarm: ['clock_gettime'],
  setitimer: ['clock_gettime'],
  getitimer: ['clock_gettime'],
  pause: WAIT,
  rt_sigsuspend: WAIT,
  sigaltstack: [],
};

/**
 * What the host calls outside the handlers once the guest runs: malloc (the handlers' and
 * the dispatcher's own memory); stderr (--trace lines, the message of a guest killed or a
 * trap, this filter's own); exit; the monotonic clock (the signal timer, checked as every
 * system call returns; rdtsc); and the wasm runtime's fault handler (runtime/wasm-rt.c),
 * which for a fault that is not the guest's restores the default action and returns or
 * raises the signal again; abort after a host bug's message.
 */
export const RUNTIME: readonly Libc[] = ['malloc', 'fprintf', 'write', 'exit', 'clock_gettime', 'sigaction', 'sigreturn', 'raise', 'abort'];

const TABLES: Record<Target, ReadonlyMap<number, string>> = { x86_64: SYSCALLS_X86_64, aarch64: SYSCALLS_AARCH64 };

/** the host system calls (by name) of C library functions on arch */
export function libcSyscalls(fns: readonly Libc[], arch: Target): Set<string> {
  return new Set(fns.flatMap((f) => LIBC[f][arch]));
}

/**
 * The host system calls the blob may make once the guest runs, sorted by name: the
 * runtime's, and those of the handler of every guest system call in the set (of every
 * handler when the set is incomplete). Guest system calls without a handler come back as
 * ENOSYS and need nothing.
 */
export function hostSyscalls(guest: { names: readonly string[]; complete: boolean }, arch: Target): string[] {
  const names = guest.complete ? guest.names.filter((n) => Object.hasOwn(HANDLERS, n)) : Object.keys(HANDLERS);
  const out = libcSyscalls([...RUNTIME, ...names.flatMap((n) => HANDLERS[n])], arch);
  const table = new Set(TABLES[arch].values());
  for (const n of out) if (!table.has(n)) throw new Error(`host-syscalls.ts names ${n}, which ${arch} does not have`);
  return [...out].sort();
}

/** name → number on arch */
export function hostSyscallNumber(name: string, arch: Target): number {
  for (const [nr, n] of TABLES[arch]) if (n === name) return nr;
  throw new Error(`${arch} has no system call ${name}`);
}

/**
 * The guest system calls the C handler tables name (syscalls.c SYSCALLS, signals.c
 * signal_syscalls) compared with HANDLERS: a list of what one has and the other lacks,
 * empty when they agree.
 */
export function checkHandlerTables(hostDir: string): string[] {
  const inC = new Set<string>();
  for (const f of ['syscalls.c', 'signals.c'])
    for (const m of readFileSync(join(hostDir, f), 'utf8').matchAll(/\{"(\w+)", sys_\w+\}/g)) inC.add(m[1]);
  const problems: string[] = [];
  for (const n of [...inC].sort()) if (!Object.hasOwn(HANDLERS, n)) problems.push(`${n} has a handler but no entry in host-syscalls.ts`);
  for (const n of Object.keys(HANDLERS).sort()) if (!inC.has(n)) problems.push(`${n} has an entry in host-syscalls.ts but no handler`);
  return problems;
}
