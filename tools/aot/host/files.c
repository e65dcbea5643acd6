/*
 * The guest's view of files: granted directories (and nothing else), file descriptors,
 * in-process pipes. The port of tools/vkernel/files.ts (and errnoOf from errors.ts, the open
 * flag remapping from arch.ts).
 *
 * A guest path is made absolute against the guest's cwd and normalised lexically ('..'
 * stops at '/'); the longest granted guest prefix maps it to a host path; then the host
 * path, with symlinks resolved (realpath), must still lie inside that grant's host
 * directory, so neither '..' nor a symlink can reach the rest of the host.
 */
#define _GNU_SOURCE /* O_PATH, O_DIRECT, O_TMPFILE, strndup... */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host.h"
#include "files.h"

static noreturn void out_of_memory(void) {
  guest_killed(6, "the host is out of memory");
}
static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) out_of_memory();
  return p;
}
static char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  return memcpy(xmalloc(n), s, n);
}
/* a + b + c, malloc'ed */
static char *concat3(const char *a, const char *b, const char *c) {
  size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
  char *s = xmalloc(la + lb + lc + 1);
  memcpy(s, a, la);
  memcpy(s + la, b, lb);
  memcpy(s + la + lb, c, lc + 1);
  return s;
}
/* s is prefix or lies below it: prefix + "/" starts s */
static int is_below(const char *s, const char *prefix) {
  size_t n = strlen(prefix);
  return strncmp(s, prefix, n) == 0 && s[n] == '/';
}

/* ---- errors.ts errnoOf, arch.ts open flags ---- */

int guest_errno(int e) {
  switch (e) {
    case EPERM: return GE_PERM;
    case ENOENT: return GE_NOENT;
    case ESRCH: return GE_SRCH;
    case EINTR: return GE_INTR;
    case EIO: return GE_IO;
    case EBADF: return GE_BADF;
    case ECHILD: return GE_CHILD;
    case EAGAIN: return GE_AGAIN;
    case ENOMEM: return GE_NOMEM;
    case EACCES: return GE_ACCES;
    case EFAULT: return GE_FAULT;
    case EBUSY: return GE_BUSY;
    case EEXIST: return GE_EXIST;
    case EXDEV: return GE_XDEV;
    case ENOTDIR: return GE_NOTDIR;
    case EISDIR: return GE_ISDIR;
    case EINVAL: return GE_INVAL;
    case ENFILE: return GE_NFILE;
    case EMFILE: return GE_MFILE;
    case ENOTTY: return GE_NOTTY;
    case EFBIG: return GE_FBIG;
    case ENOSPC: return GE_NOSPC;
    case ESPIPE: return GE_SPIPE;
    case EROFS: return GE_ROFS;
    case EMLINK: return GE_MLINK;
    case EPIPE: return GE_PIPE;
    case ERANGE: return GE_RANGE;
    case ENAMETOOLONG: return GE_NAMETOOLONG;
    case ENOSYS: return GE_NOSYS;
    case ENOTEMPTY: return GE_NOTEMPTY;
    case ELOOP: return GE_LOOP;
    case EOPNOTSUPP: return GE_NOTSUP;
    default: return GE_IO; /* what errnoOf answers for a code it does not know */
  }
}

/* aarch64 ↔ x86_64: O_DIRECTORY, O_NOFOLLOW, O_DIRECT, O_LARGEFILE sit at other bits */
static const int A64_OPEN[4][2] = {{040000, 0200000}, {0100000, 0400000}, {0200000, 040000}, {0400000, 0100000}};

static int remap(int f, int from, int to) {
  int out = f;
  for (int k = 0; k < 4; k++) out &= ~A64_OPEN[k][from];
  for (int k = 0; k < 4; k++)
    if (f & A64_OPEN[k][from]) out |= A64_OPEN[k][to];
  return out;
}
int open_flags_from_guest(int guest) { return image_meta.arch == ARCH_AARCH64 ? remap(guest, 0, 1) : guest; }
int open_flags_to_guest(int flags) { return image_meta.arch == ARCH_AARCH64 ? remap(flags, 1, 0) : flags; }

