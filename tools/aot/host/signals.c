/*
 * Signals for a single-threaded guest: the C port of tools/vkernel/signals.ts. Dispositions,
 * the blocked mask, pending signals, ITIMER_REAL (alarm, setitimer) and delivery to guest
 * handlers.
 *
 * Delivery happens when a system call returns (signals_deliver, called by host_syscall): the
 * architecture's rt_sigframe goes on the guest stack (siginfo, ucontext with the saved
 * registers and FP state, byte for byte as the TS writes it), the handler runs by entering
 * the module from inside the system call, and the call returns when it is done: on x86_64 the
 * restorer calls rt_sigreturn, on aarch64 the handler returns to SIGRETURN_PC, where no code
 * is. rt_sigreturn ends the nested run with a longjmp (the TS throws SigReturn): every handler
 * run keeps a jmp_buf, linked to the one it interrupted. A handler that leaves by siglongjmp
 * hands its target to the interrupted code through the redirect slot.
 *
 * Times: the timer runs on CLOCK_MONOTONIC nanoseconds (the TS: Date.now() milliseconds), and
 * waiting sleeps with clock_nanosleep (the TS: Atomics.wait).
 */
#include <errno.h>
#include <setjmp.h>
#include <string.h>
#include <time.h>

#include "host.h"

typedef struct {
  uint64_t handler, flags, restorer, mask;
} SigAction;

#define SIG_DFL_ 0u
#define SIG_IGN_ 1u
#define SA_RESTORER_ 0x04000000u
#define SA_NODEFER_ 0x40000000u
#define SA_RESETHAND_ 0x80000000u
enum { SI_USER_ = 0, SI_KERNEL_ = 0x80, SI_TKILL_ = -6 };
#define UNBLOCKABLE ((1ull << 8) | (1ull << 18)) /* SIGKILL, SIGSTOP (bit = signal - 1) */
/* where an aarch64 handler returns: no code is there */
#define SIGRETURN_PC 0xfffff000u
enum { EINTR_ = 4, ESRCH_ = 3, EFAULT_ = 14, EINVAL_ = 22 };

static uint64_t bit(int sig) { return 1ull << (sig - 1); }

/* signals whose default action is to be ignored: SIGCHLD SIGCONT SIGURG SIGWINCH */
static int ignored_by_default(int sig) { return sig == 17 || sig == 18 || sig == 23 || sig == 28; }

static SigAction actions[65]; /* all zero: SIG_DFL, as an absent entry in the TS's Map */
static uint64_t mask, pending;
static int codes[65];         /* si_code of the pending instance; 0 is SI_USER */
/* ITIMER_REAL: when it fires (monotonic ns, 0 = disarmed) and its reload interval */
static uint64_t alarm_at, alarm_every;

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* sleeps until the monotonic time `until` (not cut short by host signals) */
static void sleep_until(uint64_t until) {
  struct timespec t = {(time_t)(until / 1000000000u), (long)(until % 1000000000u)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR) {
  }
}

static noreturn void default_action(int sig) { guest_killed(sig, "%s", ""); }

/* raises sig for this process: default actions at once, handlers at the next delivery point */
void signals_send(int sig, int code) {
  SigAction *act = &actions[sig];
  if (act->handler == SIG_IGN_ || (act->handler == SIG_DFL_ && ignored_by_default(sig))) return;
  if (act->handler == SIG_DFL_ && !(mask & bit(sig))) default_action(sig);
  pending |= bit(sig);
  codes[sig] = code;
}

/* ---- timers ---- */

/* arms ITIMER_REAL (ns 0 disarms); the time that was left */
static uint64_t set_alarm(uint64_t ns, uint64_t every) {
  uint64_t now = now_ns();
  uint64_t left = alarm_at > now ? alarm_at - now : 0;
  alarm_at = ns > 0 ? now + ns : 0;
  alarm_every = every;
  return left;
}

static uint64_t alarm_left(void) {
  uint64_t now = now_ns();
  return alarm_at > now ? alarm_at - now : 0;
}

/* fires the timer if its time has come */
static void check_timers(void) {
  if (alarm_at && now_ns() >= alarm_at) {
    alarm_at = alarm_every ? now_ns() + alarm_every : 0;
    signals_send(14, SI_KERNEL_);
  }
}

