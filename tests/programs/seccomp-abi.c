/* The AOT host's seccomp filter (tools/aot/host/seccomp.c) alone, for tests/aot-seccomp.test.ts:
 * linked with this stand-in for the glue and the rest of the host, it allows write and
 * exit_group only, then makes the call its argument names: "write" (allowed), "getpid" (not
 * in the list), "x32" (getpid by its x32 number) or "i386" (getpid through int 0x80).
 * "i386-probe" makes the i386 call without the filter: does this kernel have that ABI at
 * all (a kernel without IA32 emulation kills the caller with SIGSEGV)? */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host.h"

static const uint32_t ALLOWED[] = {SYS_write, SYS_exit_group};
static const char *const NAMES[] = {[SYS_write] = "write", [SYS_getpid] = "getpid", [SYS_exit_group] = "exit_group"};
const HostSyscalls host_syscalls = {ALLOWED, 2, NAMES, sizeof NAMES / sizeof NAMES[0]};

const char *syscall_in_progress(void) { return "harness"; }

/* main.c's message pieces */
size_t msg_put(char *buf, size_t at, const char *s) {
  while (*s && at < 255) buf[at++] = *s++;
  return at;
}
static size_t digits(char *buf, size_t at, uint32_t v, uint32_t base) {
  char d[10];
  int n = 0;
  do d[n++] = "0123456789abcdef"[v % base], v /= base;
  while (v);
  while (n && at < 255) buf[at++] = d[--n];
  return at;
}
size_t msg_put_hex(char *buf, size_t at, uint32_t v) { return digits(buf, msg_put(buf, at, "0x"), v, 16); }
size_t msg_put_dec(char *buf, size_t at, uint32_t v) { return digits(buf, at, v, 10); }

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  const char *what = argv[1];
  int probe = !strcmp(what, "i386-probe");
  if (!probe) seccomp_install();
  if (!strcmp(what, "write")) {
    const char ok[] = "allowed\n";
    return write(1, ok, sizeof ok - 1) == sizeof ok - 1 ? 0 : 1;
  }
#if defined(__x86_64__)
  if (!strcmp(what, "x32")) syscall(0x40000000 | SYS_getpid);
  if (!strcmp(what, "i386") || probe) {
    long r = 20; /* getpid in the i386 table */
    __asm__ volatile("int $0x80" : "+a"(r) : : "memory");
  }
#endif
  if (!strcmp(what, "getpid")) syscall(SYS_getpid);
  /* not reached when the filter works: each call above traps */
  const char escaped[] = "the call was not stopped\n";
  ssize_t w = write(1, escaped, sizeof escaped - 1);
  (void)w;
  return 0;
}
