/*
 * The native host of an AOT blob: the C counterpart of tools/vkernel (Linux semantics for
 * one single-threaded guest), linked with the wasm2c translation of a recomp module.
 *
 *   main.c       command line (same contract as `recomp run`), stack and auxv, run loop
 *   glue.c       generated per module by `recomp aot`: the instance, its state slots and
 *                exports, the image facts (entry, faults...) and the import functions,
 *                which call the handlers below
 *   memory.c     brk and the mmap area (tools/vkernel/memory.ts)
 *   files.c      granted directories and file descriptors (tools/vkernel/files.ts)
 *   syscalls.c   the system calls by name (tools/vkernel/syscalls.ts)
 *   signals.c    dispositions, masks, timers, delivery (tools/vkernel/signals.ts)
 *   cpu.c        cpuid, string instructions, 128-bit division (tools/vkernel/cpu.ts, process.ts)
 *   x87.c        the x87 FPU, exactly (tools/vkernel/x87.ts)
 *   seccomp.c    the filter that limits the host's own system calls once the guest runs, to
 *                what host-syscalls.ts says the handlers the module needs make
 *
 * Guest addresses are offsets into the module's linear memory (32-bit); the host never
 * touches memory outside [guest_base(), guest_base() + guest_size()): every pointer a guest
 * hands over is checked with guest_range() first.
 */
#ifndef RECOMP_HOST_H
#define RECOMP_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

/* ---- the module instance (glue.c, generated) ---- */

enum { ARCH_X86_64 = 0, ARCH_AARCH64 = 1 };

typedef struct {
  int arch;               /* ARCH_X86_64 or ARCH_AARCH64 */
  uint32_t entry;         /* the ELF entry point */
  uint32_t phdr, phent, phnum;
  uint32_t image_start;   /* the first page of the loaded image: the pages below are protected */
  uint32_t image_end;     /* end of the loaded image: the program break starts above it */
  uint32_t code_base;     /* function table index 0 is this guest address */
  uint32_t nfaults;       /* places that fault when reached, with the reason (sorted by pc) */
  const uint32_t *fault_pcs;
  const char *const *fault_why;
  const char *const *syscall_names; /* by the guest architecture's number; NULL where none */
  uint32_t nsyscall_names;
} ImageMeta;
extern const ImageMeta image_meta;

/* a state slot by name ("rax", "rsp", "flags", "x0", "sp", "fs", "redirect", ...): the 64-bit
   value in the instance; aborts with a message when the module has no such slot. Look slots up
   once and keep the pointer: the lookup compares names. */
uint64_t *slot(const char *name);
/* 32-bit slots (redirect, dpc, fused) */
uint32_t *slot32(const char *name);
uint8_t *guest_base(void);
uint64_t guest_size(void);
/* runs guest code from pc with the state in the slots until it returns the address to go on at */
uint32_t guest_enter(uint32_t pc);
int guest_is_function_start(uint32_t pc);
/* the vector registers (xmm0-15 / v0-v31) to and from guest memory, 16 bytes each */
void guest_vsave(uint32_t addr);
void guest_vload(uint32_t addr);

/* ---- checked guest memory (memory.c) ---- */

/* host pointer to guest [addr, addr+len), or NULL when it is not inside the guest's memory */
void *guest_range(uint64_t addr, uint64_t len);
/* a NUL-terminated guest string of at most max bytes, or NULL (EFAULT) */
const char *guest_cstring(uint64_t addr, size_t max);
uint64_t guest_u64(uint32_t addr);
uint32_t guest_u32(uint32_t addr);
void guest_set_u64(uint32_t addr, uint64_t v);
void guest_set_u32(uint32_t addr, uint32_t v);

#define PAGE 4096u
#define STACK_TOP 0x80000000u
#define STACK_SIZE (8u << 20)
void memory_init(uint32_t image_start, uint32_t image_end);
int64_t memory_brk(uint64_t want);
int64_t memory_map(uint64_t len, uint64_t hint, int fixed); /* address or -errno */
int64_t memory_unmap(uint64_t addr, uint64_t len);