/* the lowest pending, unblocked signal, or 0 */
static int deliverable(void) {
  uint64_t ready = pending & ~mask;
  return ready ? __builtin_ctzll(ready) + 1 : 0;
}

/* sleeps until a signal could arrive (pause, sigsuspend); 0 when none ever will */
static int wait_for_signal(void) {
  if (deliverable()) return 1;
  if (!alarm_at) return 0;
  if (alarm_at > now_ns()) sleep_until(alarm_at);
  check_timers();
  return 1;
}

int signals_sleep(uint64_t ns) {
  uint64_t now = now_ns();
  uint64_t until = ns > UINT64_MAX / 2 ? UINT64_MAX / 2 : now + ns;
  uint64_t wake = alarm_at && alarm_at < until ? alarm_at : until;
  if (wake > now) sleep_until(wake);
  check_timers();
  return deliverable() != 0;
}

/* ---- guest state ---- */

static int is_a64(void) { return image_meta.arch == ARCH_AARCH64; }

/* guest memory a frame needs: checked when the frame is built, so a failure here means the
   guest unmapped its own stack under a running handler */
static uint8_t *frame_mem(uint64_t addr, uint64_t len) {
  uint8_t *p = guest_range(addr, len);
  if (!p) guest_killed(11, "signal frame at 0x%llx outside the guest's memory", (unsigned long long)addr);
  return p;
}
static void set64(uint64_t at, uint64_t v) { memcpy(frame_mem(at, 8), &v, 8); }
static void set32(uint64_t at, uint32_t v) { memcpy(frame_mem(at, 4), &v, 4); }
static uint64_t get64(uint64_t at) {
  uint64_t v;
  memcpy(&v, frame_mem(at, 8), 8);
  return v;
}
static uint32_t get32(uint64_t at) {
  uint32_t v;
  memcpy(&v, frame_mem(at, 4), 4);
  return v;
}

typedef struct {
  int sig, code, pid;
} SigInfo;

static void write_info(uint64_t at, SigInfo info) {
  set32(at, (uint32_t)info.sig);
  set32(at + 8, (uint32_t)info.code);
  set32(at + 16, (uint32_t)info.pid);
  set32(at + 20, 1000); /* si_uid */
}

/* ---- x86_64 (arch/x86/include/uapi/asm/sigcontext.h, asm/sigframe.h): the restorer's
   address, then the ucontext, siginfo and the FXSAVE area, 64-byte aligned ---- */

enum {
  X_UC = 8,                   /* rt_sigframe.uc (after pretcode) */
  X_MCONTEXT = X_UC + 40,     /* uc_flags, uc_link, uc_stack */
  X_SIGMASK = X_MCONTEXT + 256,
  X_INFO = X_UC + 304,
  X_FPSTATE = X_INFO + 128 + 64, /* rounded to 64 below */
  X_FRAME = X_FPSTATE + 512,
};
/* sigcontext register order */
static const char *const X_REGS[16] = {"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
                                       "rdi", "rsi", "rbp", "rbx", "rdx", "rax", "rcx", "rsp"};
static uint64_t *x_regs[16], *x_flags;

static void x_slots(void) {
  if (x_flags) return;
  for (int k = 0; k < 16; k++) x_regs[k] = slot(X_REGS[k]);
  x_flags = slot("flags");
}
#define X_RAX (*x_regs[13])
#define X_RSP (*x_regs[15])

