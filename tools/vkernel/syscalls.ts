// Linux system calls on the host, by name (the architecture's table maps numbers to names).
// Each handler returns the result or a negative errno, as the kernel does. Anything not in
// SYSCALL_HANDLERS returns -ENOSYS (and `--trace` names it).
import {
  closeSync, fstatSync, fsyncSync, ftruncateSync, linkSync, lstatSync, mkdirSync, readSync, readlinkSync, renameSync,
  rmdirSync, statSync, symlinkSync, unlinkSync, writeSync, type BigIntStats,
} from 'node:fs';
import { isatty } from 'node:tty';
import { randomFillSync } from 'node:crypto';
import { E, errnoOf, GuestKilled } from './errors.js';
import { dirStream, O, Pipe, openHost, type OpenFile } from './files.js';
import type { Process } from './process.js';
import { SIGNAL_SYSCALLS } from './signals.js';

export type SyscallArgs = bigint[];
type Handler = (p: Process, a: SyscallArgs, pc: number) => number | bigint;

const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;
const AT_REMOVEDIR = 0x200;
const AT_EMPTY_PATH = 0x1000;

const int = (v: bigint) => Number(BigInt.asIntN(64, v));
const i32 = (v: bigint) => Number(BigInt.asIntN(32, v));
const ptr = (v: bigint) => Number(BigInt.asUintN(32, v)) + (v >> 32n ? 2 ** 32 : 0);

/** runs a host operation, mapping a thrown Node error to -errno */
function host<T>(f: () => T): T | number {
  try {
    return f();
  } catch (e) {
    return -errnoOf(e);
  }
}

function path(p: Process, addr: bigint): string | number {
  const s = p.mem.cstring(ptr(addr));
  return s === undefined ? -E.FAULT : s;
}

/** the directory a *at() call resolves a relative path against */
function dirOf(p: Process, dirfd: bigint): string | number {
  const fd = i32(dirfd);
  if (fd === AT_FDCWD) return p.sandbox.cwd;
  const f = p.fds.get(fd);
  if (!f) return -E.BADF;
  if (f.kind === 'host') return f.guestPath;
  if (f.kind === 'synthetic-dir') return f.guestPath;
  return -E.NOTDIR;
}

function resolveAt(p: Process, dirfd: bigint, addr: bigint, opts: { forCreate?: boolean; noFollow?: boolean } = {}): { host: string; guest: string } | number {
  const s = path(p, addr);
  if (typeof s === 'number') return s;
  const dir = s.startsWith('/') ? p.sandbox.cwd : dirOf(p, dirfd);
  if (typeof dir === 'number') return dir;
  const h = p.sandbox.resolve(s, { dir, ...opts });
  if (typeof h === 'number') return h;
  return { host: h, guest: p.sandbox.absolute(s, dir) };
}

// ---- struct writers (x86_64 layouts; struct stat by guest architecture) ----

/**
 * struct stat: x86_64's own layout (144 bytes) or asm-generic's (aarch64: 128 bytes, mode
 * and nlink as 32-bit words after the inode); both end with the three timespecs at 72.
 */
function writeStat(p: Process, addr: number, st: BigIntStats): number {
  const generic = p.arch.stat === 'generic';
  const b = p.mem.range(addr, generic ? 128 : 144);
  if (!b) return -E.FAULT;
  b.fill(0);
  const m = p.mem;
  m.setU64(addr, st.dev);
  m.setU64(addr + 8, st.ino);
  if (generic) {
    m.setU32(addr + 16, Number(st.mode));
    m.setU32(addr + 20, Number(st.nlink));
    m.setU32(addr + 24, Number(st.uid));
    m.setU32(addr + 28, Number(st.gid));
    m.setU64(addr + 32, st.rdev);
    m.setU64(addr + 48, st.size);
    m.setU32(addr + 56, Number(st.blksize));
  } else {
    m.setU64(addr + 16, st.nlink);
    m.setU32(addr + 24, Number(st.mode));
    m.setU32(addr + 28, Number(st.uid));
    m.setU32(addr + 32, Number(st.gid));
    m.setU64(addr + 40, st.rdev);
    m.setU64(addr + 48, st.size);
    m.setU64(addr + 56, st.blksize);
  }
  m.setU64(addr + 64, st.blocks);
  const ts = (o: number, ns: bigint) => {
    m.setU64(addr + o, ns / 1000000000n);
    m.setU64(addr + o + 8, ns % 1000000000n);
  };
  ts(72, st.atimeNs);
  ts(88, st.mtimeNs);
  ts(104, st.ctimeNs);
  return 0;
}

function writeStatx(p: Process, addr: number, st: BigIntStats): number {
  const b = p.mem.range(addr, 256);
  if (!b) return -E.FAULT;
  b.fill(0);
  const m = p.mem;
  m.setU32(addr, 0x7ff);
  m.setU32(addr + 4, Number(st.blksize));
  m.setU32(addr + 16, Number(st.nlink));
  m.setU32(addr + 20, Number(st.uid));
  m.setU32(addr + 24, Number(st.gid));
  m.view.setUint16(addr + 28, Number(st.mode), true);
  m.setU64(addr + 32, st.ino);
  m.setU64(addr + 40, st.size);
  m.setU64(addr + 48, st.blocks);
  const ts = (o: number, ns: bigint) => {
    m.setU64(addr + o, ns / 1000000000n);
    m.setU32(addr + o + 8, Number(ns % 1000000000n));
  };
  ts(64, st.atimeNs);
  ts(80, st.birthtimeNs);
  ts(96, st.ctimeNs);
  ts(112, st.mtimeNs);
  m.setU32(addr + 128, Number(st.rdev >> 8n) & 0xfff);
  m.setU32(addr + 132, Number(st.rdev & 0xffn));
  m.setU32(addr + 136, Number(st.dev >> 8n) & 0xfff);
  m.setU32(addr + 140, Number(st.dev & 0xffn));
  return 0;
}

