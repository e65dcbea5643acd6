/* Signals a translated program must see as native: SA_SIGINFO with siginfo and ucontext,
 * blocked signals pending until unblocked, alarm and setitimer with pause, siglongjmp out
 * of a handler, an ignored signal, then death by the default action (status 143). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <setjmp.h>
#include <sys/time.h>
#include <ucontext.h>
static volatile sig_atomic_t alarms, usr1, info_ok;
static sigjmp_buf jb;
static void on_alarm(int s) { (void)s; alarms++; }
static void on_usr1(int s, siginfo_t *si, void *uc) {
  ucontext_t *u = uc;
  usr1++;
#ifdef __aarch64__
  unsigned long long sp = u ? u->uc_mcontext.sp : 0;
#else
  unsigned long long sp = u ? (unsigned long long)u->uc_mcontext.gregs[REG_RSP] : 0;
#endif
  info_ok = si->si_signo == SIGUSR1 && si->si_code == SI_TKILL && sp != 0;
}
static void on_usr2(int s) { (void)s; siglongjmp(jb, 42); }
int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_usr1;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigaction(SIGUSR1, &sa, 0);
  raise(SIGUSR1);
  printf("usr1=%d info=%d\n", usr1, info_ok);
  /* blocked: pending until unblocked */
  sigset_t set, pend;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, 0);
  raise(SIGUSR1);
  sigpending(&pend);
  printf("pending=%d usr1=%d\n", sigismember(&pend, SIGUSR1), usr1);
  sigprocmask(SIG_UNBLOCK, &set, 0);
  printf("after unblock usr1=%d\n", usr1);
  /* alarm + pause */
  signal(SIGALRM, on_alarm);
  alarm(1);
  pause();
  printf("alarms=%d\n", alarms);
  /* setitimer + pause, twice */
  struct itimerval it = {{0, 50000}, {0, 50000}};
  setitimer(ITIMER_REAL, &it, 0);
  pause();
  pause();
  struct itimerval off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &off, 0);
  printf("alarms=%d\n", alarms);
  /* siglongjmp out of a handler */
  signal(SIGUSR2, on_usr2);
  int r = sigsetjmp(jb, 1);
  if (r == 0) { raise(SIGUSR2); printf("not reached\n"); }
  printf("longjmp=%d\n", r);
  /* ignored signal, then default action */
  signal(SIGTERM, SIG_IGN);
  raise(SIGTERM);
  printf("ignored\n");
  fflush(stdout);
  signal(SIGTERM, SIG_DFL);
  raise(SIGTERM);
  return 0;
}