static uint64_t x_push(const SigAction *act, SigInfo info, uint64_t rax, uint32_t next_pc, uint64_t old_mask,
                       uint64_t *return_pc) {
  x_slots();
  if (!(act->flags & SA_RESTORER_) || !act->restorer)
    guest_killed(info.sig, "a handler without SA_RESTORER cannot return (the C library always sets one)");
  uint64_t sp = X_RSP;
  /* below the red zone, 64-byte aligned for the FP state, then like a call: (rsp + 8) % 16 == 0 */
  int64_t frame = (int64_t)sp - 128 - X_FRAME;
  frame &= ~(int64_t)63;
  frame -= 8;
  uint8_t *f = frame < 0 ? NULL : guest_range((uint64_t)frame, X_FRAME + 8);
  if (!f) guest_killed(11, "no room on the guest stack for a signal frame (rsp 0x%llx)", (unsigned long long)sp);
  uint64_t fr = (uint64_t)frame;
  memset(f, 0, X_FRAME);
  set64(fr, act->restorer);
  for (int k = 0; k < 16; k++) set64(fr + X_MCONTEXT + k * 8, k == 13 ? rax : *x_regs[k]);
  set64(fr + X_MCONTEXT + 128, next_pc); /* rip */
  set64(fr + X_MCONTEXT + 136, (*x_flags & 0xcd5) | 0x202 | (*x_flags & 0x400)); /* eflags */
  set64(fr + X_MCONTEXT + 176, old_mask); /* oldmask */
  uint64_t fp = (fr + X_FPSTATE) & ~(uint64_t)63;
  set64(fr + X_MCONTEXT + 184, fp); /* fpstate */
  uint16_t fcw = 0x37f;
  memcpy(frame_mem(fp, 2), &fcw, 2);
  set32(fp + 24, 0x1f80); /* mxcsr */
  guest_vsave((uint32_t)(fp + 160));
  set64(fr + X_SIGMASK, old_mask);
  write_info(fr + X_INFO, info);
  X_RSP = fr;
  *x_regs[8] = (uint64_t)info.sig;  /* rdi */
  *x_regs[9] = fr + X_INFO;         /* rsi */
  *x_regs[12] = fr + X_UC;          /* rdx */
  X_RAX = 0;
  *return_pc = act->restorer;
  return fr;
}

static uint64_t x_pop(uint64_t frame, uint64_t *saved_mask) {
  x_slots();
  for (int k = 0; k < 16; k++) *x_regs[k] = get64(frame + X_MCONTEXT + k * 8);
  *x_flags = get64(frame + X_MCONTEXT + 136) & 0xdd5; /* arithmetic flags and DF */
  uint64_t fp = get64(frame + X_MCONTEXT + 184);
  if (fp && guest_range(fp, 512)) guest_vload((uint32_t)(fp + 160));
  *saved_mask = get64(frame + X_SIGMASK);
  return X_RAX;
}

/* ---- aarch64 (arch/arm64/include/uapi/asm/sigcontext.h, kernel/signal.c): siginfo, then the
   ucontext whose mcontext holds x0-x30, sp, pc, pstate and an fpsimd_context record, then a
   frame record {x29, x30} the handler's x29 points at ---- */

enum {
  A_UC = 128,
  A_SIGMASK = A_UC + 40,
  A_MCONTEXT = A_UC + 176,
  A_REGS = A_MCONTEXT + 8, /* fault_address, then x0-x30 */
  A_SP = A_MCONTEXT + 256,
  A_PC = A_SP + 8,
  A_PSTATE = A_PC + 8,
  A_RESERVED = A_MCONTEXT + 288, /* 16-byte aligned records: fpsimd_context first */
  A_FPSIMD_MAGIC = 0x46508001,
  A_FRAME = A_RESERVED + 4096,
  A_RECORD = A_FRAME, /* {x29, x30} */
  A_TOTAL = A_FRAME + 16,
};
static uint64_t *a_x[31], *a_sp, *a_nzcv, *a_fpsr, *a_fpcr;

static void a_slots(void) {
  if (a_sp) return;
  for (int k = 0; k < 31; k++) {
    char name[4] = {'x', (char)(k < 10 ? '0' + k : '0' + k / 10), (char)(k < 10 ? 0 : '0' + k % 10), 0};
    a_x[k] = slot(name);
  }
  a_nzcv = slot("nzcv"), a_fpsr = slot("fpsr"), a_fpcr = slot("fpcr"), a_sp = slot("sp");
}