/** stat of a standard stream or pipe: what the host says for 0/1/2, a FIFO for pipes */
function fdStat(p: Process, f: OpenFile): BigIntStats | number {
  if (f.kind === 'host') return host(() => fstatSync(f.fd, { bigint: true }));
  if (f.kind === 'std') return host(() => fstatSync(f.fd, { bigint: true }));
  if (f.kind === 'synthetic-dir') return host(() => statSync('/', { bigint: true }));
  const st = host(() => fstatSync(0, { bigint: true }));
  if (typeof st === 'number') return st;
  return Object.assign(Object.create(Object.getPrototypeOf(st)), st, { mode: 0o10600n, size: 0n, ino: 1n, dev: 0xcn, nlink: 1n });
}

// ---- I/O ----

function readFd(p: Process, f: OpenFile, buf: Uint8Array, pos?: bigint): number {
  if (f.kind === 'std' || f.kind === 'host') {
    if (f.kind === 'host' && f.dir) return -E.ISDIR;
    const where = pos ?? (f.kind === 'host' ? f.pos : null);
    const n = host(() => readSync(f.fd, buf, 0, buf.length, where === null ? null : where));
    if (typeof n === 'number' && n > 0 && f.kind === 'host' && pos === undefined) f.pos += BigInt(n);
    if (n === -E.AGAIN && f.kind === 'std') return retryRead(f.fd, buf);
    return n;
  }
  if (f.kind === 'pipe') {
    if (f.end !== 'r') return -E.BADF;
    const pipe = f.pipe;
    if (!pipe.chunks.length) {
      // a single process: an empty pipe with no other writer is at end of file; with a writer
      // (this same process) reading would block forever
      if (pipe.writers > 0) return -E.AGAIN;
      return 0;
    }
    let n = 0;
    while (n < buf.length && pipe.chunks.length) {
      const c = pipe.chunks[0];
      const k = Math.min(c.length, buf.length - n);
      buf.set(c.subarray(0, k), n);
      n += k;
      if (k === c.length) pipe.chunks.shift();
      else pipe.chunks[0] = c.subarray(k);
    }
    return n;
  }
  return -E.ISDIR;
}

