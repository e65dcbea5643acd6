// Linux errno values (asm-generic/errno-base.h, errno.h) and the ways a guest stops.

export const E = {
  PERM: 1, NOENT: 2, SRCH: 3, INTR: 4, IO: 5, BADF: 9, CHILD: 10, AGAIN: 11, NOMEM: 12, ACCES: 13,
  FAULT: 14, BUSY: 16, EXIST: 17, XDEV: 18, NOTDIR: 20, ISDIR: 21, INVAL: 22, NFILE: 23, MFILE: 24,
  NOTTY: 25, FBIG: 27, NOSPC: 28, SPIPE: 29, ROFS: 30, MLINK: 31, PIPE: 32, RANGE: 34, NAMETOOLONG: 36,
  NOSYS: 38, NOTEMPTY: 39, LOOP: 40, NOTSUP: 95,
} as const;

/** Node's error codes (from the host's syscalls) to Linux errno values */
export function errnoOf(e: unknown): number {
  const code = (e as { code?: string }).code;
  if (code && code.startsWith('E')) {
    const v = (E as Record<string, number>)[code.slice(1)];
    if (v) return v;
    if (code === 'EOPNOTSUPP') return E.NOTSUP;
  }
  return E.IO;
}

/** the guest called exit/exit_group */
export class GuestExit {
  constructor(readonly status: number) {}
}

/** the guest was killed by a signal (default action); `address` for memory faults */
export class GuestKilled {
  constructor(
    readonly signal: number,
    readonly detail: string,
  ) {}
}

export const SIGNAL_NAMES: Record<number, string> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE',
  9: 'SIGKILL', 10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM',
  16: 'SIGSTKFLT', 17: 'SIGCHLD', 18: 'SIGCONT', 19: 'SIGSTOP', 20: 'SIGTSTP', 21: 'SIGTTIN', 22: 'SIGTTOU',
  23: 'SIGURG', 24: 'SIGXCPU', 25: 'SIGXFSZ', 26: 'SIGVTALRM', 27: 'SIGPROF', 28: 'SIGWINCH', 29: 'SIGIO',
  30: 'SIGPWR', 31: 'SIGSYS',
};