int open_flags_to_host(int f) {
  /* bit by bit by name: an aarch64 host numbers O_DIRECTORY and friends differently */
  static const struct {
    int x86;
    int host;
  } bits[] = {
    {GO_CREAT, O_CREAT}, {GO_EXCL, O_EXCL}, {GO_NOCTTY, O_NOCTTY}, {GO_TRUNC, O_TRUNC}, {GO_APPEND, O_APPEND},
    {GO_NONBLOCK, O_NONBLOCK}, {010000, O_DSYNC}, {020000, O_ASYNC}, {040000, O_DIRECT},
    {GO_DIRECTORY, O_DIRECTORY}, {GO_NOFOLLOW, O_NOFOLLOW}, {01000000, O_NOATIME}, {GO_CLOEXEC, O_CLOEXEC},
    {04000000, O_SYNC & ~O_DSYNC}, {GO_PATH, O_PATH}, {020000000, O_TMPFILE & ~O_DIRECTORY},
    /* 0100000 O_LARGEFILE: implied on a 64-bit host */
  };
  int out = f & 3; /* O_RDONLY 0, O_WRONLY 1, O_RDWR 2 everywhere */
  for (size_t k = 0; k < sizeof bits / sizeof bits[0]; k++)
    if (f & bits[k].x86) out |= bits[k].host;
  return out;
}

/* ---- the sandbox ---- */

typedef struct {
  char *host;  /* real path */
  char *guest; /* normalised, no trailing '/' ('/' itself stays) */
} SandboxGrant;
static SandboxGrant *grants;
static int ngrants;
static char *cwd;

/* path.posix.normalize of an absolute path: '.', '..' (stopping at '/') and repeated '/'
   go; a trailing '/' stays, as Node keeps it */
static char *normalize_abs(const char *p) {
  size_t n = strlen(p);
  int trailing = n > 0 && p[n - 1] == '/';
  char *out = xmalloc(n + 3);
  size_t len = 0; /* out holds "/seg/seg" without a trailing '/' */
  const char *s = p;
  while (*s) {
    while (*s == '/') s++;
    const char *e = s;
    while (*e && *e != '/') e++;
    size_t k = (size_t)(e - s);
    if (k == 0 || (k == 1 && s[0] == '.')) {
      /* nothing */
    } else if (k == 2 && s[0] == '.' && s[1] == '.') {
      while (len > 0 && out[len - 1] != '/') len--;
      if (len > 0) len--; /* the '/' before the dropped segment */
    } else {
      out[len++] = '/';
      memcpy(out + len, s, k);
      len += k;
    }
    s = e;
  }
  if (len == 0) out[len++] = '/';
  else if (trailing) out[len++] = '/';
  out[len] = 0;
  return out;
}

char *sandbox_absolute(const char *path, const char *dir) {
  if (path[0] == '/') return normalize_abs(path);
  if (!dir) dir = cwd;
  char *joined = path[0] ? concat3(dir, "/", path) : xstrdup(dir); /* posix.join skips an empty part */
  char *out = normalize_abs(joined);
  free(joined);
  return out;
}

const char *sandbox_cwd(void) { return cwd; }
void sandbox_set_cwd(const char *guest) {
  char *c = xstrdup(guest);
  free(cwd);
  cwd = c;
}

/* path.posix.join(base, name) for a real path base (no trailing '/' but '/') and a name without '/' */
static char *join_name(const char *base, const char *name) {
  if (!name[0]) return xstrdup(base);
  return concat3(strcmp(base, "/") ? base : "", "/", name);
}

/* realpath(dirname(host)) joined with host's last component, or NULL with errno */
static char *real_parent_join(const char *host) {
  const char *slash = strrchr(host, '/');
  char *dir = slash == host ? xstrdup("/") : strndup(host, (size_t)(slash - host));
  if (!dir) out_of_memory();
  char *rd = realpath(dir, NULL);
  int e = errno;
  free(dir);
  if (!rd) {
    errno = e;
    return NULL;
  }
  char *out = join_name(rd, slash + 1);
  free(rd);
  return out;
}

static int ancestor_of_grant(const char *abs) {
  if (!strcmp(abs, "/")) return 1;
  for (int k = 0; k < ngrants; k++)
    if (is_below(grants[k].guest, abs)) return 1;
  return 0;
}

