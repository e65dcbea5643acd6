/*
 * Linux system calls on the host, by name (the guest architecture's table in image_meta maps
 * numbers to names): the port of tools/vkernel/syscalls.ts, with host_syscall, the import,
 * from the syscall import of tools/vkernel/process.ts (and its traceLine). Each handler
 * returns the result or a negative errno, as the kernel does; a name without a handler here
 * or in signal_syscalls[] returns -ENOSYS.
 *
 * Where the TS calls the host through Node, this calls Linux directly, after the same checks:
 * guest pointers through guest_range/guest_cstring, paths through the sandbox (files.c).
 * Guest structures are written field by field at the guest's offsets, never as host structs.
 */
#define _GNU_SOURCE /* pwritev, statx, O_* */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "host.h"
#include "files.h"

typedef uint64_t u64;
#define HANDLER(n) static int64_t sys_##n(u64 a[6] __attribute__((unused)), uint32_t pc __attribute__((unused)))

enum { G_AT_FDCWD = -100, G_AT_SYMLINK_NOFOLLOW = 0x100, G_AT_REMOVEDIR = 0x200, G_AT_EMPTY_PATH = 0x1000 };

static int32_t i32(u64 v) { return (int32_t)(uint32_t)v; }
static int64_t sint(u64 v) { return (int64_t)v; }
/* the failed host call's errno as the guest's -errno (errnoOf) */
static int64_t host_err(void) { return -guest_errno(errno); }

static void p16(uint8_t *b, size_t o, uint16_t v) { memcpy(b + o, &v, 2); }
static void p32(uint8_t *b, size_t o, uint32_t v) { memcpy(b + o, &v, 4); }
static void p64(uint8_t *b, size_t o, u64 v) { memcpy(b + o, &v, 8); }
static u64 r64(const uint8_t *b, size_t o) {
  u64 v;
  memcpy(&v, b + o, 8);
  return v;
}
static int16_t r16s(const uint8_t *b, size_t o) {
  int16_t v;
  memcpy(&v, b + o, 2);
  return v;
}

static int umask_v = 022;

/* ---- trace (process.ts traceLine), and the ends of a run inside a system call ---- */

/* the system call in progress, by value: a handler runs guest code (signal handlers), whose
   own system calls nest, and rt_sigreturn may leave without returning here */
typedef struct {
  int on;
  char name[40];
  u64 args[6];
} TraceCtx;
static TraceCtx tracing;

static void trace_line(const char *name, const u64 a[6], const char *result) {
  /* small values (and negative ones) in decimal, addresses in hex */
  char shown[6][24];
  for (int k = 0; k < 6; k++) {
    if (sint(a[k]) < 4096) snprintf(shown[k], sizeof shown[k], "%" PRId64, sint(a[k]));
    else snprintf(shown[k], sizeof shown[k], "0x%" PRIx64, a[k]);
  }
  fprintf(stderr, "[recomp] %s(%s, %s, %s, %s, %s, %s) = %s\n", name, shown[0], shown[1], shown[2], shown[3], shown[4],
          shown[5], result);
}

static void trace_end(const char *result) {
  if (run_opts.trace && tracing.on) trace_line(tracing.name, tracing.args, result);
  tracing.on = 0;
}

const char *syscall_in_progress(void) { return tracing.on ? tracing.name : NULL; }

void syscall_trace_killed(int sig) {
  char r[32];
  snprintf(r, sizeof r, "killed %d", sig);
  trace_end(r);
}

/* GuestKilled(13, ...): the guest wrote where nobody reads */
static noreturn void sigpipe(const char *why) {
  syscall_trace_killed(13);
  guest_killed(13, "%s", why);
}

/* ---- arguments ---- */

static OpenFile *fd_arg(u64 v) { return fd_get(i32(v)); }

/* the directory a *at() call resolves a relative path against */
static int dir_of(u64 dirfd, const char **dir) {
  int fd = i32(dirfd);
  if (fd == G_AT_FDCWD) {
    *dir = sandbox_cwd();
    return 0;
  }
  OpenFile *f = fd_get(fd);
  if (!f) return -GE_BADF;
  if (f->kind != OF_HOST && f->kind != OF_SYNTHETIC_DIR) return -GE_NOTDIR;
  *dir = f->guest_path;
  return 0;
}

static int resolve_at(u64 dirfd, u64 addr, int opts, Resolved *r) {
  memset(r, 0, sizeof *r);
  const char *s = guest_cstring(addr, 4096);
  if (!s) return -GE_FAULT;
  const char *dir = sandbox_cwd();
  if (s[0] != '/') {
    int e = dir_of(dirfd, &dir);
    if (e) return e;
  }
  return sandbox_resolve(s, dir, opts, r);
}
static int resolve_cwd(u64 addr, int opts, Resolved *r) { return resolve_at((u64)(int64_t)G_AT_FDCWD, addr, opts, r); }

/* ---- stat (Node's BigIntStats: statx, as libuv does) ---- */

typedef struct {
  u64 dev, ino, mode, nlink, uid, gid, rdev, size, blksize, blocks;
  int64_t atime, mtime, ctime, btime; /* ns */
} HStat;

static int64_t ns_of(struct statx_timestamp t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }

static int host_stat(int dirfd, const char *path, int flags, HStat *st) {
  struct statx x;
  if (statx(dirfd, path, flags | AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS | STATX_BTIME, &x) != 0) return (int)host_err();
  *st = (HStat){
    .dev = makedev(x.stx_dev_major, x.stx_dev_minor), .ino = x.stx_ino, .mode = x.stx_mode, .nlink = x.stx_nlink,
    .uid = x.stx_uid, .gid = x.stx_gid, .rdev = makedev(x.stx_rdev_major, x.stx_rdev_minor), .size = x.stx_size,
    .blksize = x.stx_blksize, .blocks = x.stx_blocks, .atime = ns_of(x.stx_atime), .mtime = ns_of(x.stx_mtime),
    .ctime = ns_of(x.stx_ctime), .btime = ns_of(x.stx_btime),
  };
  return 0;
}
static int host_fstat(int fd, HStat *st) { return host_stat(fd, "", AT_EMPTY_PATH, st); }

/*
 * struct stat: x86_64's own layout (144 bytes) or asm-generic's (aarch64: 128 bytes, mode
 * and nlink as 32-bit words after the inode); both end with the three timespecs at 72.
 */
static int64_t write_stat(u64 addr, const HStat *st) {
  int generic = image_meta.arch == ARCH_AARCH64;
  size_t len = generic ? 128 : 144;
  uint8_t *b = guest_range(addr, len);
  if (!b) return -GE_FAULT;
  memset(b, 0, len);
  p64(b, 0, st->dev);
  p64(b, 8, st->ino);
  if (generic) {
    p32(b, 16, (uint32_t)st->mode);
    p32(b, 20, (uint32_t)st->nlink);
    p32(b, 24, (uint32_t)st->uid);
    p32(b, 28, (uint32_t)st->gid);
    p64(b, 32, st->rdev);
    p64(b, 48, st->size);
    p32(b, 56, (uint32_t)st->blksize);
  } else {
    p64(b, 16, st->nlink);
    p32(b, 24, (uint32_t)st->mode);
    p32(b, 28, (uint32_t)st->uid);
    p32(b, 32, (uint32_t)st->gid);
    p64(b, 40, st->rdev);
    p64(b, 48, st->size);
    p64(b, 56, st->blksize);
  }
  p64(b, 64, st->blocks);
  const int64_t ts[3] = {st->atime, st->mtime, st->ctime};
  for (int k = 0; k < 3; k++) {
    /* BigInt division: truncates toward zero, as C's */
    p64(b, 72 + 16 * (size_t)k, (u64)(ts[k] / 1000000000));
    p64(b, 80 + 16 * (size_t)k, (u64)(ts[k] % 1000000000));
  }
  return 0;
}

