/*
 * files.c's interface to syscalls.c (private to the host): the sandbox of granted
 * directories, the descriptor table and what a descriptor refers to (tools/vkernel/files.ts).
 */
#ifndef RECOMP_FILES_H
#define RECOMP_FILES_H

#include <stdint.h>

/* Linux errno values as the guest sees them (tools/vkernel/errors.ts E): the same on x86_64
   and aarch64 guests */
enum {
  GE_PERM = 1, GE_NOENT = 2, GE_SRCH = 3, GE_INTR = 4, GE_IO = 5, GE_BADF = 9, GE_CHILD = 10, GE_AGAIN = 11,
  GE_NOMEM = 12, GE_ACCES = 13, GE_FAULT = 14, GE_BUSY = 16, GE_EXIST = 17, GE_XDEV = 18, GE_NOTDIR = 20,
  GE_ISDIR = 21, GE_INVAL = 22, GE_NFILE = 23, GE_MFILE = 24, GE_NOTTY = 25, GE_FBIG = 27, GE_NOSPC = 28,
  GE_SPIPE = 29, GE_ROFS = 30, GE_MLINK = 31, GE_PIPE = 32, GE_RANGE = 34, GE_NAMETOOLONG = 36,
  GE_NOSYS = 38, GE_NOTEMPTY = 39, GE_LOOP = 40, GE_NOTSUP = 95,
};
/* a host errno to the guest's: the values errors.ts knows, anything else EIO (as errnoOf) */
int guest_errno(int host_errno);

/* open flags in the x86_64 numbering (files.ts O), which the vkernel works in */
enum {
  GO_WRONLY = 1, GO_RDWR = 2, GO_CREAT = 0100, GO_EXCL = 0200, GO_NOCTTY = 0400, GO_TRUNC = 01000,
  GO_APPEND = 02000, GO_NONBLOCK = 04000, GO_DIRECTORY = 0200000, GO_NOFOLLOW = 0400000,
  GO_CLOEXEC = 02000000, GO_PATH = 010000000,
};
/* guest numbering → x86_64 numbering (arch.ts openFlags) and back (guestOpenFlags) */
int open_flags_from_guest(int guest);
int open_flags_to_guest(int flags);
/* x86_64 numbering → this host's O_* (bits the host lacks are dropped) */
int open_flags_to_host(int flags);

/* ---- the sandbox (files.ts Sandbox) ---- */

/* where a guest path leads: a host path, or a synthetic directory above the grants */
typedef struct {
  char *host;    /* malloc'ed; NULL for a synthetic directory */
  char *guest;   /* malloc'ed absolute normalised guest path */
  int synthetic;
} Resolved;
enum { RESOLVE_CREATE = 1, RESOLVE_NOFOLLOW = 2 };
/* guest path → host path or -errno; relative paths against dir (the cwd when NULL) */
int sandbox_resolve(const char *path, const char *dir, int opts, Resolved *out);
void resolved_free(Resolved *r);
/* open(O_CREAT) follows a dangling symlink and creates what it points to, which the sandbox
   did not check (it resolved the parent only): 0 when host is no link, or the end of its
   chain of links lies inside the same grant; else -EACCES (-ENOENT, -ELOOP). Not in the TS. */
int sandbox_check_create(const char *host);
/* absolute normalised guest path (path.posix.normalize of path, or of dir/path); malloc'ed */
char *sandbox_absolute(const char *path, const char *dir);
const char *sandbox_cwd(void);
void sandbox_set_cwd(const char *guest); /* copies */
/* the names directly below a synthetic directory, sorted; count in *n; malloc'ed */
char **sandbox_synthetic_entries(const char *abs, size_t *n);

/* ---- open file descriptions and the descriptor table (files.ts OpenFile, FdTable) ---- */

typedef struct {
  char *name;
  uint64_t ino;
  uint8_t type;
} DirEntry;
typedef struct {
  DirEntry *entries;
  size_t n, next;
} DirStream;

typedef struct Pipe {
  uint8_t *buf; /* bytes [start, start+len) are unread */
  size_t start, len, cap;
  int readers, writers;
} Pipe;

enum { OF_HOST, OF_STD, OF_PIPE, OF_SYNTHETIC_DIR };
typedef struct {
  int kind;
  int refs;
  int fd;            /* host and std: the host descriptor */
  char *path;        /* host: the host path */
  char *guest_path;  /* host and synthetic-dir */
  int flags;         /* host: open flags, x86_64 numbering */
  int append;
  int64_t pos;       /* host: the file offset the vkernel keeps (reads and writes are positioned) */
  DirStream *dir;    /* read by getdents64 */
  int write_end;     /* pipe: 1 for the write end */
  Pipe *pipe;
} OpenFile;

#define MAX_FDS 1024
OpenFile *fd_get(int fd);
int fd_cloexec(int fd);
void fd_set_cloexec(int fd, int on);
/* installs file (new, refs 0, or shared) at the lowest free fd >= from; -EMFILE when none */
int fd_add(OpenFile *file, int cloexec, int from);
/* dup2/dup3: replaces whatever fd held */
void fd_put(int fd, OpenFile *file, int cloexec);
int fd_close(int fd);
/* a new description of a kind (zeroed, refs 0); NULL when the host is out of memory */
OpenFile *file_new(int kind);
/* frees a description no descriptor took (refs 0) */
void file_discard(OpenFile *f);
Pipe *pipe_new(void);

/* the entries of a host directory: '.', '..', then the names in order; NULL and errno when it cannot be read */
DirStream *dir_stream(const char *host_path);
DirStream *dir_stream_synthetic(const char *guest_path);

#endif
