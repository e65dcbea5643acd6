/*
 * The blob's entry: the command line (the contract of `recomp run`: --dir, --env, --argv0,
 * --trace, exit status 128+N when signal N ends the guest), the guest's initial stack
 * (argc, argv, envp, auxv as Linux lays them out; tools/vkernel/process.ts buildStack), the
 * seccomp filter, and the run. Also the ways a run ends: exit, a killing signal, a wasm trap.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <ucontext.h>
#include <unistd.h>

#include "host.h"
#include "glue.h"
#include "wasm-rt.h"

RunOptions run_opts;

static const char *const SIGNAL_NAMES[32] = {
  0, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
  "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
  "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
};

static const char HELP[] =
  "Usage: %s [options] [--] ARGS...\n"
  "\n"
  "A program compiled ahead of time by 'recomp aot': its code runs natively, inside the\n"
  "same sandbox as under 'recomp run' (its memory is its own; the host's files are seen\n"
  "only where granted). Before the program starts, a seccomp filter limits this process\n"
  "to the system calls the sandbox needs for what the program may do (listed in the\n"
  "blob's manifest, aot.seccomp); any other stops it with a message naming the call.\n"
  "Where the kernel has no seccomp filters (or under qemu-user), a warning says so.\n"
  "\n"
  "Options:\n"
  "  --dir PATH[:GUEST]  grant the guest PATH and everything below it, at the same path in\n"
  "                      the guest (or at GUEST); repeatable. Nothing else of the host's\n"
  "                      file system is visible; '..' and symlinks cannot leave a grant\n"
  "  --env NAME=VALUE    set a guest environment variable; repeatable. No host variable\n"
  "                      passes unless given\n"
  "  --argv0 NAME        the guest's argv[0] (default: this file's name)\n"
  "  --trace             print every syscall with its arguments and result on stderr\n"
  "  -h, --help          this help\n"
  "\n"
  "Recomp's options come first; the guest's arguments follow the first argument that is not\n"
  "one of them, or '--'. Exit status: the guest's; 128+N when a signal N ends it (named on\n"
  "stderr); 125 when the filter stops the sandbox itself (a recomp bug) or cannot be\n"
  "installed; 2 on bad usage.\n";

static noreturn void usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "recomp: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, " (see --help)\n");
  exit(2);
}

/* --dir HOST[:GUEST]: HOST must be a directory; GUEST defaults to HOST made absolute */
static Grant grant_of(const char *spec) {
  const char *colon = strrchr(spec, ':');
  size_t hlen = colon && colon != spec ? (size_t)(colon - spec) : strlen(spec);
  char *host = strndup(spec, hlen);
  char *real = realpath(host, NULL);
  struct stat st;
  if (!real || stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) usage_error("--dir %s: not a directory", spec);
  const char *guest;
  if (colon && colon != spec) {
    guest = colon + 1;
    if (guest[0] != '/') usage_error("--dir %s: the guest path must be absolute", spec);
  } else if (host[0] == '/') {
    guest = host;
  } else {
    /* the host path made absolute lexically, as path.resolve does */
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) usage_error("--dir %s: cannot read the current directory", spec);
    char *abs = malloc(strlen(cwd) + strlen(host) + 2);
    sprintf(abs, "%s/%s", cwd, host);
    guest = abs;
  }
  return (Grant){ .host = real, .guest = guest };
}

static void parse_args(int argc, char **argv) {
  static Grant grants[256];
  static char *env[4096];
  const char *base = strrchr(argv[0], '/');
  run_opts.program_name = base ? base + 1 : argv[0];
  run_opts.grants = grants;
  run_opts.env = env;
  int k = 1;
  for (; k < argc; k++) {
    const char *a = argv[k];
    const char *next = k + 1 < argc ? argv[k + 1] : NULL;
    if (!strcmp(a, "--")) {
      k++;
      break;
    } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      printf(HELP, run_opts.program_name);
      exit(0);
    } else if (!strcmp(a, "--trace")) {
      run_opts.trace = 1;
    } else if (!strcmp(a, "--dir") || !strcmp(a, "--env") || !strcmp(a, "--argv0")) {
      if (!next) usage_error("%s needs a value", a);
      k++;
      if (a[2] == 'd') {
        if (run_opts.ngrants == 256) usage_error("%s: at most 256 grants", a);
        grants[run_opts.ngrants++] = grant_of(next);
      } else if (a[2] == 'e') {
        if (!strchr(next, '=') || next[0] == '=') usage_error("--env %s: expected NAME=VALUE", next);
        if (run_opts.nenv == 4096) usage_error("%s: at most 4096 variables", a);
        env[run_opts.nenv++] = (char *)next;
      } else {
        run_opts.program_name = next;
      }
    } else if (a[0] == '-' && a[1] == '-') {
      usage_error("unknown option %s", a);
    } else {
      break;
    }
  }
  run_opts.args = argv + k;
  run_opts.nargs = argc - k;
}