static uint64_t a_push(SigInfo info, uint64_t x0, uint32_t next_pc, uint64_t old_mask, uint64_t *return_pc) {
  a_slots();
  uint64_t sp = *a_sp;
  int64_t frame = ((int64_t)sp - A_TOTAL) & ~(int64_t)15;
  uint8_t *f = frame < 0 ? NULL : guest_range((uint64_t)frame, A_TOTAL);
  if (!f) guest_killed(11, "no room on the guest stack for a signal frame (sp 0x%llx)", (unsigned long long)sp);
  uint64_t fr = (uint64_t)frame;
  memset(f, 0, A_TOTAL);
  write_info(fr, info);
  for (int k = 0; k < 31; k++) set64(fr + A_REGS + k * 8, k == 0 ? x0 : *a_x[k]);
  set64(fr + A_SP, sp);
  set64(fr + A_PC, next_pc);
  set64(fr + A_PSTATE, *a_nzcv & 0xf0000000u);
  set64(fr + A_SIGMASK, old_mask);
  uint64_t fp = fr + A_RESERVED;
  set32(fp, A_FPSIMD_MAGIC);
  set32(fp + 4, 528);
  set32(fp + 8, (uint32_t)*a_fpsr);
  set32(fp + 12, (uint32_t)*a_fpcr);
  guest_vsave((uint32_t)(fp + 16));
  set64(fr + A_RECORD, *a_x[29]);
  set64(fr + A_RECORD + 8, *a_x[30]);
  *a_x[0] = (uint64_t)info.sig;
  *a_x[1] = fr;
  *a_x[2] = fr + A_UC;
  *a_sp = fr;
  *a_x[29] = fr + A_RECORD;
  *a_x[30] = SIGRETURN_PC;
  *return_pc = SIGRETURN_PC;
  return fr;
}

static uint64_t a_pop(uint64_t frame, uint64_t *saved_mask) {
  a_slots();
  for (int k = 0; k < 31; k++) *a_x[k] = get64(frame + A_REGS + k * 8);
  *a_sp = get64(frame + A_SP);
  *a_nzcv = get64(frame + A_PSTATE) & 0xf0000000u;
  uint64_t fp = frame + A_RESERVED;
  if (get32(fp) == A_FPSIMD_MAGIC) {
    *a_fpsr = get32(fp + 8);
    *a_fpcr = get32(fp + 12);
    guest_vload((uint32_t)(fp + 16));
  }
  *saved_mask = get64(frame + A_SIGMASK);
  return *a_x[0];
}

/* ---- delivery ---- */

/* the handler runs in progress, innermost first: rt_sigreturn jumps to the innermost */
typedef struct HandlerRun {
  jmp_buf done;
  struct HandlerRun *outer;
} HandlerRun;
static HandlerRun *running;

/*
 * Runs the handler until it is done (0: rt_sigreturn or a return to SIGRETURN_PC) or leaves
 * by a non-local jump (1: the redirect slot holds where the interrupted code goes on).
 * Kept apart from run_handler so that no local of that one lives across the setjmp.
 */
static int run_nested(uint32_t handler, uint64_t return_pc) {
  HandlerRun run;
  run.outer = running;
  running = &run;
  if (setjmp(run.done)) {
    running = run.outer; /* rt_sigreturn */
    return 0;
  }
  uint32_t pc = handler;
  for (;;) {
    pc = guest_enter(pc);
    if (pc == SIGRETURN_PC) break; /* an aarch64 handler returned */
    /* a handler's return lands in the restorer; anything that is not a function start is a
       non-local jump out of the handler: it goes back to the interrupted code */
    if (pc != return_pc && !guest_is_function_start(pc)) {
      *slot32("redirect") = pc;
      running = run.outer;
      return 1;
    }
  }
  running = run.outer;
  return 0;
}

/* runs the handler for sig; returns 1 with *value the restored result register, or 0 when the
   handler jumped away (siglongjmp) */
static int run_handler(int sig, SigAction act, uint64_t result, uint32_t next_pc, uint64_t *value) {
  SigInfo info = {sig, codes[sig], GUEST_PID};
  uint64_t return_pc, frame;
  if (is_a64()) frame = a_push(info, result, next_pc, mask, &return_pc);
  else frame = x_push(&act, info, result, next_pc, mask, &return_pc);
  mask |= act.mask & ~UNBLOCKABLE;
  if (!(act.flags & SA_NODEFER_)) mask |= bit(sig);
  if (act.flags & SA_RESETHAND_) memset(&actions[sig], 0, sizeof actions[sig]);
  /* the handler's address as the TS's Number(handler) meets a 32-bit pc */
  if (run_nested((uint32_t)act.handler, return_pc)) return 0;
  uint64_t saved;
  *value = is_a64() ? a_pop(frame, &saved) : x_pop(frame, &saved);
  mask = saved & ~UNBLOCKABLE;
  return 1;
}