/** a non-blocking stdin (inherited from a shell) reports EAGAIN: wait and retry */
function retryRead(fd: number, buf: Uint8Array): number {
  for (;;) {
    try {
      return readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as { code?: string }).code !== 'EAGAIN') return -errnoOf(e);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

function writeFd(p: Process, f: OpenFile, buf: Uint8Array, pos?: bigint): number {
  if (f.kind === 'std' || f.kind === 'host') {
    if (f.kind === 'host' && f.dir) return -E.ISDIR;
    let where: bigint | null = pos ?? (f.kind === 'host' && !f.append ? f.pos : null);
    let done = 0;
    while (done < buf.length) {
      const n = host(() => writeSync(f.fd, buf, done, buf.length - done, where === null ? null : Number(where)));
      if (typeof n === 'number' && n < 0) {
        if (n === -E.AGAIN) {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
          continue;
        }
        if (n === -E.PIPE) throw new GuestKilled(13, 'write to a closed pipe');
        return done || n;
      }
      done += n;
      if (where !== null) where += BigInt(n);
    }
    if (f.kind === 'host' && pos === undefined) f.pos = f.append ? f.pos + BigInt(done) : f.pos + BigInt(done);
    return done;
  }
  if (f.kind === 'pipe') {
    if (f.end !== 'w') return -E.BADF;
    if (f.pipe.readers === 0) throw new GuestKilled(13, 'write to a pipe with no reader');
    f.pipe.chunks.push(Buffer.from(buf));
    return buf.length;
  }
  return -E.BADF;
}

function fdArg(p: Process, v: bigint): OpenFile | number {
  const f = p.fds.get(i32(v));
  return f ?? -E.BADF;
}

function iovecs(p: Process, addr: bigint, count: bigint): Uint8Array[] | number {
  const n = int(count);
  if (n < 0 || n > 1024) return -E.INVAL;
  const out: Uint8Array[] = [];
  for (let k = 0; k < n; k++) {
    const a = ptr(addr) + k * 16;
    if (!p.mem.range(a, 16)) return -E.FAULT;
    const base = ptr(p.mem.u64(a));
    const len = int(p.mem.u64(a + 8));
    const r = p.mem.range(base, len);
    if (!r) return -E.FAULT;
    out.push(r);
  }
  return out;
}

// ---- the handlers ----

const open = (p: Process, dirfd: bigint, pathAddr: bigint, flagsV: bigint, modeV: bigint): number => {
  const flags = p.arch.openFlags(i32(flagsV));
  const create = (flags & O.CREAT) !== 0;
  const r = resolveAt(p, dirfd, pathAddr, { forCreate: create, noFollow: (flags & O.NOFOLLOW) !== 0 });
  if (typeof r === 'number') return r;
  const cloexec = (flags & O.CLOEXEC) !== 0;
  if (r.host.startsWith('\0dir:')) {
    if (flags & (O.WRONLY | O.RDWR)) return -E.ISDIR;
    return p.fds.add({ kind: 'synthetic-dir', guestPath: r.guest, refs: 0 }, cloexec);
  }
  const fd = host(() => openHost(r.host, flags & ~O.NONBLOCK, Number(modeV) & ~p.umask & 0o7777));
  if (fd < 0) return fd;
  const f: OpenFile = { kind: 'host', fd, path: r.host, guestPath: r.guest, flags, append: (flags & O.APPEND) !== 0, pos: 0n, refs: 0 };
  const g = p.fds.add(f, cloexec);
  if (g < 0) closeSync(fd);
  return g;
};

function isDirFile(f: OpenFile): boolean {
  if (f.kind === 'synthetic-dir') return true;
  if (f.kind !== 'host') return false;
  try {
    return fstatSync(f.fd).isDirectory();
  } catch {
    return false;
  }
}

const statAt = (p: Process, dirfd: bigint, pathAddr: bigint, flags: number, out: (st: BigIntStats) => number): number => {
  if (flags & AT_EMPTY_PATH && p.mem.cstring(ptr(pathAddr)) === '') {
    const f = fdArg(p, dirfd);
    if (typeof f === 'number') return f;
    const st = fdStat(p, f);
    return typeof st === 'number' ? st : out(st);
  }
  const noFollow = (flags & AT_SYMLINK_NOFOLLOW) !== 0;
  const r = resolveAt(p, dirfd, pathAddr, { noFollow });
  if (typeof r === 'number') return r;
  const st = host(() => (r.host.startsWith('\0dir:') ? statSync('/', { bigint: true }) : noFollow ? lstatSync(r.host, { bigint: true }) : statSync(r.host, { bigint: true })));
  return typeof st === 'number' ? st : out(st);
};

function timespecNow(clock: number): bigint {
  // CLOCK_REALTIME 0, MONOTONIC 1, PROCESS_CPUTIME 2, THREAD_CPUTIME 3, MONOTONIC_RAW 4, *_COARSE 5/6, BOOTTIME 7
  if (clock === 0 || clock === 5) return BigInt(Date.now()) * 1000000n + (process.hrtime.bigint() % 1000000n);
  if (clock === 2 || clock === 3) {
    const u = process.cpuUsage();
    return BigInt(u.user + u.system) * 1000n;
  }
  return process.hrtime.bigint();
}

/** the struct timespec at `addr` in nanoseconds, or undefined when it is not in guest memory */
function timespecAt(p: Process, addr: number): bigint | undefined {
  if (!p.mem.range(addr, 16)) return undefined;
  return p.mem.u64(addr) * 1000000000n + p.mem.u64(addr + 8);
}

function sleepNs(ns: bigint): void {
  const ms = Number(ns / 1000000n);
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function getdents(p: Process, fdv: bigint, bufAddr: bigint, count: bigint): number {
  const f = fdArg(p, fdv);
  if (typeof f === 'number') return f;
  if (f.kind !== 'host' && f.kind !== 'synthetic-dir') return -E.NOTDIR;
  if (!isDirFile(f)) return -E.NOTDIR;
  if (!f.dir) {
    if (f.kind === 'host') {
      const d = host(() => dirStream(f.path));
      if (typeof d === 'number') return d;
      f.dir = d;
    } else {
      f.dir = { entries: [{ name: '.', ino: 1n, type: 4 }, { name: '..', ino: 1n, type: 4 }, ...p.sandbox.syntheticEntries(f.guestPath).map((name, k) => ({ name, ino: BigInt(k + 2), type: 4 }))], next: 0 };
    }
  }
  const d = f.dir;
  const base = ptr(bufAddr);
  const cap = int(count);
  if (!p.mem.range(base, cap)) return -E.FAULT;
  let off = 0;
  while (d.next < d.entries.length) {
    const e = d.entries[d.next];
    const name = Buffer.from(e.name, 'utf8');
    const reclen = (19 + name.length + 1 + 7) & ~7;
    if (off + reclen > cap) {
      if (off === 0) return -E.INVAL;
      break;
    }
    const a = base + off;
    p.mem.bytes.fill(0, a, a + reclen);
    p.mem.setU64(a, e.ino);
    p.mem.setU64(a + 8, BigInt(d.next + 1));
    p.mem.view.setUint16(a + 16, reclen, true);
    p.mem.bytes[a + 18] = e.type;
    p.mem.bytes.set(name, a + 19);
    off += reclen;
    d.next++;
  }
  return off;
}

function utsname(p: Process, addr: bigint): number {
  const a = ptr(addr);
  const b = p.mem.range(a, 65 * 6);
  if (!b) return -E.FAULT;
  b.fill(0);
  // a fixed identity, so output does not depend on the host (documented in the README)
  ['Linux', 'recomp', '6.1.0-recomp', '#1 SMP PREEMPT_DYNAMIC recomp', p.arch.machine, '(none)'].forEach((s, k) => b.set(Buffer.from(s), k * 65));
  return 0;
}

const RLIM_INFINITY = 0xffffffffffffffffn;
function rlimit(resource: number): [bigint, bigint] {
  switch (resource) {
    case 3: return [8n << 20n, RLIM_INFINITY]; // STACK
    case 7: return [1024n, 1024n]; // NOFILE
    default: return [RLIM_INFINITY, RLIM_INFINITY];
  }
}

function mmap(p: Process, a: SyscallArgs): number {
  const [addr, len, , flagsV, fdV, offV] = a;
  const flags = i32(flagsV);
  const MAP_FIXED = 0x10;
  const MAP_ANON = 0x20;
  const n = int(len);
  if (n <= 0) return -E.INVAL;
  const at = p.mem.map(n, ptr(addr), (flags & MAP_FIXED) !== 0);
  if (at < 0) return at;
  if (!(flags & MAP_ANON)) {
    // file mappings are copies (MAP_PRIVATE semantics; writes to a MAP_SHARED mapping are not written back)
    const f = fdArg(p, fdV);
    if (typeof f === 'number' || f.kind !== 'host') {
      p.mem.unmap(at, n);
      return typeof f === 'number' ? f : -E.ACCES;
    }
    const buf = p.mem.range(at, n)!;
    const r = host(() => readSync(f.fd, buf, 0, n, int(offV)));
    if (typeof r === 'number' && r < 0) {
      p.mem.unmap(at, n);
      return r;
    }
  }
  return at;
}

export const SYSCALL_HANDLERS: Record<string, Handler> = {
  read: (p, a) => {
    const f = fdArg(p, a[0]);
    if (typeof f === 'number') return f;
    const buf = p.mem.range(ptr(a[1]), int(a[2]));
    return buf ? readFd(p, f, buf) : -E.FAULT;
  },
  write: (p, a) => {
    const f = fdArg(p, a[0]);
    if (typeof f === 'number') return f;
    const buf = p.mem.range(ptr(a[1]), int(a[2]));
    return buf ? writeFd(p, f, buf) : -E.FAULT;
  },
  pread64: (p, a) => {
    const f = fdArg(p, a[0]);
    if (typeof f === 'number') return f;
    if (f.kind !== 'host') return -E.SPIPE;
    const buf = p.mem.range(ptr(a[1]), int(a[2]));
    return buf ? readFd(p, f, buf, a[3]) : -E.FAULT;
  },
  pwrite64: (p, a) => {
    const f = fdArg(p, a[0]);
    if (typeof f === 'number') return f;
    if (f.kind !== 'host') return -E.SPIPE;
    const buf = p.mem.range(ptr(a[1]), int(a[2]));
    return buf ? writeFd(p, f, buf, a[3]) : -E.FAULT;
  },
  readv: (p, a) => {
    const f = fdArg(p, a[0]);
    if (typeof f === 'number') return f;
    const v = iovecs(p, a[1], a[2]);
    if (typeof v === 'number') return v;
    let total = 0;
    for (const b of v) {
      if (!b.length) continue;
      const n = readFd(p, f, b);
      if (n < 0) return total || n;
      total += n;
      if (n < b.length) break;
    }
    return total;
  },
  writev: (p, a) => {
    const f = fdArg(p, a[0]);
    if (typeof f === 'number') return f;
    const v = iovecs(p, a[1], a[2]);
    if (typeof v === 'number') return v;
    // one host write, so a line assembled from several pieces is not interleaved
    const joined = Buffer.concat(v);
    return joined.length ? writeFd(p, f, joined) : 0;
  },
  open: (p, a) => open(p, BigInt(AT_FDCWD), a[0], a[1], a[2]),
  openat: (p, a) => open(p, a[0], a[1], a[2], a[3]),
  creat: (p, a) => open(p, BigInt(AT_FDCWD), a[0], BigInt(O.CREAT | O.WRONLY | O.TRUNC), a[1]),
  close: (p, a) => p.fds.close(i32(a[0])),
  lseek: (p, a) => {
    const f = fdArg(p, a[0]);
    if (typeof f === 'number') return f;
    if (f.kind === 'synthetic-dir') return 0;
    if (f.kind !== 'host') return -E.SPIPE;
    const off = BigInt.asIntN(64, a[1]);
    const whence = i32(a[2]);
    let pos: bigint;
    if (whence === 0) pos = off;
    else if (whence === 1) pos = f.pos + off;
    else if (whence === 2) {
      const st = host(() => fstatSync(f.fd, { bigint: true }));
      if (typeof st === 'number') return st;
      pos = st.size + off;
    } else return -E.INVAL;
    if (pos < 0n) return -E.INVAL;
    f.pos = pos;
    if (f.dir && pos === 0n) f.dir.next = 0;
    return pos;
  },
  fstat: (p, a) => {
    const f = fdArg(p, a[0]);
    if (typeof f === 'number') return f;
    const st = fdStat(p, f);
    return typeof st === 'number' ? st : writeStat(p, ptr(a[1]), st);
  },
  stat: (p, a) => statAt(p, BigInt(AT_FDCWD), a[0], 0, (st) => writeStat(p, ptr(a[1]), st)),
  lstat: (p, a) => statAt(p, BigInt(AT_FDCWD), a[0], AT_SYMLINK_NOFOLLOW, (st) => writeStat(p, ptr(a[1]), st)),
  newfstatat: (p, a) => statAt(p, a[0], a[1], i32(a[3]), (st) => writeStat(p, ptr(a[2]), st)),
  statx: (p, a) => statAt(p, a[0], a[1], i32(a[2]), (st) => writeStatx(p, ptr(a[4]), st)),
  access: (p, a) => {
    const r = resolveAt(p, BigInt(AT_FDCWD), a[0]);
    return typeof r === 'number' ? r : 0;
  },
  faccessat: (p, a) => {
    const r = resolveAt(p, a[0], a[1]);
    return typeof r === 'number' ? r : 0;
  },
  faccessat2: (p, a) => {
    const r = resolveAt(p, a[0], a[1]);
    return typeof r === 'number' ? r : 0;
  },
  getdents64: (p, a) => getdents(p, a[0], a[1], a[2]),
  mkdir: (p, a) => {
    const r = resolveAt(p, BigInt(AT_FDCWD), a[0], { forCreate: true });
    return typeof r === 'number' ? r : (host(() => mkdirSync(r.host, Number(a[1]) & ~p.umask & 0o7777)) ?? 0);
  },
  mkdirat: (p, a) => {
    const r = resolveAt(p, a[0], a[1], { forCreate: true });
    return typeof r === 'number' ? r : (host(() => mkdirSync(r.host, Number(a[2]) & ~p.umask & 0o7777)) ?? 0);
  },
  rmdir: (p, a) => {
    const r = resolveAt(p, BigInt(AT_FDCWD), a[0], { noFollow: true });
    return typeof r === 'number' ? r : (host(() => rmdirSync(r.host)) ?? 0);
  },
  unlink: (p, a) => {
    const r = resolveAt(p, BigInt(AT_FDCWD), a[0], { noFollow: true });
    return typeof r === 'number' ? r : (host(() => unlinkSync(r.host)) ?? 0);
  },
  unlinkat: (p, a) => {
    const r = resolveAt(p, a[0], a[1], { noFollow: true });
    if (typeof r === 'number') return r;
    return (host(() => (i32(a[2]) & AT_REMOVEDIR ? rmdirSync(r.host) : unlinkSync(r.host))) ?? 0) as number;
  },
  rename: (p, a) => {
    const from = resolveAt(p, BigInt(AT_FDCWD), a[0], { noFollow: true });
    const to = resolveAt(p, BigInt(AT_FDCWD), a[1], { forCreate: true, noFollow: true });
    if (typeof from === 'number') return from;
    if (typeof to === 'number') return to;
    return host(() => renameSync(from.host, to.host)) ?? 0;
  },
  renameat: (p, a) => SYSCALL_HANDLERS.renameat2(p, [a[0], a[1], a[2], a[3], 0n, 0n], 0),
  renameat2: (p, a) => {
    const from = resolveAt(p, a[0], a[1], { noFollow: true });
    const to = resolveAt(p, a[2], a[3], { forCreate: true, noFollow: true });
    if (typeof from === 'number') return from;
    if (typeof to === 'number') return to;
    return host(() => renameSync(from.host, to.host)) ?? 0;
  },
  link: (p, a) => {
    const from = resolveAt(p, BigInt(AT_FDCWD), a[0]);
    const to = resolveAt(p, BigInt(AT_FDCWD), a[1], { forCreate: true });
    if (typeof from === 'number') return from;
    if (typeof to === 'number') return to;
    return host(() => linkSync(from.host, to.host)) ?? 0;
  },
  symlink: (p, a) => {
    const target = path(p, a[0]);
    const to = resolveAt(p, BigInt(AT_FDCWD), a[1], { forCreate: true, noFollow: true });
    if (typeof target === 'number') return target;
    if (typeof to === 'number') return to;
    return host(() => symlinkSync(target, to.host)) ?? 0;
  },
  readlink: (p, a) => readlinkAt(p, BigInt(AT_FDCWD), a[0], a[1], a[2]),
  readlinkat: (p, a) => readlinkAt(p, a[0], a[1], a[2], a[3]),
  getcwd: (p, a) => {
    const s = Buffer.from(p.sandbox.cwd + '\0');
    if (s.length > int(a[1])) return -E.RANGE;
    const b = p.mem.range(ptr(a[0]), s.length);
    if (!b) return -E.FAULT;
    b.set(s);
    return s.length;
  },
  chdir: (p, a) => {
    const r = resolveAt(p, BigInt(AT_FDCWD), a[0]);
    if (typeof r === 'number') return r;
    if (!r.host.startsWith('\0dir:')) {
      const st = host(() => statSync(r.host));
      if (typeof st === 'number') return st;
      if (!st.isDirectory()) return -E.NOTDIR;
    }
    p.sandbox.cwd = r.guest;
    return 0;
  },
  fchdir: (p, a) => {
    const f = fdArg(p, a[0]);
    if (typeof f === 'number') return f;
    if (!isDirFile(f) || (f.kind !== 'host' && f.kind !== 'synthetic-dir')) return -E.NOTDIR;
    p.sandbox.cwd = f.guestPath;
    return 0;
  },
  dup: (p, a) => {
    const f = fdArg(p, a[0]);
    if (typeof f === 'number') return f;
    return p.fds.add(f, false);
  },
  dup2: (p, a) => dup3(p, a[0], a[1], 0, true),
  dup3: (p, a) => dup3(p, a[0], a[1], i32(a[2]), false),
  fcntl: (p, a) => {
    const f = fdArg(p, a[0]);
    if (typeof f === 'number') return f;
    const cmd = i32(a[1]);
    switch (cmd) {
      case 0: // F_DUPFD
      case 1030: // F_DUPFD_CLOEXEC
        return p.fds.add(f, cmd === 1030, i32(a[2]));
      case 1: return p.fds.cloexec(i32(a[0])) ? 1 : 0; // F_GETFD
      case 2: p.fds.setCloexec(i32(a[0]), (i32(a[2]) & 1) !== 0); return 0; // F_SETFD
      case 3: return p.arch.guestOpenFlags(f.kind === 'host' ? f.flags & ~O.CLOEXEC : f.kind === 'pipe' ? (f.end === 'w' ? O.WRONLY : 0) : 2); // F_GETFL
      case 4: if (f.kind === 'host') f.append = (i32(a[2]) & O.APPEND) !== 0; return 0; // F_SETFL
      case 5: case 6: case 7: return 0; // record locks: one process holds them all
      default: return -E.INVAL;
    }
  },
  ioctl: (p, a) => {
    const f = fdArg(p, a[0]);
    if (typeof f === 'number') return f;
    const req = Number(a[1] & 0xffffffffn);
    const tty = (f.kind === 'std' || f.kind === 'host') && isatty(f.fd);
    if (req === 0x5401) {
      // TCGETS: a tty gets a plausible termios; anything else is not a terminal
      if (!tty) return -E.NOTTY;
      const b = p.mem.range(ptr(a[2]), 60);
      if (!b) return -E.FAULT;
      b.fill(0);
      p.mem.setU32(ptr(a[2]), 0x500);
      p.mem.setU32(ptr(a[2]) + 4, 0x5);
      p.mem.setU32(ptr(a[2]) + 8, 0xbf);
      p.mem.setU32(ptr(a[2]) + 12, 0x8a3b);
      return 0;
    }
    if (req === 0x5413) {
      // TIOCGWINSZ
      if (!tty) return -E.NOTTY;
      const b = p.mem.range(ptr(a[2]), 8);
      if (!b) return -E.FAULT;
      const cols = (process.stdout.columns as number | undefined) ?? 80;
      const rows = (process.stdout.rows as number | undefined) ?? 24;
      p.mem.view.setUint16(ptr(a[2]), rows, true);
      p.mem.view.setUint16(ptr(a[2]) + 2, cols, true);
      p.mem.setU32(ptr(a[2]) + 4, 0);
      return 0;
    }
    if (req === 0x5402 || req === 0x5403 || req === 0x5404 || req === 0x540f || req === 0x5410) return tty ? 0 : -E.NOTTY;
    if (req === 0x541b) {
      // FIONREAD
      const n = f.kind === 'pipe' ? f.pipe.size : 0;
      if (!p.mem.range(ptr(a[2]), 4)) return -E.FAULT;
      p.mem.setU32(ptr(a[2]), n);
      return 0;
    }
    return -E.NOTTY;
  },
  pipe: (p, a) => pipe2(p, a[0], 0),
  pipe2: (p, a) => pipe2(p, a[0], i32(a[1])),
  fsync: (p, a) => {
    const f = fdArg(p, a[0]);
    if (typeof f === 'number') return f;
    return f.kind === 'host' ? (host(() => fsyncSync(f.fd)) ?? 0) : 0;
  },
  fdatasync: (p, a) => SYSCALL_HANDLERS.fsync(p, a, 0),
  ftruncate: (p, a) => {
    const f = fdArg(p, a[0]);
    if (typeof f === 'number') return f;
    if (f.kind !== 'host') return -E.INVAL;
    return host(() => ftruncateSync(f.fd, int(a[1]))) ?? 0;
  },
  umask: (p, a) => {
    const old = p.umask;
    p.umask = Number(a[0]) & 0o777;
    return old;
  },
  chmod: () => 0,
  fchmod: () => 0,
  fchmodat: () => 0,
  chown: () => 0,
  fchown: () => 0,
  fchownat: () => 0,
  lchown: () => 0,
  utimensat: () => 0,
  // ---- memory ----
  brk: (p, a) => p.mem.setBrk(ptr(a[0])),
  mmap: (p, a) => mmap(p, a),
  munmap: (p, a) => p.mem.unmap(ptr(a[0]), int(a[1])),
  mprotect: () => 0,
  madvise: () => 0,
  mremap: (p, a) => {
    // MREMAP_MAYMOVE: a fresh mapping with the old contents
    const old = ptr(a[0]);
    const oldLen = int(a[1]);
    const newLen = int(a[2]);
    if (!(i32(a[3]) & 1)) return newLen <= oldLen ? old : -E.NOMEM;
    const at = p.mem.map(newLen);
    if (at < 0) return at;
    p.mem.bytes.copyWithin(at, old, old + Math.min(oldLen, newLen));
    p.mem.unmap(old, oldLen);
    return at;
  },
  // ---- process ----
  exit: (p, a) => p.exit(i32(a[0])),
  exit_group: (p, a) => p.exit(i32(a[0])),
  getpid: (p) => p.pid,
  gettid: (p) => p.pid,
  getppid: () => 1,
  getuid: () => 1000,
  geteuid: () => 1000,
  getgid: () => 1000,
  getegid: () => 1000,
  getpgrp: (p) => p.pid,
  getpgid: (p) => p.pid,
  getsid: (p) => p.pid,
  setpgid: () => 0,
  getgroups: () => 0,
  getresuid: (p, a) => {
    for (const x of a.slice(0, 3)) if (ptr(x)) p.mem.setU32(ptr(x), 1000);
    return 0;
  },
  getresgid: (p, a) => SYSCALL_HANDLERS.getresuid(p, a, 0),
  set_tid_address: (p, a) => {
    p.tidAddress = a[0];
    return p.pid;
  },
  set_robust_list: () => 0,
  rseq: () => -E.NOSYS,
  arch_prctl: (p, a) => {
    const code = i32(a[0]);
    if (code === 0x1002) {
      p.setReg('fs', a[1]); // ARCH_SET_FS
      return 0;
    }
    if (code === 0x1003) {
      if (!p.mem.range(ptr(a[1]), 8)) return -E.FAULT;
      p.mem.setU64(ptr(a[1]), p.reg('fs'));
      return 0;
    }
    return -E.INVAL;
  },
  uname: (p, a) => utsname(p, a[0]),
  prlimit64: (p, a) => {
    const old = ptr(a[3]);
    if (old) {
      if (!p.mem.range(old, 16)) return -E.FAULT;
      const [cur, max] = rlimit(i32(a[1]));
      p.mem.setU64(old, cur);
      p.mem.setU64(old + 8, max);
    }
    return 0;
  },
  getrlimit: (p, a) => {
    if (!p.mem.range(ptr(a[1]), 16)) return -E.FAULT;
    const [cur, max] = rlimit(i32(a[0]));
    p.mem.setU64(ptr(a[1]), cur);
    p.mem.setU64(ptr(a[1]) + 8, max);
    return 0;
  },
  setrlimit: () => 0,
  getrusage: (p, a) => {
    const b = p.mem.range(ptr(a[1]), 144);
    if (!b) return -E.FAULT;
    b.fill(0);
    const u = process.cpuUsage();
    p.mem.setU64(ptr(a[1]), BigInt(Math.floor(u.user / 1e6)));
    p.mem.setU64(ptr(a[1]) + 8, BigInt(u.user % 1e6));
    p.mem.setU64(ptr(a[1]) + 16, BigInt(Math.floor(u.system / 1e6)));
    p.mem.setU64(ptr(a[1]) + 24, BigInt(u.system % 1e6));
    return 0;
  },
  sysinfo: (p, a) => {
    const b = p.mem.range(ptr(a[0]), 112);
    if (!b) return -E.FAULT;
    b.fill(0);
    p.mem.setU64(ptr(a[0]), BigInt(Math.floor(process.uptime())));
    p.mem.setU64(ptr(a[0]) + 32, 2n << 30n); // totalram: the guest's 2 GiB
    p.mem.setU64(ptr(a[0]) + 40, 1n << 30n); // freeram
    p.mem.view.setUint16(ptr(a[0]) + 80, 1, true); // procs
    p.mem.setU32(ptr(a[0]) + 104, 1); // mem_unit
    return 0;
  },
  sched_getaffinity: (p, a) => {
    const n = int(a[1]);
    const b = p.mem.range(ptr(a[2]), Math.min(n, 128));
    if (!b) return -E.FAULT;
    b.fill(0);
    b[0] = 1; // one CPU: the guest is single-threaded
    return Math.min(n, 8);
  },
  sched_yield: () => 0,
  getrandom: (p, a) => {
    const b = p.mem.range(ptr(a[0]), int(a[1]));
    if (!b) return -E.FAULT;
    randomFillSync(b);
    return b.length;
  },
  // ---- time ----
  clock_gettime: (p, a) => {
    const ns = timespecNow(i32(a[0]));
    if (!p.mem.range(ptr(a[1]), 16)) return -E.FAULT;
    p.mem.setU64(ptr(a[1]), ns / 1000000000n);
    p.mem.setU64(ptr(a[1]) + 8, ns % 1000000000n);
    return 0;
  },
  clock_getres: (p, a) => {
    if (ptr(a[1])) {
      if (!p.mem.range(ptr(a[1]), 16)) return -E.FAULT;
      p.mem.setU64(ptr(a[1]), 0n);
      p.mem.setU64(ptr(a[1]) + 8, 1n);
    }
    return 0;
  },
  gettimeofday: (p, a) => {
    if (ptr(a[0])) {
      const ns = timespecNow(0);
      if (!p.mem.range(ptr(a[0]), 16)) return -E.FAULT;
      p.mem.setU64(ptr(a[0]), ns / 1000000000n);
      p.mem.setU64(ptr(a[0]) + 8, (ns % 1000000000n) / 1000n);
    }
    return 0;
  },
  time: (p, a) => {
    const s = BigInt(Math.floor(Date.now() / 1000));
    if (ptr(a[0])) p.mem.setU64(ptr(a[0]), s);
    return s;
  },
  nanosleep: (p, a) => {
    const ns = timespecAt(p, ptr(a[0]));
    if (ns === undefined) return -E.FAULT;
    sleepNs(ns);
    return 0;
  },
  clock_nanosleep: (p, a) => {
    let ns = timespecAt(p, ptr(a[2]));
    if (ns === undefined) return -E.FAULT;
    if (i32(a[1]) & 1) ns -= timespecNow(i32(a[0])); // TIMER_ABSTIME
    if (ns > 0n) sleepNs(ns);
    return 0;
  },
  ...SIGNAL_SYSCALLS,
  // ---- what a single process without fork cannot do ----
  futex: (p, a) => {
    const op = i32(a[1]) & 0x7f;
    if (op === 1) return 0; // FUTEX_WAKE: nobody waits
    if (op === 0) return -E.AGAIN; // FUTEX_WAIT with one thread would deadlock
    return -E.NOSYS;
  },
  fork: () => notYet('fork'),
  vfork: () => notYet('vfork'),
  clone: () => notYet('clone (fork and threads)'),
  clone3: () => -E.NOSYS,
  execve: () => notYet('execve'),
  wait4: () => -E.CHILD,
  /**
   * ppoll: descriptors as poll; with none, a sleep cut short by a signal (aarch64 has no
   * pause: the C library calls ppoll(NULL, 0, NULL, NULL))
   */
  ppoll: (p, a, pc) => {
    if (a[1] !== 0n) return SYSCALL_HANDLERS.poll(p, a, pc);
    if (!ptr(a[2])) return SIGNAL_SYSCALLS.pause(p, a, pc);
    const ns = timespecAt(p, ptr(a[2]));
    if (ns === undefined) return -E.FAULT;
    return p.signals.sleep(Number(ns) / 1e6) ? -E.INTR : 0;
  },
  poll: (p, a) => {
    // everything is ready: files, ttys and pipes never block a single process here
    const n = int(a[1]);
    for (let k = 0; k < n; k++) {
      const at = ptr(a[0]) + k * 8;
      if (!p.mem.range(at, 8)) return -E.FAULT;
      const events = p.mem.view.getInt16(at + 4, true);
      p.mem.view.setInt16(at + 6, events & 5, true);
    }
    return n;
  },
};

function readlinkAt(p: Process, dirfd: bigint, pathAddr: bigint, buf: bigint, size: bigint): number {
  const s = path(p, pathAddr);
  if (typeof s === 'number') return s;
  if (s === '/proc/self/exe') {
    // an absolute guest path, as glibc expects; the module has no file of its own in the guest
    const name = p.opts.programName.split('/').pop() || 'a.out';
    const b = Buffer.from(`/${name}`);
    const n = Math.min(b.length, int(size));
    const dst = p.mem.range(ptr(buf), n);
    if (!dst) return -E.FAULT;
    dst.set(b.subarray(0, n));
    return n;
  }
  const r = resolveAt(p, dirfd, pathAddr, { noFollow: true });
  if (typeof r === 'number') return r;
  const target = host(() => readlinkSync(r.host));
  if (typeof target === 'number') return target;
  const b = Buffer.from(target);
  const n = Math.min(b.length, int(size));
  const dst = p.mem.range(ptr(buf), n);
  if (!dst) return -E.FAULT;
  dst.set(b.subarray(0, n));
  return n;
}

function dup3(p: Process, oldV: bigint, newV: bigint, flags: number, isDup2: boolean): number {
  const f = fdArg(p, oldV);
  if (typeof f === 'number') return f;
  const to = i32(newV);
  if (to < 0 || to >= 1024) return -E.BADF;
  if (to === i32(oldV)) return isDup2 ? to : -E.INVAL;
  p.fds.put(to, f, (flags & O.CLOEXEC) !== 0);
  return to;
}

function pipe2(p: Process, addr: bigint, flags: number): number {
  if (!p.mem.range(ptr(addr), 8)) return -E.FAULT;
  const pipe = new Pipe();
  const cloexec = (flags & O.CLOEXEC) !== 0;
  const r = p.fds.add({ kind: 'pipe', end: 'r', pipe, refs: 0 }, cloexec);
  const w = p.fds.add({ kind: 'pipe', end: 'w', pipe, refs: 0 }, cloexec);
  p.mem.setU32(ptr(addr), r);
  p.mem.setU32(ptr(addr) + 4, w);
  return 0;
}

/** syscalls the vkernel answers with ENOSYS on purpose: child processes and threads */
const UNSUPPORTED = new Set(['fork', 'vfork', 'clone', 'clone3', 'execve', 'execveat']);

/**
 * Syscalls the vkernel answers alone, without the host: the guest's memory layout, its
 * fixed identity, signals and timers, thread bookkeeping, descriptors and in-process pipes.
 * The others go to the host through Node, confined to what was granted (files, time,
 * randomness, the terminal).
 */
const EMULATED = new Set([
  ...['brk', 'mmap', 'munmap', 'mprotect', 'madvise', 'mremap'],
  ...['getpid', 'gettid', 'getppid', 'getuid', 'geteuid', 'getgid', 'getegid', 'getpgrp', 'getpgid', 'getsid', 'setpgid', 'getgroups', 'getresuid', 'getresgid'],
  ...['uname', 'sysinfo', 'sched_getaffinity', 'sched_yield', 'prlimit64', 'getrlimit', 'setrlimit', 'getrusage', 'umask'],
  ...['set_tid_address', 'set_robust_list', 'rseq', 'arch_prctl', 'futex', 'wait4'],
  ...['dup', 'dup2', 'dup3', 'fcntl', 'pipe', 'pipe2', 'poll', 'ppoll'],
  ...Object.keys(SIGNAL_SYSCALLS),
]);

export type Provision = 'wasi' | 'vkernel' | 'emulated' | 'denied';

/**
 * How a Linux syscall (by name) is provided to a guest: `vkernel` (done on the host through
 * the vkernel, within the grants), `emulated` (answered inside the vkernel), `denied`
 * (ENOSYS). `wasi` is for modules that import WASI directly, which the translator does not
 * emit yet. The policy manifests record and reports show.
 */
export function syscallProvision(name: string): Provision {
  if (!Object.hasOwn(SYSCALL_HANDLERS, name) || UNSUPPORTED.has(name)) return 'denied';
  return EMULATED.has(name) ? 'emulated' : 'vkernel';
}

/** fork/exec: refused with ENOSYS, and said once on stderr so a shell's failure is explained */
function notYet(what: string): number {
  process.stderr.write(`recomp: ${what} is not supported yet: the guest cannot start child processes in this version\n`);
  return -E.NOSYS;
}