/* ---- the initial stack ---- */

static uint32_t sp_top;

static uint32_t push_string(const char *s) {
  size_t n = strlen(s) + 1;
  if (n > sp_top - (STACK_TOP - STACK_SIZE / 2)) guest_killed(7, "the arguments and environment do not fit the guest stack");
  sp_top -= (uint32_t)n;
  memcpy(guest_range(sp_top, n), s, n);
  return sp_top;
}

/* argc, argv, envp and the auxiliary vector at the top of the stack (the SysV ABI; aarch64 alike) */
static uint32_t build_stack(void) {
  sp_top = STACK_TOP;
  uint32_t execfn = push_string(run_opts.program_name);
  uint32_t platform = push_string(image_meta.arch == ARCH_AARCH64 ? "aarch64" : "x86_64");
  int argc = 1 + run_opts.nargs;
  uint32_t *argv = calloc((size_t)argc, sizeof *argv);
  uint32_t *envp = calloc((size_t)run_opts.nenv + 1, sizeof *envp);
  argv[0] = push_string(run_opts.program_name);
  for (int k = 0; k < run_opts.nargs; k++) argv[k + 1] = push_string(run_opts.args[k]);
  for (int k = 0; k < run_opts.nenv; k++) envp[k] = push_string(run_opts.env[k]);
  uint32_t sp = sp_top & ~15u;
  sp -= 16;
  uint32_t random = sp;
  if (getrandom(guest_range(random, 16), 16, 0) != 16) guest_killed(6, "no random bytes for AT_RANDOM");
  const uint64_t hwcap = image_meta.arch == ARCH_AARCH64 ? 0x3 : 0x078bfbff;
  const uint64_t aux[][2] = {
    {3, image_meta.phdr}, {4, image_meta.phent}, {5, image_meta.phnum}, {6, 4096}, {7, 0}, {8, 0},
    {9, image_meta.entry}, {11, 1000}, {12, 1000}, {13, 1000}, {14, 1000}, {15, platform}, {16, hwcap},
    {17, 100}, {23, 0}, {25, random}, {26, 0}, {31, execfn}, {0, 0},
  };
  const uint32_t naux = sizeof aux / sizeof aux[0];
  uint32_t words = 1 + (uint32_t)argc + 1 + (uint32_t)run_opts.nenv + 1 + naux * 2;
  sp -= words * 8;
  sp &= ~15u;
  uint32_t p = sp;
  guest_set_u64(p, (uint64_t)argc), p += 8;
  for (int k = 0; k < argc; k++) guest_set_u64(p, argv[k]), p += 8;
  guest_set_u64(p, 0), p += 8;
  for (int k = 0; k < run_opts.nenv; k++) guest_set_u64(p, envp[k]), p += 8;
  guest_set_u64(p, 0), p += 8;
  for (uint32_t k = 0; k < naux; k++) {
    guest_set_u64(p, aux[k][0]), p += 8;
    guest_set_u64(p, aux[k][1]), p += 8;
  }
  free(argv);
  free(envp);
  return sp;
}

/* ---- how a run ends ---- */

noreturn void guest_exit(int status) {
  files_close_all();
  exit(status & 0xff);
}