static int64_t write_statx(u64 addr, const HStat *st) {
  uint8_t *b = guest_range(addr, 256);
  if (!b) return -GE_FAULT;
  memset(b, 0, 256);
  p32(b, 0, 0x7ff);
  p32(b, 4, (uint32_t)st->blksize);
  p32(b, 16, (uint32_t)st->nlink);
  p32(b, 20, (uint32_t)st->uid);
  p32(b, 24, (uint32_t)st->gid);
  p16(b, 28, (uint16_t)st->mode);
  p64(b, 32, st->ino);
  p64(b, 40, st->size);
  p64(b, 48, st->blocks);
  const struct {
    size_t at;
    int64_t ns;
  } ts[4] = {{64, st->atime}, {80, st->btime}, {96, st->ctime}, {112, st->mtime}};
  for (int k = 0; k < 4; k++) {
    p64(b, ts[k].at, (u64)(ts[k].ns / 1000000000));
    p32(b, ts[k].at + 8, (uint32_t)(ts[k].ns % 1000000000));
  }
  /* the old 8:8 split of the encoded numbers, as the TS takes them apart */
  p32(b, 128, (uint32_t)(st->rdev >> 8) & 0xfff);
  p32(b, 132, (uint32_t)(st->rdev & 0xff));
  p32(b, 136, (uint32_t)(st->dev >> 8) & 0xfff);
  p32(b, 140, (uint32_t)(st->dev & 0xff));
  return 0;
}

/* stat of a descriptor: what the host says for files and 0/1/2, '/' for a synthetic
   directory, a FIFO for pipes */
static int fd_stat(const OpenFile *f, HStat *st) {
  if (f->kind == OF_HOST || f->kind == OF_STD) return host_fstat(f->fd, st);
  if (f->kind == OF_SYNTHETIC_DIR) return host_stat(AT_FDCWD, "/", 0, st);
  int e = host_fstat(0, st);
  if (e) return e;
  st->mode = 010600;
  st->size = 0;
  st->ino = 1;
  st->dev = 0xc;
  st->nlink = 1;
  return 0;
}