uint64_t signals_deliver(uint64_t result, uint32_t next_pc) {
  check_timers();
  uint64_t rax = result; /* the result register (x0 on aarch64) */
  for (int sig = deliverable(); sig; sig = deliverable()) {
    pending &= ~bit(sig);
    SigAction act = actions[sig];
    if (act.handler == SIG_IGN_) continue;
    if (act.handler == SIG_DFL_) {
      if (ignored_by_default(sig)) continue;
      default_action(sig);
    }
    uint64_t r;
    /* left by a non-local jump (siglongjmp): the redirect is set, and the result register is
       what the jump left there (the system call's result must not overwrite it) */
    if (!run_handler(sig, act, rax, next_pc, &r)) return *slot(is_a64() ? "x0" : "rax");
    rax = r;
  }
  return rax;
}

int64_t signals_pause(void) {
  if (!wait_for_signal())
    guest_killed(9, "pause() with no signal that could ever arrive: the guest would wait forever");
  return -EINTR_;
}

/* ---- the system calls ---- */

static int32_t i32(uint64_t v) { return (int32_t)(uint32_t)v; }
static uint32_t ptr(uint64_t v) { return (uint32_t)v; }

static int64_t send_checked(int sig, int code) {
  if (sig == 0) return 0;
  if (sig < 1 || sig > 64) return -EINVAL_;
  signals_send(sig, code);
  return 0;
}

static int64_t sys_rt_sigaction(uint64_t a[6], uint32_t pc) {
  (void)pc;
  int sig = i32(a[0]);
  if (sig < 1 || sig > 64) return -EINVAL_;
  uint32_t nu = ptr(a[1]), old = ptr(a[2]);
  if (nu && (sig == 9 || sig == 19)) return -EINVAL_;
  if (old) {
    uint8_t *p = guest_range(old, 32);
    if (!p) return -EFAULT_;
    memcpy(p, &actions[sig], 32); /* handler, flags, restorer, mask: 4 little-endian u64 */
  }
  if (nu) {
    uint8_t *p = guest_range(nu, 32);
    if (!p) return -EFAULT_;
    memcpy(&actions[sig], p, 32);
    /* setting SIG_IGN discards a pending instance */
    if (actions[sig].handler == SIG_IGN_) pending &= ~bit(sig);
  }
  return 0;
}

static int64_t sys_rt_sigprocmask(uint64_t a[6], uint32_t pc) {
  (void)pc;
  int how = i32(a[0]);
  uint32_t old = ptr(a[2]), set = ptr(a[1]);
  if (old) {
    if (!guest_range(old, 8)) return -EFAULT_;
    guest_set_u64(old, mask);
  }
  if (set) {
    if (!guest_range(set, 8)) return -EFAULT_;
    uint64_t v = guest_u64(set) & ~UNBLOCKABLE;
    if (how == 0) mask |= v;
    else if (how == 1) mask &= ~v;
    else if (how == 2) mask = v;
    else return -EINVAL_;
  }
  /* a signal unblocked now whose default action kills acts at once */
  for (int sig = 1; sig <= 64; sig++)
    if (pending & bit(sig) & ~mask && actions[sig].handler == SIG_DFL_ && !ignored_by_default(sig)) default_action(sig);
  return 0;
}

static int64_t sys_rt_sigpending(uint64_t a[6], uint32_t pc) {
  (void)pc;
  if (!guest_range(ptr(a[0]), 8)) return -EFAULT_;
  guest_set_u64(ptr(a[0]), pending);
  return 0;
}

/* ends the innermost handler's nested run (its frame is popped there) */
static int64_t sys_rt_sigreturn(uint64_t a[6], uint32_t pc) {
  (void)a;
  if (!running) guest_killed(11, "rt_sigreturn at 0x%x with no signal handler running", pc);
  longjmp(running->done, 1);
}

static int64_t sys_kill(uint64_t a[6], uint32_t pc) {
  (void)pc;
  int pid = i32(a[0]);
  if (pid != GUEST_PID && pid != 0 && pid != -1) return -ESRCH_;
  return send_checked(i32(a[1]), SI_USER_);
}

static int64_t sys_tgkill(uint64_t a[6], uint32_t pc) {
  (void)pc;
  return i32(a[1]) == GUEST_PID ? send_checked(i32(a[2]), SI_TKILL_) : -ESRCH_;
}