int sandbox_resolve(const char *path, const char *dir, int opts, Resolved *out) {
  memset(out, 0, sizeof *out);
  size_t plen = strlen(path);
  if (plen == 0) return -GE_NOENT;
  if (plen > 4095) return -GE_NAMETOOLONG;
  char *abs = sandbox_absolute(path, dir);
  const SandboxGrant *g = NULL;
  for (int k = 0; k < ngrants && !g; k++) {
    const SandboxGrant *x = &grants[k];
    if (!strcmp(abs, x->guest) || !strcmp(x->guest, "/") || is_below(abs, x->guest)) g = x;
  }
  if (!g) {
    /* '/' and the directories above a grant exist, so `cd /` and `ls /` work */
    if (!ancestor_of_grant(abs)) {
      free(abs);
      return -GE_NOENT;
    }
    out->guest = abs;
    out->synthetic = 1;
    return 0;
  }
  size_t glen = strlen(g->guest);
  const char *rel = !strcmp(g->guest, "/") ? abs + 1 : strlen(abs) > glen ? abs + glen + 1 : "";
  char *host;
  if (!rel[0]) host = xstrdup(g->host);
  else {
    host = concat3(strcmp(g->host, "/") ? g->host : "", "/", rel);
    size_t hl = strlen(host);
    if (hl > 1 && host[hl - 1] == '/') host[hl - 1] = 0; /* path.join drops the empty last part */
  }
  /* confine: resolve symlinks (of the parent only when the last component may be new or a link) */
  int nofollow = (opts & RESOLVE_NOFOLLOW) != 0;
  char *real = nofollow ? real_parent_join(host) : realpath(host, NULL);
  if (!real) {
    int e = errno;
    if (e != ENOENT || !(opts & RESOLVE_CREATE)) {
      /* a dangling link inside the grant, or a missing file: missing either way; anything
         else (a file used as a directory, a loop) is refused */
      free(host);
      free(abs);
      return e == ENOENT ? -GE_NOENT : -GE_ACCES;
    }
    real = real_parent_join(host);
    if (!real) {
      free(host);
      free(abs);
      return -GE_NOENT;
    }
  }
  if (strcmp(real, g->host) && !is_below(real, g->host)) {
    free(real);
    free(host);
    free(abs);
    return -GE_ACCES;
  }
  if (!strcmp(real, host) || nofollow) free(real);
  else {
    free(host);
    host = real;
  }
  out->host = host;
  out->guest = abs;
  return 0;
}

/* the grant whose host directory holds a host path (the longest such) */
static const SandboxGrant *grant_of_host(const char *host) {
  const SandboxGrant *best = NULL;
  for (int k = 0; k < ngrants; k++) {
    const SandboxGrant *g = &grants[k];
    if ((!strcmp(host, g->host) || is_below(host, g->host)) && (!best || strlen(g->host) > strlen(best->host))) best = g;
  }
  return best;
}

int sandbox_check_create(const char *host) {
  const SandboxGrant *g = grant_of_host(host);
  if (!g) return -GE_ACCES;
  char *p = xstrdup(host);
  int e = -GE_LOOP;
  for (int hops = 0; hops < 40; hops++) {
    struct stat st;
    if (lstat(p, &st) != 0 || !S_ISLNK(st.st_mode)) {
      e = 0;
      break;
    }
    /* where the link points, with the symlinks of its directory resolved */
    char *t = NULL;
    for (size_t cap = 256; cap <= (1u << 20); cap *= 2) {
      char *nt = realloc(t, cap);
      if (!nt) out_of_memory();
      t = nt;
      ssize_t n = readlink(p, t, cap);
      if (n < 0) {
        free(t);
        t = NULL;
        break;
      }
      if ((size_t)n < cap) {
        t[n] = 0;
        break;
      }
    }
    if (!t) {
      e = -GE_ACCES;
      break;
    }
    char *q;
    if (t[0] == '/') q = xstrdup(t);
    else {
      char *dir = xstrdup(p);
      *strrchr(dir, '/') = 0;
      q = concat3(dir, "/", t);
      free(dir);
    }
    free(t);
    const char *last = strrchr(q, '/') + 1;
    /* a last part of '.' or '..' names a directory, which must exist: resolve all of it */
    char *next = !strcmp(last, ".") || !strcmp(last, "..") || !last[0] ? realpath(q, NULL) : real_parent_join(q);
    free(q);
    free(p);
    p = next;
    if (!p) {
      e = -GE_NOENT;
      break;
    }
  }
  if (!e && strcmp(p, g->host) && !is_below(p, g->host)) e = -GE_ACCES;
  free(p);
  return e;
}