/* ---- the run (main.c) ---- */

typedef struct {
  const char *host;  /* real path of the granted host directory */
  const char *guest; /* where the guest sees it */
} Grant;

typedef struct {
  char **args;       /* after the program name */
  int nargs;
  char **env;
  int nenv;
  Grant *grants;
  int ngrants;
  int trace;         /* strace-like lines on stderr */
  const char *program_name;
  int emulate_fma;
} RunOptions;
extern RunOptions run_opts;

#define GUEST_PID 1000

/* async-signal-safe pieces of a message in buf (256 bytes): s, 0x-hex, decimal at `at`; the new end */
size_t msg_put(char *buf, size_t at, const char *s);
size_t msg_put_hex(char *buf, size_t at, uint32_t v);
size_t msg_put_dec(char *buf, size_t at, uint32_t v);

/* the guest called exit/exit_group: flush, close, exit with status & 0xff */
noreturn void guest_exit(int status);
/* the guest was killed (default action of a signal, a fault): "recomp: guest killed by SIGSEGV
   (detail)" on stderr, exit status 128 + sig */
noreturn void guest_killed(int sig, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- system calls (syscalls.c, files.c) ---- */

typedef int64_t (*SyscallHandler)(uint64_t a[6], uint32_t pc);
typedef struct {
  const char *name;
  SyscallHandler handler;
} SyscallEntry;
/* the signal system calls (signals.c): rt_sigaction, rt_sigprocmask, kill, alarm, pause... */
extern const SyscallEntry signal_syscalls[]; /* ends with {0, 0} */
/* the import: runs system call nr (the guest's numbering), delivers signals, returns the result register */
uint64_t host_syscall(uint64_t nr, uint64_t a[6], uint32_t pc);
/* under --trace, ends the line of the system call in progress with "= killed sig", as the TS
   traces a GuestKilled thrown inside a handler; for guest_killed to call first (a no-op when
   no system call is in progress or tracing is off) */
void syscall_trace_killed(int sig);
/* the guest system call whose handler is running (for messages; async-signal-safe), or NULL */
const char *syscall_in_progress(void);
void files_init(void); /* fds 0-2 from the host; grants from run_opts */
void files_close_all(void);

/* ---- signals (signals.c) ---- */

void signals_send(int sig, int code);
/* delivers pending, unblocked signals as a system call returns result; returns the result
   register's value (a handler may change it) */
uint64_t signals_deliver(uint64_t result, uint32_t next_pc);
/* sleeps up to ns, cut short by the timer; 1 when a signal is now deliverable */
int signals_sleep(uint64_t ns);
/* pause(): waits for a signal; kills the guest when none could ever arrive */
int64_t signals_pause(void);

/* ---- the seccomp filter (seccomp.c; the list in glue.c) ---- */

typedef struct {
  const uint32_t *allowed;   /* the host system calls allowed once the guest runs, ascending */
  uint32_t nallowed;
  const char *const *names;  /* the host architecture's system call names by number (NULL where none) */
  uint32_t nnames;
} HostSyscalls;
extern const HostSyscalls host_syscalls;
/* the exit status when the host breaks its filter, or the filter cannot be installed: the
   blob failed, not the guest (as env, nice, timeout and chroot exit 125 when they fail) */
#define SECCOMP_EXIT_STATUS 125
/* installs the filter (and its SIGSYS handler); the last step before guest code runs. Where
   the kernel has no seccomp filters (or under qemu-user), warns and returns */
void seccomp_install(void);

/* ---- the other imports (cpu.c, x87.c) ---- */

uint64_t host_cpuid(uint32_t leaf, uint32_t sub); /* eax; ebx, ecx, edx into cpuid1..3 */
uint64_t host_rdtsc(void);
void host_string(uint32_t kind, uint32_t size, uint32_t rep);
uint64_t host_div128(uint64_t hi, uint64_t lo, uint64_t d, uint32_t is_signed, uint32_t pc);
uint64_t host_x87(uint32_t op, uint32_t arg, uint32_t addr);
double host_fma64(double a, double b, double c);
float host_fma32(float a, float b, float c);

#endif
