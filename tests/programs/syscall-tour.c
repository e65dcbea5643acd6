/* Every system call the AOT host has a handler for, made directly (x86_64 numbers), for
 * tests/aot-seccomp.test.ts: run as a blob with --trace under strace, it shows which host
 * system calls each handler makes, to check against tools/aot/host/host-syscalls.ts.
 * Usage: syscall-tour DIR [STATUS]: DIR (granted) is scratch space; STATUS, a file whose
 * Seccomp and NoNewPrivs lines are printed (/proc/self/status). Prints "done" at the end. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#if !defined(__x86_64__)
#error "the tour makes x86_64 system calls by number"
#endif

#define S(name, ...) syscall(SYS_##name, ##__VA_ARGS__)

static volatile sig_atomic_t signals;
static void on_signal(int sig) { (void)sig, signals++; }

/* a rt_sigaction with the C library's restorer: sigaction() itself */
static void handle(int sig) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(sig, &sa, 0);
}

static void files(void) {
  char buf[4096];
  struct iovec v[2] = {{"ab", 2}, {"cd\n", 3}};
  long fd = S(open, "f", O_CREAT | O_RDWR | O_TRUNC, 0644);
  S(write, fd, "hello\n", 6);
  S(pwrite64, fd, "J", 1, 0);
  S(writev, fd, v, 2);
  S(lseek, fd, 0, SEEK_SET);
  S(read, fd, buf, 4);
  S(pread64, fd, buf, 3, 1);
  v[0].iov_base = buf, v[1].iov_base = buf + 8;
  S(readv, fd, v, 2);
  S(lseek, fd, 0, SEEK_END);
  S(fstat, fd, buf);
  S(stat, "f", buf);
  S(lstat, "f", buf);
  S(newfstatat, AT_FDCWD, "f", buf, 0);
  S(statx, AT_FDCWD, "f", 0, 0x7ff, buf);
  S(access, "f", R_OK);
  S(faccessat, AT_FDCWD, "f", R_OK);
  S(faccessat2, AT_FDCWD, "f", R_OK, 0);
  S(fsync, fd);
  S(fdatasync, fd);
  /* a file mapping is read into guest memory */
  long m = S(mmap, 0, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
  S(munmap, m, 4096);
  S(ftruncate, fd, 3);
  S(dup, fd);
  S(dup2, fd, 10);
  S(dup3, fd, 11, O_CLOEXEC);
  S(fcntl, fd, F_GETFL);
  S(close, 10);
  S(close, 11);
  S(close, fd);
  S(close, syscall(SYS_openat, AT_FDCWD, "g", O_CREAT | O_WRONLY, 0644));
  S(close, syscall(SYS_creat, "h", 0644));
  S(chmod, "f", 0600);
  S(fchmodat, AT_FDCWD, "f", 0600, 0);
  S(chown, "f", 1000, 1000);
  S(lchown, "f", 1000, 1000);
  S(fchownat, AT_FDCWD, "f", 1000, 1000, 0);
  S(utimensat, AT_FDCWD, "f", 0, 0);
  fd = S(open, "f", O_RDONLY);
  S(fchmod, fd, 0600);
  S(fchown, fd, 1000, 1000);
  S(close, fd);
  S(umask, 022);
  S(mkdir, "d", 0755);
  S(mkdirat, AT_FDCWD, "e", 0755);
  /* enough entries that the host sorts more than 1 KiB of them */
  S(mkdir, "many", 0755);
  for (int k = 0; k < 60; k++) {
    char name[32];
    snprintf(name, sizeof name, "many/%02d", k);
    S(close, syscall(SYS_open, name, O_CREAT | O_WRONLY, 0644));
  }
  fd = S(open, "many", O_RDONLY | O_DIRECTORY);
  while (S(getdents64, fd, buf, sizeof buf) > 0) {
  }
  S(fchdir, fd);
  S(close, fd);
  S(chdir, "..");
  S(getcwd, buf, sizeof buf);
  S(rename, "g", "g2");
  S(renameat, AT_FDCWD, "g2", AT_FDCWD, "g3");
  S(renameat2, AT_FDCWD, "g3", AT_FDCWD, "g4", 0);
  S(link, "f", "l");
  S(symlink, "f", "s");
  S(readlink, "s", buf, sizeof buf);
  S(readlinkat, AT_FDCWD, "s", buf, sizeof buf);
  S(unlink, "l");
  S(unlinkat, AT_FDCWD, "s", 0);
  S(unlinkat, AT_FDCWD, "e", AT_REMOVEDIR);
  S(rmdir, "d");
}

static void descriptors(void) {
  char buf[64];
  int p[2];
  S(ioctl, 1, 0x5401, buf);  /* TCGETS */
  S(ioctl, 1, 0x5413, buf);  /* TIOCGWINSZ */
  S(pipe, p);
  S(ioctl, p[0], 0x541b, buf); /* FIONREAD */
  S(write, p[1], "x", 1);
  struct pollfd fds = {p[0], POLLIN, 0};
  S(poll, &fds, 1, 0);
  S(read, p[0], buf, 1);
  S(close, p[0]);
  S(close, p[1]);
  S(pipe2, p, O_CLOEXEC);
  S(close, p[0]);
  S(close, p[1]);
}

static void memory(void) {
  long b = S(brk, 0);
  S(brk, b + 65536);
  long m = S(mmap, 0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  S(mprotect, m, 4096, PROT_READ);
  S(madvise, m, 4096, MADV_DONTNEED);
  m = S(mremap, m, 8192, 16384, MREMAP_MAYMOVE);
  S(munmap, m, 16384);
}

static void identity(void) {
  char buf[512];
  S(getpid), S(gettid), S(getppid), S(getuid), S(geteuid), S(getgid), S(getegid);
  S(getpgrp), S(getpgid, 0), S(getsid, 0), S(setpgid, 0, 0), S(getgroups, 0, 0);
  unsigned r[3];
  S(getresuid, r, r + 1, r + 2);
  S(getresgid, r, r + 1, r + 2);
  S(set_tid_address, buf);
  S(set_robust_list, buf, 24);
  S(rseq, buf, 32, 0, 0);
  S(arch_prctl, 0x1003, buf); /* ARCH_GET_FS */
  S(uname, buf);
  S(prlimit64, 0, 7, 0, buf);
  S(getrlimit, 7, buf);
  S(setrlimit, 7, buf);
  S(getrusage, 0, buf);
  S(sysinfo, buf);
  S(sched_getaffinity, 0, 128, buf);
  S(sched_yield);
  S(getrandom, buf, 16, 0);
  S(futex, buf, 1, 1, 0, 0, 0); /* FUTEX_WAKE */
  /* refused: no processes or threads */
  S(fork);
  S(vfork);
  S(clone, SIGCHLD, 0, 0, 0, 0);
  S(clone3, buf, 88);
  S(execve, "/nonexistent", 0, 0);
  S(wait4, -1, 0, 0, 0);
}

static void time_(void) {
  struct timespec t = {0, 1000000};
  struct timeval tv;
  S(clock_gettime, CLOCK_REALTIME, &t);
  S(clock_gettime, CLOCK_MONOTONIC, &t);
  S(clock_gettime, CLOCK_PROCESS_CPUTIME_ID, &t);
  S(clock_getres, CLOCK_MONOTONIC, &t);
  S(gettimeofday, &tv, 0);
  S(time, 0);
  t = (struct timespec){0, 1000000};
  S(nanosleep, &t, 0);
  S(clock_nanosleep, CLOCK_MONOTONIC, 0, &t, 0);
  S(clock_gettime, CLOCK_MONOTONIC, &t);
  t.tv_nsec += 1000000;
  if (t.tv_nsec >= 1000000000) t.tv_sec++, t.tv_nsec -= 1000000000;
  S(clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &t, 0);
  t = (struct timespec){0, 1000000};
  S(ppoll, 0, 0, &t, 0, 8);
}

static void signals_(void) {
  uint64_t set = 0, old;
  char buf[64];
  handle(SIGUSR1);
  handle(SIGALRM);
  S(kill, syscall(SYS_getpid), SIGUSR1);
  S(tkill, syscall(SYS_gettid), SIGUSR1);
  S(tgkill, syscall(SYS_getpid), syscall(SYS_gettid), SIGUSR1);
  set = 1ull << (SIGUSR1 - 1);
  S(rt_sigprocmask, SIG_BLOCK, &set, &old, 8);
  S(kill, syscall(SYS_getpid), SIGUSR1);
  S(rt_sigpending, &set, 8);
  set = 1ull << (SIGUSR1 - 1);
  S(rt_sigprocmask, SIG_UNBLOCK, &set, 0, 8);
  S(sigaltstack, 0, buf);
  S(alarm, 0);
  /* periodic, so that each wait has a signal to come however slowly the blob runs */
  struct itimerval it = {{0, 2000}, {0, 2000}}, off = {{0, 0}, {0, 0}};
  S(setitimer, ITIMER_REAL, &it, 0);
  S(getitimer, ITIMER_REAL, &it);
  S(pause);
  set = 0;
  S(rt_sigsuspend, &set, 8);
  S(ppoll, 0, 0, 0, 0, 8); /* no descriptors, no timeout: a pause */
  S(setitimer, ITIMER_REAL, &off, 0);
}

int main(int argc, char **argv) {
  if (argc < 2 || S(chdir, argv[1]) != 0) return 2;
  files();
  descriptors();
  memory();
  identity();
  time_();
  signals_();
  if (argc > 2) {
    char status[8192];
    long fd = S(open, argv[2], O_RDONLY), n = fd >= 0 ? S(read, fd, status, sizeof status - 1) : -1;
    status[n > 0 ? n : 0] = 0;
    for (char *line = strtok(status, "\n"); line; line = strtok(0, "\n"))
      if (!strncmp(line, "Seccomp", 7) || !strncmp(line, "NoNewPrivs", 10)) printf("%s\n", line);
  }
  /* three SIGUSR1s at once, one when unblocked, at least one SIGALRM per wait */
  printf("signals %s\ndone\n", signals >= 7 ? "ok" : "missing");
  return 0;
}