static int is_dir_file(const OpenFile *f) {
  if (f->kind == OF_SYNTHETIC_DIR) return 1;
  if (f->kind != OF_HOST) return 0;
  struct stat st;
  return fstat(f->fd, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- I/O ---- */

/* Node's readSync: length 0 reads nothing; a negative position reads at the descriptor's own
   offset, except that a Number position below -1 is out of range (EIO through errnoOf),
   where a BigInt one (pread64's, the kept offset) is not checked */
enum { AT_OFFSET, AT_BIGINT, AT_NUMBER };
static int64_t host_read(int fd, void *buf, size_t len, int how, int64_t pos) {
  if (len == 0) return 0;
  if (how == AT_NUMBER && pos < -1) return -GE_IO;
  ssize_t n = how != AT_OFFSET && pos >= 0 ? pread(fd, buf, len, pos) : read(fd, buf, len);
  return n < 0 ? host_err() : n;
}

static void sleep_ms(u64 ms) {
  struct timespec t = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};
  while (nanosleep(&t, &t) != 0 && errno == EINTR) {
  }
}

static int64_t read_fd(OpenFile *f, uint8_t *buf, size_t len, int has_pos, int64_t pos) {
  if (f->kind == OF_STD || f->kind == OF_HOST) {
    if (f->kind == OF_HOST && f->dir) return -GE_ISDIR;
    /* a host file is read at the offset kept here, a stream at the host's */
    int how = has_pos || f->kind == OF_HOST ? AT_BIGINT : AT_OFFSET;
    int64_t n = host_read(f->fd, buf, len, how, has_pos ? pos : f->pos);
    if (n > 0 && f->kind == OF_HOST && !has_pos) f->pos += n;
    /* a non-blocking stdin (inherited from a shell) reports EAGAIN: wait and retry */
    while (n == -GE_AGAIN && f->kind == OF_STD) {
      ssize_t r = read(f->fd, buf, len);
      if (r >= 0) return r;
      if (errno != EAGAIN) return host_err();
      sleep_ms(5);
    }
    return n;
  }
  if (f->kind == OF_PIPE) {
    if (f->write_end) return -GE_BADF;
    Pipe *p = f->pipe;
    if (p->len == 0) {
      /* a single process: an empty pipe with no other writer is at end of file; with a
         writer (this same process) reading would block forever */
      return p->writers > 0 ? -GE_AGAIN : 0;
    }
    size_t n = len < p->len ? len : p->len;
    memcpy(buf, p->buf + p->start, n);
    p->start += n;
    p->len -= n;
    if (p->len == 0) p->start = 0;
    return (int64_t)n;
  }
  return -GE_ISDIR;
}

static int pipe_append(Pipe *p, const uint8_t *b, size_t n) {
  if (n == 0) return 1;
  if (p->start + p->len + n > p->cap) {
    if (p->start) {
      memmove(p->buf, p->buf + p->start, p->len);
      p->start = 0;
    }
    if (p->len + n > p->cap) {
      if (n > SIZE_MAX / 2 - p->len) return 0;
      size_t cap = p->cap ? p->cap : 4096;
      while (cap < p->len + n) cap *= 2;
      uint8_t *nb = realloc(p->buf, cap);
      if (!nb) return 0;
      p->buf = nb;
      p->cap = cap;
    }
  }
  memcpy(p->buf + p->start + p->len, b, n);
  p->len += n;
  return 1;
}

/* writes the pieces as one write (the TS joins a writev's buffers into one), positioned at
   pos when has_pos; all of it unless an error comes first */
static int64_t write_fd(OpenFile *f, const struct iovec *iov, int cnt, size_t total, int has_pos, int64_t pos) {
  if (f->kind == OF_STD || f->kind == OF_HOST) {
    if (f->kind == OF_HOST && f->dir) return -GE_ISDIR;
    int positioned = has_pos || (f->kind == OF_HOST && !f->append);
    int64_t where = has_pos ? pos : f->pos;
    if (total == 0) return 0;
    struct iovec *v = malloc((size_t)cnt * sizeof *v);
    if (!v) return -GE_NOMEM;
    memcpy(v, iov, (size_t)cnt * sizeof *v);
    struct iovec *cur = v;
    int left = cnt;
    size_t done = 0;
    while (done < total) {
      /* Node writes at a negative position as at no position */
      ssize_t n = positioned && where >= 0 ? pwritev(f->fd, cur, left, where) : writev(f->fd, cur, left);
      if (n < 0) {
        if (errno == EAGAIN) {
          sleep_ms(1);
          continue;
        }
        int e = errno;
        free(v);
        if (e == EPIPE) sigpipe("write to a closed pipe");
        return done ? (int64_t)done : -guest_errno(e);
      }
      if (n == 0) break; /* cannot happen for a nonzero count; never spin on it */
      done += (size_t)n;
      if (positioned) where += n;
      /* step over what went out */
      size_t k = (size_t)n;
      while (left && k >= cur->iov_len) k -= cur->iov_len, cur++, left--;
      if (left) cur->iov_base = (uint8_t *)cur->iov_base + k, cur->iov_len -= k;
    }
    free(v);
    if (f->kind == OF_HOST && !has_pos) f->pos += (int64_t)done;
    return (int64_t)done;
  }
  if (f->kind == OF_PIPE) {
    if (!f->write_end) return -GE_BADF;
    if (f->pipe->readers == 0) sigpipe("write to a pipe with no reader");
    for (int k = 0; k < cnt; k++)
      if (!pipe_append(f->pipe, iov[k].iov_base, iov[k].iov_len)) return -GE_NOMEM;
    return (int64_t)total;
  }
  return -GE_BADF;
}

static int64_t write_buf(OpenFile *f, uint8_t *b, size_t len, int has_pos, int64_t pos) {
  struct iovec v = {b, len};
  return write_fd(f, &v, 1, len, has_pos, pos);
}

/* the guest's iovec array as host iovecs over guest memory (*out malloc'ed), or -errno */
static int64_t iovecs(u64 addr, u64 count, struct iovec **out, size_t *total) {
  int64_t n = sint(count);
  if (n < 0 || n > 1024) return -GE_INVAL;
  struct iovec *v = malloc((size_t)(n ? n : 1) * sizeof *v);
  if (!v) return -GE_NOMEM;
  size_t sum = 0;
  for (int64_t k = 0; k < n; k++) {
    const uint8_t *e = addr < (1ull << 33) ? guest_range(addr + (u64)k * 16, 16) : NULL;
    uint8_t *b = e ? guest_range(r64(e, 0), r64(e, 8)) : NULL;
    if (!b || sint(r64(e, 8)) < 0) {
      free(v);
      return -GE_FAULT;
    }
    v[k] = (struct iovec){b, (size_t)r64(e, 8)};
    sum += v[k].iov_len;
  }
  *out = v;
  *total = sum;
  return n;
}

/* ---- files ---- */

static int64_t do_open(u64 dirfd, u64 path, int32_t guest_flags, u64 mode) {
  int flags = open_flags_from_guest(guest_flags);
  int create = (flags & GO_CREAT) != 0;
  Resolved r;
  int e = resolve_at(dirfd, path, (create ? RESOLVE_CREATE : 0) | (flags & GO_NOFOLLOW ? RESOLVE_NOFOLLOW : 0), &r);
  if (e) return e;
  int cloexec = (flags & GO_CLOEXEC) != 0;
  if (r.synthetic) {
    if (flags & (GO_WRONLY | GO_RDWR)) {
      resolved_free(&r);
      return -GE_ISDIR;
    }
    OpenFile *f = file_new(OF_SYNTHETIC_DIR);
    if (!f) {
      resolved_free(&r);
      return -GE_NOMEM;
    }
    f->guest_path = r.guest;
    int g = fd_add(f, cloexec, 0);
    if (g < 0) file_discard(f);
    return g;
  }
  /* Not in the TS: creating through a dangling symlink follows it wherever it points (the
     sandbox checked only its parent); that must stay inside the grant too */
  if (create && !(flags & (GO_EXCL | GO_NOFOLLOW))) {
    int c = sandbox_check_create(r.host);
    if (c) {
      resolved_free(&r);
      return c;
    }
  }
  /* host descriptors are close-on-exec (as libuv opens them); the guest's flag is its own */
  int hflags = open_flags_to_host(flags & ~GO_NONBLOCK & ~GO_CLOEXEC & ~GO_NOCTTY) | O_CLOEXEC;
  int fd = open(r.host, hflags, (mode_t)((uint32_t)mode & ~(uint32_t)umask_v & 07777));
  if (fd < 0) {
    int64_t err = host_err();
    resolved_free(&r);
    return err;
  }
  OpenFile *f = file_new(OF_HOST);
  if (!f) {
    close(fd);
    resolved_free(&r);
    return -GE_NOMEM;
  }
  f->fd = fd;
  f->path = r.host;
  f->guest_path = r.guest;
  f->flags = flags;
  f->append = (flags & GO_APPEND) != 0;
  int g = fd_add(f, cloexec, 0);
  if (g < 0) {
    close(fd);
    file_discard(f);
  }
  return g;
}

static int64_t stat_at(u64 dirfd, u64 path, int flags, HStat *st) {
  const char *s = guest_cstring(path, 4096);
  if ((flags & G_AT_EMPTY_PATH) && s && !s[0]) {
    OpenFile *f = fd_arg(dirfd);
    return f ? fd_stat(f, st) : -GE_BADF;
  }
  int nofollow = (flags & G_AT_SYMLINK_NOFOLLOW) != 0;
  Resolved r;
  int e = resolve_at(dirfd, path, nofollow ? RESOLVE_NOFOLLOW : 0, &r);
  if (e) return e;
  e = r.synthetic ? host_stat(AT_FDCWD, "/", 0, st) : host_stat(AT_FDCWD, r.host, nofollow ? AT_SYMLINK_NOFOLLOW : 0, st);
  resolved_free(&r);
  return e;
}

static int64_t getdents(u64 fdv, u64 buf, u64 count) {
  OpenFile *f = fd_arg(fdv);
  if (!f) return -GE_BADF;
  if (f->kind != OF_HOST && f->kind != OF_SYNTHETIC_DIR) return -GE_NOTDIR;
  if (!is_dir_file(f)) return -GE_NOTDIR;
  if (!f->dir) {
    f->dir = f->kind == OF_HOST ? dir_stream(f->path) : dir_stream_synthetic(f->guest_path);
    if (!f->dir) return f->kind == OF_HOST ? host_err() : -GE_NOMEM;
  }
  DirStream *d = f->dir;
  int64_t cap = sint(count);
  uint8_t *b = cap >= 0 ? guest_range(buf, (u64)cap) : NULL;
  if (!b) return -GE_FAULT;
  int64_t off = 0;
  while (d->next < d->n) {
    const DirEntry *e = &d->entries[d->next];
    size_t len = strlen(e->name);
    int64_t reclen = (int64_t)((19 + len + 1 + 7) & ~(size_t)7);
    if (off + reclen > cap) {
      if (off == 0) return -GE_INVAL;
      break;
    }
    /* struct linux_dirent64, the same on both guests */
    uint8_t *r = b + off;
    memset(r, 0, (size_t)reclen);
    p64(r, 0, e->ino);
    p64(r, 8, (u64)d->next + 1);
    p16(r, 16, (uint16_t)reclen);
    r[18] = e->type;
    memcpy(r + 19, e->name, len);
    off += reclen;
    d->next++;
  }
  return off;
}

HANDLER(read) {
  OpenFile *f = fd_arg(a[0]);
  if (!f) return -GE_BADF;
  uint8_t *b = sint(a[2]) >= 0 ? guest_range(a[1], a[2]) : NULL;
  return b ? read_fd(f, b, (size_t)a[2], 0, 0) : -GE_FAULT;
}
HANDLER(write) {
  OpenFile *f = fd_arg(a[0]);
  if (!f) return -GE_BADF;
  uint8_t *b = sint(a[2]) >= 0 ? guest_range(a[1], a[2]) : NULL;
  return b ? write_buf(f, b, (size_t)a[2], 0, 0) : -GE_FAULT;
}
HANDLER(pread64) {
  OpenFile *f = fd_arg(a[0]);
  if (!f) return -GE_BADF;
  if (f->kind != OF_HOST) return -GE_SPIPE;
  uint8_t *b = sint(a[2]) >= 0 ? guest_range(a[1], a[2]) : NULL;
  return b ? read_fd(f, b, (size_t)a[2], 1, sint(a[3])) : -GE_FAULT;
}
HANDLER(pwrite64) {
  OpenFile *f = fd_arg(a[0]);
  if (!f) return -GE_BADF;
  if (f->kind != OF_HOST) return -GE_SPIPE;
  uint8_t *b = sint(a[2]) >= 0 ? guest_range(a[1], a[2]) : NULL;
  return b ? write_buf(f, b, (size_t)a[2], 1, sint(a[3])) : -GE_FAULT;
}
HANDLER(readv) {
  OpenFile *f = fd_arg(a[0]);
  if (!f) return -GE_BADF;
  struct iovec *v;
  size_t total;
  int64_t n = iovecs(a[1], a[2], &v, &total);
  if (n < 0) return n;
  int64_t sum = 0;
  for (int64_t k = 0; k < n; k++) {
    if (!v[k].iov_len) continue;
    int64_t r = read_fd(f, v[k].iov_base, v[k].iov_len, 0, 0);
    if (r < 0) {
      free(v);
      return sum ? sum : r;
    }
    sum += r;
    if ((size_t)r < v[k].iov_len) break;
  }
  free(v);
  return sum;
}
HANDLER(writev) {
  OpenFile *f = fd_arg(a[0]);
  if (!f) return -GE_BADF;
  struct iovec *v;
  size_t total;
  int64_t n = iovecs(a[1], a[2], &v, &total);
  if (n < 0) return n;
  /* one host write, so a line assembled from several pieces is not interleaved */
  int64_t r = total ? write_fd(f, v, (int)n, total, 0, 0) : 0;
  free(v);
  return r;
}
HANDLER(open) { return do_open((u64)(int64_t)G_AT_FDCWD, a[0], i32(a[1]), a[2]); }
HANDLER(openat) { return do_open(a[0], a[1], i32(a[2]), a[3]); }
HANDLER(creat) {
  /* the flags are the vkernel's (x86_64) numbers: as the guest's, they differ in no remapped bit */
  return do_open((u64)(int64_t)G_AT_FDCWD, a[0], open_flags_to_guest(GO_CREAT | GO_WRONLY | GO_TRUNC), a[1]);
}
HANDLER(close) { return fd_close(i32(a[0])); }
HANDLER(lseek) {
  OpenFile *f = fd_arg(a[0]);
  if (!f) return -GE_BADF;
  if (f->kind == OF_SYNTHETIC_DIR) return 0;
  if (f->kind != OF_HOST) return -GE_SPIPE;
  int64_t off = sint(a[1]), base;
  int whence = i32(a[2]);
  if (whence == 0) base = 0;
  else if (whence == 1) base = f->pos;
  else if (whence == 2) {
    HStat st;
    int e = host_fstat(f->fd, &st);
    if (e) return e;
    base = (int64_t)st.size;
  } else return -GE_INVAL;
  int64_t pos;
  if (__builtin_add_overflow(base, off, &pos) || pos < 0) return -GE_INVAL;
  f->pos = pos;
  if (f->dir && pos == 0) f->dir->next = 0;
  return pos;
}
HANDLER(fstat) {
  OpenFile *f = fd_arg(a[0]);
  if (!f) return -GE_BADF;
  HStat st;
  int e = fd_stat(f, &st);
  return e ? e : write_stat(a[1], &st);
}
static int64_t stat_then_write(u64 dirfd, u64 path, int flags, u64 out) {
  HStat st;
  int64_t e = stat_at(dirfd, path, flags, &st);
  return e ? e : write_stat(out, &st);
}
HANDLER(stat) { return stat_then_write((u64)(int64_t)G_AT_FDCWD, a[0], 0, a[1]); }
HANDLER(lstat) { return stat_then_write((u64)(int64_t)G_AT_FDCWD, a[0], G_AT_SYMLINK_NOFOLLOW, a[1]); }
HANDLER(newfstatat) { return stat_then_write(a[0], a[1], i32(a[3]), a[2]); }
HANDLER(statx) {
  HStat st;
  int64_t e = stat_at(a[0], a[1], i32(a[2]), &st);
  return e ? e : write_statx(a[4], &st);
}
/* access: what resolves inside a grant is accessible (the TS checks no permission bits) */
static int64_t resolves(u64 dirfd, u64 path) {
  Resolved r;
  int e = resolve_at(dirfd, path, 0, &r);
  resolved_free(&r);
  return e;
}
HANDLER(access) { return resolves((u64)(int64_t)G_AT_FDCWD, a[0]); }
HANDLER(faccessat) { return resolves(a[0], a[1]); }
HANDLER(faccessat2) { return resolves(a[0], a[1]); }
HANDLER(getdents64) { return getdents(a[0], a[1], a[2]); }

/* A path operation on the host. A synthetic directory has no host path: Node refuses the
   TS's "\0dir:" marker as a path with a NUL, which errnoOf makes EIO */
static int64_t path_op(int e, Resolved *r, int (*op)(const char *, u64), u64 arg) {
  int64_t res = e ? e : r->synthetic ? -GE_IO : op(r->host, arg) != 0 ? host_err() : 0;
  resolved_free(r);
  return res;
}
static int op_mkdir(const char *p, u64 mode) { return mkdir(p, (mode_t)((uint32_t)mode & ~(uint32_t)umask_v & 07777)); }
static int op_rmdir(const char *p, u64 unused) { return (void)unused, rmdir(p); }
static int op_unlink(const char *p, u64 unused) { return (void)unused, unlink(p); }
static int op_unlinkat(const char *p, u64 flags) { return i32(flags) & G_AT_REMOVEDIR ? rmdir(p) : unlink(p); }

HANDLER(mkdir) {
  Resolved r;
  return path_op(resolve_cwd(a[0], RESOLVE_CREATE, &r), &r, op_mkdir, a[1]);
}
HANDLER(mkdirat) {
  Resolved r;
  return path_op(resolve_at(a[0], a[1], RESOLVE_CREATE, &r), &r, op_mkdir, a[2]);
}
HANDLER(rmdir) {
  Resolved r;
  return path_op(resolve_cwd(a[0], RESOLVE_NOFOLLOW, &r), &r, op_rmdir, 0);
}
HANDLER(unlink) {
  Resolved r;
  return path_op(resolve_cwd(a[0], RESOLVE_NOFOLLOW, &r), &r, op_unlink, 0);
}
HANDLER(unlinkat) {
  Resolved r;
  return path_op(resolve_at(a[0], a[1], RESOLVE_NOFOLLOW, &r), &r, op_unlinkat, a[2]);
}

/* two paths: both resolved, the first's error first (rename, link) */
static int64_t two_paths(int e1, Resolved *from, int e2, Resolved *to, int (*op)(const char *, const char *)) {
  int64_t res = e1 ? e1 : e2 ? e2 : from->synthetic || to->synthetic ? -GE_IO : op(from->host, to->host) != 0 ? host_err() : 0;
  resolved_free(from);
  resolved_free(to);
  return res;
}
static int64_t rename_at(u64 d1, u64 p1, u64 d2, u64 p2) {
  Resolved from, to;
  int e1 = resolve_at(d1, p1, RESOLVE_NOFOLLOW, &from);
  int e2 = resolve_at(d2, p2, RESOLVE_CREATE | RESOLVE_NOFOLLOW, &to);
  return two_paths(e1, &from, e2, &to, rename);
}
HANDLER(rename) { return rename_at((u64)(int64_t)G_AT_FDCWD, a[0], (u64)(int64_t)G_AT_FDCWD, a[1]); }
HANDLER(renameat) { return rename_at(a[0], a[1], a[2], a[3]); }
HANDLER(renameat2) { return rename_at(a[0], a[1], a[2], a[3]); } /* flags ignored, as in the TS */
HANDLER(link) {
  Resolved from, to;
  int e1 = resolve_cwd(a[0], 0, &from);
  int e2 = resolve_cwd(a[1], RESOLVE_CREATE, &to);
  return two_paths(e1, &from, e2, &to, link);
}
HANDLER(symlink) {
  /* the target is stored as given: following it later goes through the sandbox again */
  const char *target = guest_cstring(a[0], 4096);
  Resolved to;
  int e = resolve_cwd(a[1], RESOLVE_CREATE | RESOLVE_NOFOLLOW, &to);
  int64_t res = !target ? -GE_FAULT : e ? e : to.synthetic ? -GE_IO : symlink(target, to.host) != 0 ? host_err() : 0;
  resolved_free(&to);
  return res;
}

static int64_t copy_out(u64 buf, u64 size, const char *s, size_t len) {
  int64_t n = (int64_t)len < sint(size) ? (int64_t)len : sint(size);
  uint8_t *dst = n >= 0 ? guest_range(buf, (u64)n) : NULL;
  if (!dst) return -GE_FAULT;
  memmove(dst, s, (size_t)n);
  return n;
}

static int64_t readlink_at(u64 dirfd, u64 path, u64 buf, u64 size) {
  const char *s = guest_cstring(path, 4096);
  if (!s) return -GE_FAULT;
  if (!strcmp(s, "/proc/self/exe")) {
    /* an absolute guest path, as glibc expects; the module has no file of its own in the guest */
    const char *slash = strrchr(run_opts.program_name, '/');
    const char *name = slash ? slash + 1 : run_opts.program_name;
    if (!name[0]) name = "a.out";
    size_t len = strlen(name) + 1;
    char *exe = malloc(len + 1);
    if (!exe) return -GE_NOMEM;
    exe[0] = '/';
    memcpy(exe + 1, name, len);
    int64_t r = copy_out(buf, size, exe, len);
    free(exe);
    return r;
  }
  Resolved r;
  int e = resolve_at(dirfd, path, RESOLVE_NOFOLLOW, &r);
  if (e) return e;
  if (r.synthetic) {
    resolved_free(&r);
    return -GE_IO;
  }
  /* the whole target, however long (Node reads it all), then as much as fits */
  size_t cap = 256;
  char *t = NULL;
  ssize_t n;
  for (;;) {
    char *nt = realloc(t, cap);
    if (!nt) {
      free(t);
      resolved_free(&r);
      return -GE_NOMEM;
    }
    t = nt;
    n = readlink(r.host, t, cap);
    if (n < 0 || (size_t)n < cap || cap >= (1u << 20)) break;
    cap *= 2;
  }
  int64_t res = n < 0 ? host_err() : copy_out(buf, size, t, (size_t)n);
  free(t);
  resolved_free(&r);
  return res;
}
HANDLER(readlink) { return readlink_at((u64)(int64_t)G_AT_FDCWD, a[0], a[1], a[2]); }
HANDLER(readlinkat) { return readlink_at(a[0], a[1], a[2], a[3]); }
HANDLER(getcwd) {
  const char *c = sandbox_cwd();
  size_t len = strlen(c) + 1;
  if ((int64_t)len > sint(a[1])) return -GE_RANGE;
  uint8_t *b = guest_range(a[0], len);
  if (!b) return -GE_FAULT;
  memcpy(b, c, len);
  return (int64_t)len;
}
HANDLER(chdir) {
  Resolved r;
  int e = resolve_cwd(a[0], 0, &r);
  if (e) return e;
  if (!r.synthetic) {
    struct stat st;
    int64_t err = stat(r.host, &st) != 0 ? host_err() : !S_ISDIR(st.st_mode) ? -GE_NOTDIR : 0;
    if (err) {
      resolved_free(&r);
      return err;
    }
  }
  sandbox_set_cwd(r.guest);
  resolved_free(&r);
  return 0;
}
HANDLER(fchdir) {
  OpenFile *f = fd_arg(a[0]);
  if (!f) return -GE_BADF;
  if (!is_dir_file(f)) return -GE_NOTDIR;
  sandbox_set_cwd(f->guest_path);
  return 0;
}
HANDLER(dup) {
  OpenFile *f = fd_arg(a[0]);
  return f ? fd_add(f, 0, 0) : -GE_BADF;
}
static int64_t do_dup3(u64 oldv, u64 newv, int flags, int is_dup2) {
  OpenFile *f = fd_arg(oldv);
  if (!f) return -GE_BADF;
  int to = i32(newv);
  if (to < 0 || to >= MAX_FDS) return -GE_BADF;
  if (to == i32(oldv)) return is_dup2 ? to : -GE_INVAL;
  fd_put(to, f, (flags & GO_CLOEXEC) != 0);
  return to;
}
HANDLER(dup2) { return do_dup3(a[0], a[1], 0, 1); }
HANDLER(dup3) { return do_dup3(a[0], a[1], i32(a[2]), 0); }
HANDLER(fcntl) {
  OpenFile *f = fd_arg(a[0]);
  if (!f) return -GE_BADF;
  int cmd = i32(a[1]);
  switch (cmd) {
    case 0:    /* F_DUPFD */
    case 1030: /* F_DUPFD_CLOEXEC */
      if (i32(a[2]) < 0) return -GE_INVAL; /* the TS would install a negative descriptor */
      return fd_add(f, cmd == 1030, i32(a[2]));
    case 1: return fd_cloexec(i32(a[0])) ? 1 : 0; /* F_GETFD */
    case 2: fd_set_cloexec(i32(a[0]), (i32(a[2]) & 1) != 0); return 0; /* F_SETFD */
    case 3: /* F_GETFL */
      return open_flags_to_guest(f->kind == OF_HOST ? f->flags & ~GO_CLOEXEC
                                 : f->kind == OF_PIPE ? (f->write_end ? GO_WRONLY : 0) : GO_RDWR);
    case 4: if (f->kind == OF_HOST) f->append = (i32(a[2]) & GO_APPEND) != 0; return 0; /* F_SETFL */
    case 5: case 6: case 7: return 0; /* record locks: one process holds them all */
    default: return -GE_INVAL;
  }
}
HANDLER(ioctl) {
  OpenFile *f = fd_arg(a[0]);
  if (!f) return -GE_BADF;
  uint32_t req = (uint32_t)a[1];
  int tty = (f->kind == OF_STD || f->kind == OF_HOST) && isatty(f->fd);
  if (req == 0x5401) {
    /* TCGETS: a tty gets a plausible termios; anything else is not a terminal */
    if (!tty) return -GE_NOTTY;
    uint8_t *b = guest_range(a[2], 60);
    if (!b) return -GE_FAULT;
    memset(b, 0, 60);
    p32(b, 0, 0x500);
    p32(b, 4, 0x5);
    p32(b, 8, 0xbf);
    p32(b, 12, 0x8a3b);
    return 0;
  }
  if (req == 0x5413) {
    /* TIOCGWINSZ: stdout's size when it is a terminal (Node's process.stdout), else 80x24 */
    if (!tty) return -GE_NOTTY;
    uint8_t *b = guest_range(a[2], 8);
    if (!b) return -GE_FAULT;
    struct winsize ws;
    uint16_t rows = 24, cols = 80;
    if (isatty(1) && ioctl(1, TIOCGWINSZ, &ws) == 0) rows = ws.ws_row, cols = ws.ws_col;
    p16(b, 0, rows);
    p16(b, 2, cols);
    p32(b, 4, 0);
    return 0;
  }
  if (req == 0x5402 || req == 0x5403 || req == 0x5404 || req == 0x540f || req == 0x5410) return tty ? 0 : -GE_NOTTY;
  if (req == 0x541b) {
    /* FIONREAD */
    uint8_t *b = guest_range(a[2], 4);
    if (!b) return -GE_FAULT;
    size_t n = f->kind == OF_PIPE ? f->pipe->len : 0;
    p32(b, 0, (uint32_t)n);
    return 0;
  }
  return -GE_NOTTY;
}
static int64_t do_pipe2(u64 addr, int flags) {
  uint8_t *b = guest_range(addr, 8);
  if (!b) return -GE_FAULT;
  Pipe *p = pipe_new();
  OpenFile *r = file_new(OF_PIPE), *w = file_new(OF_PIPE);
  if (!p || !r || !w) {
    free(p), free(r), free(w);
    return -GE_NOMEM;
  }
  r->pipe = w->pipe = p;
  w->write_end = 1;
  int cloexec = (flags & GO_CLOEXEC) != 0;
  int rfd = fd_add(r, cloexec, 0);
  if (rfd < 0) {
    free(p), free(r), free(w);
    return rfd;
  }
  int wfd = fd_add(w, cloexec, 0);
  if (wfd < 0) {
    /* not in the TS (it hands back the error as a descriptor): undo, report EMFILE */
    p->writers = 0;
    fd_close(rfd);
    free(w);
    return wfd;
  }
  p32(b, 0, (uint32_t)rfd);
  p32(b, 4, (uint32_t)wfd);
  return 0;
}
HANDLER(pipe) { return do_pipe2(a[0], 0); }
HANDLER(pipe2) { return do_pipe2(a[0], i32(a[1])); }
HANDLER(fsync) {
  OpenFile *f = fd_arg(a[0]);
  if (!f) return -GE_BADF;
  return f->kind == OF_HOST && fsync(f->fd) != 0 ? host_err() : 0;
}
HANDLER(ftruncate) {
  OpenFile *f = fd_arg(a[0]);
  if (!f) return -GE_BADF;
  if (f->kind != OF_HOST) return -GE_INVAL;
  /* Node's ftruncateSync takes a negative length as 0 */
  int64_t len = sint(a[1]) < 0 ? 0 : sint(a[1]);
  return ftruncate(f->fd, len) != 0 ? host_err() : 0;
}
HANDLER(umask) {
  int old = umask_v;
  umask_v = (int)(a[0] & 0777);
  return old;
}
HANDLER(zero) { return 0; } /* chmod, chown and utimensat families: accepted, not done */

/* ---- memory ---- */

HANDLER(brk) { return memory_brk(a[0]); }
HANDLER(mmap) {
  enum { MAP_FIXED_G = 0x10, MAP_ANON_G = 0x20 }; /* the same on both guests */
  int flags = i32(a[3]);
  int64_t n = sint(a[1]);
  if (n <= 0) return -GE_INVAL;
  int64_t at = memory_map((u64)n, a[0], (flags & MAP_FIXED_G) != 0);
  if (at < 0) return at;
  if (!(flags & MAP_ANON_G)) {
    /* file mappings are copies (MAP_PRIVATE semantics; writes to a MAP_SHARED mapping are not written back) */
    OpenFile *f = fd_arg(a[4]);
    if (!f || f->kind != OF_HOST) {
      memory_unmap((u64)at, (u64)n);
      return f ? -GE_ACCES : -GE_BADF;
    }
    int64_t r = host_read(f->fd, guest_range((u64)at, (u64)n), (size_t)n, AT_NUMBER, sint(a[5]));
    if (r < 0) {
      memory_unmap((u64)at, (u64)n);
      return r;
    }
  }
  return at;
}
HANDLER(munmap) {
  if (a[0] % PAGE || sint(a[1]) <= 0) return -GE_INVAL;
  return memory_unmap(a[0], a[1]);
}
HANDLER(mremap) {
  /* MREMAP_MAYMOVE: a fresh mapping with the old contents */
  u64 old = a[0];
  int64_t old_len = sint(a[1]), new_len = sint(a[2]);
  if (!(i32(a[3]) & 1)) return new_len <= old_len ? (int64_t)old : -GE_NOMEM;
  if (new_len <= 0) return -GE_INVAL;
  int64_t at = memory_map((u64)new_len, 0, 0);
  if (at < 0) return at;
  /* copyWithin: what of the old range lies inside memory, as much as fits at the new place */
  u64 size = guest_size();
  int64_t count = old_len < new_len ? old_len : new_len;
  if (count > 0 && old < size) {
    u64 end = (u64)count > size - old ? size : old + (u64)count;
    u64 n = end - old;
    if (n > size - (u64)at) n = size - (u64)at;
    memmove(guest_range((u64)at, n), guest_range(old, n), (size_t)n);
  }
  if (old_len > 0) memory_unmap(old, (u64)old_len);
  return at;
}

/* ---- process ---- */

static noreturn void do_exit(u64 status) {
  char r[32];
  snprintf(r, sizeof r, "exit %d", i32(status));
  trace_end(r);
  guest_exit(i32(status));
}
HANDLER(exit) { do_exit(a[0]); }
HANDLER(pid) { return GUEST_PID; } /* getpid, gettid, getpgrp, getpgid, getsid */
HANDLER(getppid) { return 1; }
HANDLER(id) { return 1000; } /* getuid, geteuid, getgid, getegid */
HANDLER(getresuid) {
  /* checked first (the TS writes unchecked and would crash): EFAULT as Linux */
  for (int k = 0; k < 3; k++)
    if (a[k] && !guest_range(a[k], 4)) return -GE_FAULT;
  for (int k = 0; k < 3; k++)
    if (a[k]) guest_set_u32((uint32_t)a[k], 1000);
  return 0;
}
static u64 tid_address;
HANDLER(set_tid_address) {
  tid_address = a[0];
  return GUEST_PID;
}
HANDLER(enosys) { return -GE_NOSYS; }
HANDLER(arch_prctl) {
  static u64 *fs;
  int code = i32(a[0]);
  if (code == 0x1002) { /* ARCH_SET_FS */
    if (!fs) fs = slot("fs");
    *fs = a[1];
    return 0;
  }
  if (code == 0x1003) { /* ARCH_GET_FS */
    uint8_t *b = guest_range(a[1], 8);
    if (!b) return -GE_FAULT;
    if (!fs) fs = slot("fs");
    p64(b, 0, *fs);
    return 0;
  }
  return -GE_INVAL;
}
HANDLER(uname) {
  uint8_t *b = guest_range(a[0], 65 * 6);
  if (!b) return -GE_FAULT;
  memset(b, 0, 65 * 6);
  /* a fixed identity, so output does not depend on the host (documented in the README) */
  const char *f[6] = {"Linux", "recomp", "6.1.0-recomp", "#1 SMP PREEMPT_DYNAMIC recomp",
                      image_meta.arch == ARCH_AARCH64 ? "aarch64" : "x86_64", "(none)"};
  for (int k = 0; k < 6; k++) memcpy(b + 65 * k, f[k], strlen(f[k]));
  return 0;
}
static void rlimit_of(int resource, u64 out[2]) {
  const u64 inf = UINT64_MAX;
  out[0] = resource == 3 ? 8u << 20 : resource == 7 ? 1024 : inf; /* STACK, NOFILE */
  out[1] = resource == 7 ? 1024 : inf;
}
/* struct rlimit of `resource` at guest addr */
static int64_t put_rlimit(u64 addr, int resource) {
  uint8_t *b = guest_range(addr, 16);
  if (!b) return -GE_FAULT;
  u64 l[2];
  rlimit_of(resource, l);
  p64(b, 0, l[0]);
  p64(b, 8, l[1]);
  return 0;
}
HANDLER(prlimit64) {
  return a[3] ? put_rlimit(a[3], i32(a[1])) : 0;
}
HANDLER(getrlimit) {
  return put_rlimit(a[1], i32(a[0]));
}
HANDLER(getrusage) {
  uint8_t *b = guest_range(a[1], 144);
  if (!b) return -GE_FAULT;
  memset(b, 0, 144);
  struct rusage u;
  if (getrusage(RUSAGE_SELF, &u) == 0) {
    p64(b, 0, (u64)u.ru_utime.tv_sec);
    p64(b, 8, (u64)u.ru_utime.tv_usec);
    p64(b, 16, (u64)u.ru_stime.tv_sec);
    p64(b, 24, (u64)u.ru_stime.tv_usec);
  }
  return 0;
}

static struct timespec started; /* process.uptime() counts from here */
__attribute__((constructor)) static void note_start(void) { clock_gettime(CLOCK_MONOTONIC, &started); }

HANDLER(sysinfo) {
  uint8_t *b = guest_range(a[0], 112);
  if (!b) return -GE_FAULT;
  memset(b, 0, 112);
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  int64_t up = (int64_t)(now.tv_sec - started.tv_sec) - (now.tv_nsec < started.tv_nsec);
  p64(b, 0, (u64)up);
  p64(b, 32, 2ull << 30); /* totalram: the guest's 2 GiB */
  p64(b, 40, 1ull << 30); /* freeram */
  p16(b, 80, 1);          /* procs */
  p32(b, 104, 1);         /* mem_unit */
  return 0;
}
HANDLER(sched_getaffinity) {
  int64_t n = sint(a[1]);
  int64_t len = n < 128 ? n : 128;
  uint8_t *b = len >= 0 ? guest_range(a[2], (u64)len) : NULL;
  if (!b) return -GE_FAULT;
  memset(b, 0, (size_t)len);
  if (len > 0) b[0] = 1; /* one CPU: the guest is single-threaded */
  return n < 8 ? n : 8;
}
HANDLER(getrandom) {
  int64_t n = sint(a[1]);
  uint8_t *b = n >= 0 ? guest_range(a[0], (u64)n) : NULL;
  if (!b) return -GE_FAULT;
  for (int64_t done = 0; done < n;) {
    ssize_t r = getrandom(b + done, (size_t)(n - done), 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      return host_err();
    }
    done += r;
  }
  return n;
}

/* ---- time ---- */

static int64_t clock_ns(clockid_t c) {
  struct timespec t;
  clock_gettime(c, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}
/* CLOCK_REALTIME 0, MONOTONIC 1, PROCESS_CPUTIME 2, THREAD_CPUTIME 3, MONOTONIC_RAW 4,
   *_COARSE 5/6, BOOTTIME 7; anything else reads the monotonic clock, as in the TS */
static int64_t timespec_now(int clock) {
  if (clock == 0 || clock == 5) return clock_ns(CLOCK_REALTIME);
  if (clock == 2 || clock == 3) {
    /* process.cpuUsage(): user + system, in microseconds */
    struct rusage u;
    if (getrusage(RUSAGE_SELF, &u) != 0) return 0;
    int64_t us = (int64_t)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000000 + u.ru_utime.tv_usec + u.ru_stime.tv_usec;
    return us * 1000;
  }
  return clock_ns(CLOCK_MONOTONIC);
}
/* the struct timespec at addr in nanoseconds (unsigned, saturating), or 0 with *ok = 0 */
static u64 timespec_at(u64 addr, int *ok) {
  const uint8_t *b = guest_range(addr, 16);
  *ok = b != NULL;
  if (!b) return 0;
  u64 s = r64(b, 0), ns = r64(b, 8);
  if (s > UINT64_MAX / 1000000000 || s * 1000000000 > UINT64_MAX - ns) return UINT64_MAX;
  return s * 1000000000 + ns;
}
/* whole milliseconds, as the TS's Atomics.wait: less than 1 ms does not sleep */
static void sleep_ns(u64 ns) {
  u64 ms = ns / 1000000;
  if (ms > 0) sleep_ms(ms);
}

HANDLER(clock_gettime) {
  int64_t ns = timespec_now(i32(a[0]));
  uint8_t *b = guest_range(a[1], 16);
  if (!b) return -GE_FAULT;
  p64(b, 0, (u64)(ns / 1000000000));
  p64(b, 8, (u64)(ns % 1000000000));
  return 0;
}
HANDLER(clock_getres) {
  if (a[1]) {
    uint8_t *b = guest_range(a[1], 16);
    if (!b) return -GE_FAULT;
    p64(b, 0, 0);
    p64(b, 8, 1);
  }
  return 0;
}
HANDLER(gettimeofday) {
  if (a[0]) {
    int64_t ns = timespec_now(0);
    uint8_t *b = guest_range(a[0], 16);
    if (!b) return -GE_FAULT;
    p64(b, 0, (u64)(ns / 1000000000));
    p64(b, 8, (u64)(ns % 1000000000 / 1000));
  }
  return 0;
}
HANDLER(time) {
  int64_t s = clock_ns(CLOCK_REALTIME) / 1000000000;
  if (a[0]) {
    uint8_t *b = guest_range(a[0], 8); /* checked (the TS writes unchecked) */
    if (!b) return -GE_FAULT;
    p64(b, 0, (u64)s);
  }
  return s;
}
HANDLER(nanosleep) {
  int ok;
  u64 ns = timespec_at(a[0], &ok);
  if (!ok) return -GE_FAULT;
  sleep_ns(ns);
  return 0;
}
HANDLER(clock_nanosleep) {
  int ok;
  u64 ns = timespec_at(a[2], &ok);
  if (!ok) return -GE_FAULT;
  if (i32(a[1]) & 1) { /* TIMER_ABSTIME */
    int64_t now = timespec_now(i32(a[0]));
    if (now >= 0 && ns <= (u64)now) return 0;
    ns -= now < 0 ? 0 : (u64)now;
  }
  if (ns > 0) sleep_ns(ns);
  return 0;
}

/* ---- what a single process without fork cannot do ---- */

HANDLER(futex) {
  int op = i32(a[1]) & 0x7f;
  if (op == 1) return 0;          /* FUTEX_WAKE: nobody waits */
  if (op == 0) return -GE_AGAIN;  /* FUTEX_WAIT with one thread would deadlock */
  return -GE_NOSYS;
}
/* fork/exec: refused with ENOSYS, and said on stderr so a shell's failure is explained */
static int64_t not_yet(const char *what) {
  fprintf(stderr, "recomp: %s is not supported yet: the guest cannot start child processes in this version\n", what);
  return -GE_NOSYS;
}
HANDLER(fork) { return not_yet("fork"); }
HANDLER(vfork) { return not_yet("vfork"); }
HANDLER(clone) { return not_yet("clone (fork and threads)"); }
HANDLER(execve) { return not_yet("execve"); }
HANDLER(wait4) { return -GE_CHILD; }
HANDLER(poll) {
  /* everything is ready: files, ttys and pipes never block a single process here */
  int64_t n = sint(a[1]);
  for (int64_t k = 0; k < n; k++) {
    uint8_t *b = a[0] < (1ull << 33) ? guest_range(a[0] + (u64)k * 8, 8) : NULL;
    if (!b) return -GE_FAULT;
    p16(b, 6, (uint16_t)(r16s(b, 4) & 5));
  }
  return n;
}
/* ppoll: descriptors as poll; with none, a sleep cut short by a signal (aarch64 has no pause:
   the C library calls ppoll(NULL, 0, NULL, NULL)) */
HANDLER(ppoll) {
  if (a[1] != 0) return sys_poll(a, pc);
  if (!a[2]) return signals_pause();
  int ok;
  u64 ns = timespec_at(a[2], &ok);
  if (!ok) return -GE_FAULT;
  return signals_sleep(ns) ? -GE_INTR : 0;
}

/* ---- the table ---- */

static const SyscallEntry SYSCALLS[] = {
  {"read", sys_read}, {"write", sys_write}, {"pread64", sys_pread64}, {"pwrite64", sys_pwrite64},
  {"readv", sys_readv}, {"writev", sys_writev}, {"open", sys_open}, {"openat", sys_openat}, {"creat", sys_creat},
  {"close", sys_close}, {"lseek", sys_lseek}, {"fstat", sys_fstat}, {"stat", sys_stat}, {"lstat", sys_lstat},
  {"newfstatat", sys_newfstatat}, {"statx", sys_statx}, {"access", sys_access}, {"faccessat", sys_faccessat},
  {"faccessat2", sys_faccessat2}, {"getdents64", sys_getdents64}, {"mkdir", sys_mkdir}, {"mkdirat", sys_mkdirat},
  {"rmdir", sys_rmdir}, {"unlink", sys_unlink}, {"unlinkat", sys_unlinkat}, {"rename", sys_rename},
  {"renameat", sys_renameat}, {"renameat2", sys_renameat2}, {"link", sys_link}, {"symlink", sys_symlink},
  {"readlink", sys_readlink}, {"readlinkat", sys_readlinkat}, {"getcwd", sys_getcwd}, {"chdir", sys_chdir},
  {"fchdir", sys_fchdir}, {"dup", sys_dup}, {"dup2", sys_dup2}, {"dup3", sys_dup3}, {"fcntl", sys_fcntl},
  {"ioctl", sys_ioctl}, {"pipe", sys_pipe}, {"pipe2", sys_pipe2}, {"fsync", sys_fsync}, {"fdatasync", sys_fsync},
  {"ftruncate", sys_ftruncate}, {"umask", sys_umask}, {"chmod", sys_zero}, {"fchmod", sys_zero},
  {"fchmodat", sys_zero}, {"chown", sys_zero}, {"fchown", sys_zero}, {"fchownat", sys_zero}, {"lchown", sys_zero},
  {"utimensat", sys_zero},
  {"brk", sys_brk}, {"mmap", sys_mmap}, {"munmap", sys_munmap}, {"mprotect", sys_zero}, {"madvise", sys_zero},
  {"mremap", sys_mremap},
  {"exit", sys_exit}, {"exit_group", sys_exit}, {"getpid", sys_pid}, {"gettid", sys_pid}, {"getppid", sys_getppid},
  {"getuid", sys_id}, {"geteuid", sys_id}, {"getgid", sys_id}, {"getegid", sys_id}, {"getpgrp", sys_pid},
  {"getpgid", sys_pid}, {"getsid", sys_pid}, {"setpgid", sys_zero}, {"getgroups", sys_zero},
  {"getresuid", sys_getresuid}, {"getresgid", sys_getresuid}, {"set_tid_address", sys_set_tid_address},
  {"set_robust_list", sys_zero}, {"rseq", sys_enosys}, {"arch_prctl", sys_arch_prctl}, {"uname", sys_uname},
  {"prlimit64", sys_prlimit64}, {"getrlimit", sys_getrlimit}, {"setrlimit", sys_zero}, {"getrusage", sys_getrusage},
  {"sysinfo", sys_sysinfo}, {"sched_getaffinity", sys_sched_getaffinity}, {"sched_yield", sys_zero},
  {"getrandom", sys_getrandom},
  {"clock_gettime", sys_clock_gettime}, {"clock_getres", sys_clock_getres}, {"gettimeofday", sys_gettimeofday},
  {"time", sys_time}, {"nanosleep", sys_nanosleep}, {"clock_nanosleep", sys_clock_nanosleep},
  {"futex", sys_futex}, {"fork", sys_fork}, {"vfork", sys_vfork}, {"clone", sys_clone}, {"clone3", sys_enosys},
  {"execve", sys_execve}, {"wait4", sys_wait4}, {"ppoll", sys_ppoll}, {"poll", sys_poll},
  {0, 0},
};

static SyscallHandler find(const SyscallEntry *t, const char *name) {
  for (; t->name; t++)
    if (!strcmp(t->name, name)) return t->handler;
  return NULL;
}

/* handlers by number, looked up by name once per number */
static SyscallHandler lookup(u64 nr, const char *name) {
  static SyscallHandler *cache;
  static uint8_t *known;
  uint32_t n = image_meta.nsyscall_names;
  if (!cache) {
    cache = calloc(n ? n : 1, sizeof *cache);
    known = calloc(n ? n : 1, 1);
    if (!cache || !known) guest_killed(6, "the host is out of memory");
  }
  if (!known[nr]) {
    SyscallHandler h = find(SYSCALLS, name);
    cache[nr] = h ? h : find(signal_syscalls, name);
    known[nr] = 1;
  }
  return cache[nr];
}

uint64_t host_syscall(uint64_t nr, uint64_t a[6], uint32_t pc) {
  const char *name = nr < image_meta.nsyscall_names ? image_meta.syscall_names[nr] : NULL;
  SyscallHandler h = name ? lookup(nr, name) : NULL;
  TraceCtx outer = tracing;
  tracing.on = 1; /* for a kill or an exit inside the handler */
  if (name) snprintf(tracing.name, sizeof tracing.name, "%s", name);
  else snprintf(tracing.name, sizeof tracing.name, "syscall_%" PRId64, sint(nr));
  memcpy(tracing.args, a, sizeof tracing.args);
  TraceCtx self = tracing;
  int64_t r = h ? h(a, pc) : -GE_NOSYS;
  tracing = outer;
  if (run_opts.trace) {
    char res[32];
    if (h) snprintf(res, sizeof res, "%" PRId64, r);
    trace_line(self.name, self.args, h ? res : "-1 ENOSYS (not supported by recomp yet)");
  }
  uint64_t v = signals_deliver((u64)r, pc);
  tracing = outer; /* again: a handler's rt_sigreturn may have left a nested call unfinished */
  return v;
}