static int64_t sys_tkill(uint64_t a[6], uint32_t pc) {
  (void)pc;
  return i32(a[0]) == GUEST_PID ? send_checked(i32(a[1]), SI_TKILL_) : -ESRCH_;
}

/* the seconds left of the previous alarm, rounded up */
static int64_t sys_alarm(uint64_t a[6], uint32_t pc) {
  (void)pc;
  uint64_t left = set_alarm((a[0] & 0xffffffffu) * 1000000000u, 0);
  return (int64_t)((left + 999999999u) / 1000000000u);
}

/* a guest timeval (seconds, microseconds: u64 each) in ns, saturated far beyond any run */
static uint64_t timeval_ns(uint32_t at) {
  uint64_t s = guest_u64(at), us = guest_u64(at + 8);
  const uint64_t cap = (uint64_t)1 << 62;
  if (s >= cap / 1000000000u || us >= cap / 1000u) return cap;
  uint64_t ns = s * 1000000000u + us * 1000u;
  return ns > cap ? cap : ns;
}

static void put_timeval(uint32_t at, uint64_t ns) {
  uint64_t s = ns / 1000000000u, us = (ns % 1000000000u + 500) / 1000; /* Math.round of the TS */
  if (us == 1000000) s++, us = 0;
  guest_set_u64(at, s);
  guest_set_u64(at + 8, us);
}

static int64_t sys_setitimer(uint64_t a[6], uint32_t pc) {
  (void)pc;
  if (i32(a[0]) != 0) return -EINVAL_; /* ITIMER_REAL only */
  uint32_t nu = ptr(a[1]), old = ptr(a[2]);
  uint64_t left = alarm_left(), every = alarm_every;
  if (nu) {
    if (!guest_range(nu, 32)) return -EFAULT_;
    set_alarm(timeval_ns(nu + 16), timeval_ns(nu)); /* it_value, it_interval */
  }
  if (old) {
    if (!guest_range(old, 32)) return -EFAULT_;
    put_timeval(old, every);
    put_timeval(old + 16, left);
  }
  return 0;
}

static int64_t sys_getitimer(uint64_t a[6], uint32_t pc) {
  uint64_t b[6] = {a[0], 0, a[1], 0, 0, 0};
  return sys_setitimer(b, pc);
}

static int64_t sys_pause(uint64_t a[6], uint32_t pc) {
  (void)a, (void)pc;
  return signals_pause();
}

static int64_t sys_rt_sigsuspend(uint64_t a[6], uint32_t pc) {
  if (!guest_range(ptr(a[0]), 8)) return -EFAULT_;
  uint64_t old = mask;
  mask = guest_u64(ptr(a[0])) & ~UNBLOCKABLE;
  if (!wait_for_signal())
    guest_killed(9, "sigsuspend() with no signal that could ever arrive: the guest would wait forever");
  /* deliver under the temporary mask, then restore the old one */
  uint64_t r = signals_deliver((uint64_t)-EINTR_, pc);
  mask = old;
  return (int64_t)r;
}

static int64_t sys_sigaltstack(uint64_t a[6], uint32_t pc) {
  (void)pc;
  uint32_t old = ptr(a[1]);
  if (old) {
    uint8_t *b = guest_range(old, 24);
    if (!b) return -EFAULT_;
    memset(b, 0, 24);
    guest_set_u32(old + 8, 2); /* SS_DISABLE: handlers run on the normal stack */
  }
  return 0;
}

const SyscallEntry signal_syscalls[] = {
  {"rt_sigaction", sys_rt_sigaction},
  {"rt_sigprocmask", sys_rt_sigprocmask},
  {"rt_sigpending", sys_rt_sigpending},
  {"rt_sigreturn", sys_rt_sigreturn},
  {"kill", sys_kill},
  {"tgkill", sys_tgkill},
  {"tkill", sys_tkill},
  {"alarm", sys_alarm},
  {"setitimer", sys_setitimer},
  {"getitimer", sys_getitimer},
  {"pause", sys_pause},
  {"rt_sigsuspend", sys_rt_sigsuspend},
  {"sigaltstack", sys_sigaltstack},
  {0, 0},
};