noreturn void guest_killed(int sig, const char *fmt, ...) {
  syscall_trace_killed(sig);
  char detail[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  const char *name = sig > 0 && sig < 32 ? SIGNAL_NAMES[sig] : NULL;
  char sigbuf[16];
  if (!name) snprintf(sigbuf, sizeof sigbuf, "signal %d", sig), name = sigbuf;
  if (detail[0]) fprintf(stderr, "recomp: guest killed by %s (%s)\n", name, detail);
  else fprintf(stderr, "recomp: guest killed by %s\n", name);
  fflush(NULL);
  _exit(128 + sig);
}

/* async-signal-safe pieces for traps, which may arrive in a signal handler (and seccomp.c's
   SIGSYS); at most 255 bytes, so that a newline still fits */
size_t msg_put(char *buf, size_t at, const char *s) {
  while (*s && at < 255) buf[at++] = *s++;
  return at;
}
static size_t put_digits(char *buf, size_t at, uint32_t v, uint32_t base) {
  char digits[10];
  int n = 0;
  do digits[n++] = "0123456789abcdef"[v % base], v /= base;
  while (v);
  while (n && at < 255) buf[at++] = digits[--n];
  return at;
}
size_t msg_put_hex(char *buf, size_t at, uint32_t v) { return put_digits(buf, msg_put(buf, at, "0x"), v, 16); }
size_t msg_put_dec(char *buf, size_t at, uint32_t v) { return put_digits(buf, at, v, 10); }

/* a trap's message, ended with a newline, to stderr, and the exit status of a death by `sig` */
static noreturn void trap_exit(char *buf, size_t at, int sig) {
  buf[at++] = '\n';
  ssize_t w = write(2, buf, at);
  (void)w;
  _exit(128 + sig);
}

noreturn void recomp_trap(wasm_rt_trap_t code) {
  char buf[256];
  size_t at = msg_put(buf, 0, "recomp: guest killed by ");
  int sig = 11;
  switch (code) {
    case WASM_RT_TRAP_OOB:
      at = msg_put(buf, at, "SIGSEGV (memory access outside the guest address space)");
      break;
    case WASM_RT_TRAP_CALL_INDIRECT:
      at = msg_put(buf, at, "SIGSEGV (control reached ");
      at = msg_put_hex(buf, at, *slot32("dpc"));
      at = msg_put(buf, at, ", where no code was translated)");
      break;
    case WASM_RT_TRAP_EXHAUSTION:
      at = msg_put(buf, at, "SIGSEGV (guest stack overflow: too deep recursion for the native stack)");
      break;
    case WASM_RT_TRAP_DIV_BY_ZERO:
    case WASM_RT_TRAP_INT_OVERFLOW:
      sig = 8;
      at = msg_put(buf, at, "SIGFPE (");
      at = msg_put(buf, at, wasm_rt_strerror(code));
      at = msg_put(buf, at, ")");
      break;
    default:
      sig = 4;
      at = msg_put(buf, at, "SIGILL (wasm trap: ");
      at = msg_put(buf, at, wasm_rt_strerror(code));
      at = msg_put(buf, at, ")");
      break;
  }
  trap_exit(buf, at, sig);
}

/* a guest access the kernel refused: past the memory's end (or a wasm offset past 4 GiB),
   or in the protected pages below the image, the null page among them (memory.c) */
noreturn void recomp_trap_access(uint64_t offset) {
  if (offset >> 32) recomp_trap(WASM_RT_TRAP_OOB);
  char buf[256];
  size_t at = msg_put(buf, 0, "recomp: guest killed by SIGSEGV (invalid memory access at ");
  at = msg_put_hex(buf, at, (uint32_t)offset);
  at = msg_put(buf, at, ")");
  trap_exit(buf, at, 11);
}

/* The native stack guest code runs on. A module for aot turns the guest's jumps between
   functions into calls (tools/wasm/module.ts jumpsFor), so a chain of jumps takes native
   stack until it returns, on top of one native frame per guest call: reserved, not
   committed (pages come as they are touched), with a guard page below, where an overflow
   faults next to the stack pointer and becomes the exhaustion trap. */
#define GUEST_NATIVE_STACK ((size_t)1 << 30)

static void run_guest(void) {
  seccomp_install();
  guest_run(image_meta.entry);
  guest_exit(0);
}

static noreturn void run_on_guest_stack(void) {
  size_t guard = (size_t)sysconf(_SC_PAGESIZE);
  uint8_t *map = mmap(NULL, guard + GUEST_NATIVE_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (map == MAP_FAILED || mprotect(map, guard, PROT_NONE) != 0) {
    fprintf(stderr, "recomp: cannot reserve the guest's native stack (%s)\n", strerror(errno));
    exit(1);
  }
  static ucontext_t start, guest;
  if (getcontext(&guest) != 0) abort();
  guest.uc_stack.ss_sp = map + guard;
  guest.uc_stack.ss_size = GUEST_NATIVE_STACK;
  guest.uc_link = NULL;
  makecontext(&guest, run_guest, 0);
  swapcontext(&start, &guest);
  abort(); /* run_guest does not return */
}

int main(int argc, char **argv) {
  parse_args(argc, argv);
  wasm_rt_init();
  guest_instantiate();
  memory_init(image_meta.image_start, image_meta.image_end);
  files_init();
  uint32_t sp = build_stack();
  *slot(image_meta.arch == ARCH_AARCH64 ? "sp" : "rsp") = sp;
  run_on_guest_stack();
}
