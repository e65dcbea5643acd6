/*
 * The blob's seccomp filter. Once start-up is done (the guest's memory reserved, the granted
 * directories found, the stack built), the host may make only the system calls its handlers
 * for this module's guest system calls make, and its runtime's: the list recomp aot put in
 * the glue (host_syscalls) from host-syscalls.ts, which says why each is there, and which
 * the blob's manifest records. Whatever else the host is made to do (a recomp bug, or a
 * guest that found one) is stopped before the kernel acts on it.
 *
 * The action for anything else is SECCOMP_RET_TRAP: the kernel sends SIGSYS, whose handler
 * names the system call (and the guest's system call being handled) on stderr and exits
 * with status 125. RET_KILL would say only "Bad system call"; RET_ERRNO would hand the
 * handler a plausible error and let it go on, a silent pass. The handler needs only write
 * and exit_group, which the filter always allows, and the kernel cannot let a trapped call
 * through: a blocked or ignored SIGSYS gets the default action, death.
 *
 * The filter first checks the architecture: a system call through another ABI (int 0x80's
 * i386 table, x32 numbers on x86_64) would be read with the wrong numbers.
 */
#define _GNU_SOURCE /* syscall(), si_syscall */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host.h"

#if defined(__x86_64__)
#define HOST_AUDIT_ARCH AUDIT_ARCH_X86_64
#define X32_SYSCALL_BIT 0x40000000u
#elif defined(__aarch64__)
#define HOST_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "the seccomp filter knows x86_64 and aarch64 hosts"
#endif

/* why a call was trapped, in the SECCOMP_RET_DATA bits (si_errno of the SIGSYS) */
enum { TRAP_NOT_ALLOWED = 1, TRAP_OTHER_ARCH = 2, TRAP_X32 = 3 };

static void on_sigsys(int sig, siginfo_t *info, void *context) {
  (void)sig, (void)context;
  char buf[256];
  size_t at = msg_put(buf, 0, "recomp: the host made ");
  unsigned nr = (unsigned)info->si_syscall;
  if (info->si_errno == TRAP_OTHER_ARCH) {
    at = msg_put(buf, at, "a system call of another architecture (audit arch ");
    at = msg_put_hex(buf, at, (uint32_t)info->si_arch);
    at = msg_put(buf, at, ", number ");
    at = msg_put_dec(buf, at, nr);
    at = msg_put(buf, at, ")");
  } else if (info->si_errno == TRAP_X32) {
    at = msg_put(buf, at, "an x32 system call (");
    at = msg_put_hex(buf, at, nr);
    at = msg_put(buf, at, ")");
  } else {
    at = msg_put(buf, at, "system call ");
    at = msg_put_dec(buf, at, nr);
    at = msg_put(buf, at, " (");
    at = msg_put(buf, at, nr < host_syscalls.nnames && host_syscalls.names[nr] ? host_syscalls.names[nr] : "unnamed");
    at = msg_put(buf, at, ")");
  }
  at = msg_put(buf, at, ", which this blob's seccomp filter does not allow (a recomp bug");
  const char *guest = syscall_in_progress();
  if (guest) {
    at = msg_put(buf, at, "; the guest's ");
    at = msg_put(buf, at, guest);
    at = msg_put(buf, at, " was in progress");
  }
  at = msg_put(buf, at, ")\n");
  ssize_t w = write(2, buf, at);
  (void)w;
  _exit(SECCOMP_EXIT_STATUS);
}

static noreturn void cannot(const char *what) {
  fprintf(stderr, "recomp: cannot install the blob's seccomp filter: %s: %s\n", what, strerror(errno));
  exit(SECCOMP_EXIT_STATUS);
}

void seccomp_install(void) {
  /* arch check (3), x32 check (2), a compare and an allow per allowed call, the trap */
  size_t cap = 6 + 2 * (size_t)host_syscalls.nallowed;
  struct sock_filter *f = calloc(cap, sizeof *f);
  if (!f) cannot("out of memory");
  size_t n = 0;
  f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
  f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, HOST_AUDIT_ARCH, 1, 0);
  f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP | TRAP_OTHER_ARCH);
  f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#ifdef X32_SYSCALL_BIT
  f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1);
  f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP | TRAP_X32);
#endif
  /* pairs, so that no jump is longer than one instruction (BPF jumps reach 255) */
  for (uint32_t k = 0; k < host_syscalls.nallowed; k++) {
    f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, host_syscalls.allowed[k], 0, 1);
    f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  }
  f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP | TRAP_NOT_ALLOWED);
  struct sock_fprog prog = {.len = (unsigned short)n, .filter = f};

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_sigsys;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGSYS, &sa, NULL) != 0) cannot("sigaction(SIGSYS)");
  /* required of an unprivileged process: it cannot gain privileges by exec (the blob never execs) */
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) cannot("prctl(PR_SET_NO_NEW_PRIVS)");
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
    /* a kernel without seccomp filters (ENOSYS, EINVAL), or qemu-user, which refuses them
       all: the wasm sandbox still confines the guest; the host is not filtered, and says so */
    if (errno != ENOSYS && errno != EINVAL) cannot("seccomp(SECCOMP_SET_MODE_FILTER)");
    fprintf(stderr, "recomp: warning: this kernel (or emulator) has no seccomp filters (%s): the host's system calls are not filtered\n", strerror(errno));
  }
  free(f);
}