void resolved_free(Resolved *r) {
  free(r->host);
  free(r->guest);
  r->host = r->guest = NULL;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

char **sandbox_synthetic_entries(const char *abs, size_t *n) {
  char **out = xmalloc((size_t)(ngrants ? ngrants : 1) * sizeof *out);
  size_t count = 0;
  for (int k = 0; k < ngrants; k++) {
    const char *gg = grants[k].guest;
    const char *rest = !strcmp(abs, "/") ? gg + 1 : is_below(gg, abs) ? gg + strlen(abs) + 1 : NULL;
    if (!rest || !rest[0]) continue;
    const char *slash = strchr(rest, '/');
    char *name = slash ? strndup(rest, (size_t)(slash - rest)) : xstrdup(rest);
    if (!name) out_of_memory();
    int dup = 0;
    for (size_t j = 0; j < count && !dup; j++) dup = !strcmp(out[j], name);
    if (dup) free(name);
    else out[count++] = name;
  }
  qsort(out, count, sizeof *out, cmp_str);
  *n = count;
  return out;
}

/* ---- open file descriptions, descriptors ---- */

static struct {
  OpenFile *file;
  int cloexec;
} fds[MAX_FDS];

OpenFile *file_new(int kind) {
  OpenFile *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  f->kind = kind;
  f->fd = -1;
  return f;
}

static void dir_free(DirStream *d) {
  if (!d) return;
  for (size_t k = 0; k < d->n; k++) free(d->entries[k].name);
  free(d->entries);
  free(d);
}

static void file_free(OpenFile *f) {
  free(f->path);
  free(f->guest_path);
  dir_free(f->dir);
  free(f);
}

void file_discard(OpenFile *f) {
  if (f && f->refs == 0) file_free(f);
}

Pipe *pipe_new(void) {
  Pipe *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->readers = p->writers = 1;
  return p;
}

static void release(OpenFile *f) {
  if (--f->refs > 0) return;
  if (f->kind == OF_HOST) close(f->fd);
  else if (f->kind == OF_PIPE) {
    Pipe *p = f->pipe;
    if (f->write_end) p->writers--;
    else p->readers--;
    if (p->readers <= 0 && p->writers <= 0) {
      free(p->buf);
      free(p);
    }
  }
  /* std: the host's own 0-2 stay open (the TS does not close them either) */
  file_free(f);
}

OpenFile *fd_get(int fd) { return fd >= 0 && fd < MAX_FDS ? fds[fd].file : NULL; }
int fd_cloexec(int fd) { return fd >= 0 && fd < MAX_FDS && fds[fd].file ? fds[fd].cloexec : 0; }
void fd_set_cloexec(int fd, int on) {
  if (fd >= 0 && fd < MAX_FDS && fds[fd].file) fds[fd].cloexec = on;
}

int fd_add(OpenFile *file, int cloexec, int from) {
  int fd = from < 0 ? 0 : from;
  while (fd < MAX_FDS && fds[fd].file) fd++;
  if (fd >= MAX_FDS) return -GE_MFILE;
  file->refs++;
  fds[fd].file = file;
  fds[fd].cloexec = cloexec;
  return fd;
}

void fd_put(int fd, OpenFile *file, int cloexec) {
  file->refs++; /* first, so replacing a descriptor of the same description keeps it */
  if (fds[fd].file) fd_close(fd);
  fds[fd].file = file;
  fds[fd].cloexec = cloexec;
}

int fd_close(int fd) {
  OpenFile *f = fd_get(fd);
  if (!f) return -GE_BADF;
  fds[fd].file = NULL;
  fds[fd].cloexec = 0;
  release(f);
  return 0;
}

void files_close_all(void) {
  for (int fd = 0; fd < MAX_FDS; fd++)
    if (fds[fd].file) fd_close(fd);
}

/* ---- directories ---- */

static int cmp_entry(const void *a, const void *b) {
  return strcmp(((const DirEntry *)a)->name, ((const DirEntry *)b)->name);
}

static int push_entry(DirStream *d, size_t *cap, const char *name, uint64_t ino, uint8_t type) {
  if (d->n == *cap) {
    size_t c = *cap ? *cap * 2 : 32;
    DirEntry *e = realloc(d->entries, c * sizeof *e);
    if (!e) return 0;
    d->entries = e;
    *cap = c;
  }
  char *copy = strdup(name);
  if (!copy) return 0;
  d->entries[d->n++] = (DirEntry){copy, ino, type};
  return 1;
}

static uint8_t dirent_type(unsigned char t, int dirfd, const char *name) {
  if (t == DT_UNKNOWN) {
    /* Node's readdir lstat()s what the file system does not type */
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return 0;
    t = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : S_ISLNK(st.st_mode) ? DT_LNK
      : S_ISFIFO(st.st_mode) ? DT_FIFO : S_ISSOCK(st.st_mode) ? DT_SOCK : S_ISCHR(st.st_mode) ? DT_CHR
      : S_ISBLK(st.st_mode) ? DT_BLK : DT_UNKNOWN;
  }
  /* the guest's d_type values (Linux's DT_*), named here for hosts that might differ */
  switch (t) {
    case DT_DIR: return 4;
    case DT_REG: return 8;
    case DT_LNK: return 10;
    case DT_FIFO: return 1;
    case DT_SOCK: return 12;
    case DT_CHR: return 2;
    case DT_BLK: return 6;
    default: return 0;
  }
}

DirStream *dir_stream(const char *host_path) {
  DIR *dir = opendir(host_path);
  if (!dir) return NULL;
  DirStream *d = calloc(1, sizeof *d);
  size_t cap = 0;
  struct stat self;
  uint64_t self_ino = stat(host_path, &self) == 0 && self.st_ino ? (uint64_t)self.st_ino : 1;
  if (!d || !push_entry(d, &cap, ".", self_ino, 4) || !push_entry(d, &cap, "..", 1, 4)) goto nomem;
  int dfd = dirfd(dir);
  for (;;) {
    errno = 0;
    struct dirent *e = readdir(dir);
    if (!e) {
      if (errno) {
        int err = errno;
        closedir(dir);
        dir_free(d);
        errno = err;
        return NULL;
      }
      break;
    }
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    struct stat st;
    /* the entry's own inode (a link's, not its target's); 0 when it vanished */
    uint64_t ino = fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? (uint64_t)st.st_ino : 0;
    if (!push_entry(d, &cap, e->d_name, ino, dirent_type(e->d_type, dfd, e->d_name))) goto nomem;
  }
  closedir(dir);
  qsort(d->entries + 2, d->n - 2, sizeof *d->entries, cmp_entry);
  return d;
nomem:
  closedir(dir);
  dir_free(d);
  errno = ENOMEM;
  return NULL;
}

DirStream *dir_stream_synthetic(const char *guest_path) {
  DirStream *d = calloc(1, sizeof *d);
  size_t cap = 0, n = 0;
  char **names = sandbox_synthetic_entries(guest_path, &n);
  int ok = d && push_entry(d, &cap, ".", 1, 4) && push_entry(d, &cap, "..", 1, 4);
  for (size_t k = 0; k < n; k++) {
    ok = ok && push_entry(d, &cap, names[k], (uint64_t)k + 2, 4);
    free(names[k]);
  }
  free(names);
  if (!ok) {
    dir_free(d);
    return NULL;
  }
  return d;
}

/* ---- start ---- */

void files_init(void) {
  for (int fd = 0; fd < 3; fd++) {
    OpenFile *f = file_new(OF_STD);
    if (!f) out_of_memory();
    f->fd = fd;
    fd_add(f, 0, fd);
  }
  /* a write to a closed pipe must come back as EPIPE (the guest then gets SIGPIPE from us),
     as Node ignores SIGPIPE */
  signal(SIGPIPE, SIG_IGN);

  ngrants = run_opts.ngrants;
  grants = xmalloc((size_t)(ngrants ? ngrants : 1) * sizeof *grants);
  for (int k = 0; k < ngrants; k++) {
    const Grant *g = &run_opts.grants[k];
    char *real = realpath(g->host, NULL);
    char *guest = normalize_abs(g->guest[0] == '/' ? g->guest : "/");
    size_t n = strlen(guest);
    while (n > 1 && guest[n - 1] == '/') guest[--n] = 0;
    grants[k] = (SandboxGrant){real ? real : xstrdup(g->host), guest};
  }
  /* longest guest path first (a stable sort, as Array.prototype.sort) */
  for (int k = 1; k < ngrants; k++) {
    SandboxGrant x = grants[k];
    int j = k;
    while (j > 0 && strlen(grants[j - 1].guest) < strlen(x.guest)) {
      grants[j] = grants[j - 1];
      j--;
    }
    grants[j] = x;
  }
  /* the guest starts in the host's cwd when that is granted, else in '/' */
  cwd = xstrdup("/");
  char *real = realpath(".", NULL);
  if (real) {
    for (int k = 0; k < ngrants; k++) {
      const SandboxGrant *g = &grants[k];
      if (!strcmp(real, g->host) || is_below(real, g->host)) {
        const char *rest = real + strlen(g->host);
        char *joined = rest[0] ? concat3(g->guest, "/", rest) : xstrdup(g->guest);
        free(cwd);
        cwd = normalize_abs(joined);
        free(joined);
        break;
      }
    }
    free(real);
  }
}
