// Signals for a single-threaded guest: dispositions, the blocked mask, pending signals,
// ITIMER_REAL (alarm, setitimer), and delivery to guest handlers.
//
// Delivery happens when a system call returns (the next block boundary after the signal
// was raised: kill/tgkill to itself, an unblocking sigprocmask, pause, a timer that fired
// while the guest was in the kernel). The vkernel builds the architecture's rt_sigframe on
// the guest stack (siginfo, ucontext with the saved registers and FP state), runs the
// handler by dispatching into the module from inside the system call, and resumes when it
// is done: on x86_64 the restorer (the handler's return address) calls rt_sigreturn; on
// aarch64 the handler returns to SIGRETURN_PC, an address where no code is (Linux returns
// through a vDSO trampoline a static guest does not have). A handler that leaves by
// siglongjmp hands its target back to the interrupted code (see FunctionIR.resumable).
import { E, GuestKilled } from './errors.js';
import type { Process } from './process.js';
import type { SyscallArgs } from './syscalls.js';

export interface SigAction {
  handler: bigint;
  flags: bigint;
  restorer: bigint;
  mask: bigint;
}

const SIG_DFL = 0n;
const SIG_IGN = 1n;
const SA_RESTORER = 0x04000000n;
const SA_NODEFER = 0x40000000n;
const SA_RESETHAND = 0x80000000n;
const SI_USER = 0;
const SI_KERNEL = 0x80;
const SI_TKILL = -6;
const UNBLOCKABLE = (1n << 8n) | (1n << 18n); // SIGKILL, SIGSTOP (bit = signal - 1)

/** signals whose default action is to be ignored: SIGCHLD SIGCONT SIGURG SIGWINCH */
const IGNORED_BY_DEFAULT = new Set([17, 18, 23, 28]);

/** thrown by rt_sigreturn to end a handler's nested run */
class SigReturn {}

const bit = (sig: number) => 1n << BigInt(sig - 1);

/** where an aarch64 handler returns: no code is there (see the top of this file) */
export const SIGRETURN_PC = 0xfffff000;

export class Signals {
  readonly actions = new Map<number, SigAction>();
  mask = 0n;
  pending = 0n;
  private codes = new Map<number, number>();
  /** ITIMER_REAL: when it fires (ms since epoch, 0 = disarmed) and its reload interval */
  private alarmAt = 0;
  private alarmEvery = 0;

  constructor(private p: Process) {}

  action(sig: number): SigAction {
    return this.actions.get(sig) ?? { handler: SIG_DFL, flags: 0n, restorer: 0n, mask: 0n };
  }

  /** raises `sig` for this process: default actions at once, handlers at the next delivery point */
  send(sig: number, code: number): void {
    const act = this.action(sig);
    if (act.handler === SIG_IGN || (act.handler === SIG_DFL && IGNORED_BY_DEFAULT.has(sig))) return;
    if (act.handler === SIG_DFL && !(this.mask & bit(sig))) this.defaultAction(sig);
    this.pending |= bit(sig);
    this.codes.set(sig, code);
  }

  private defaultAction(sig: number): never {
    throw new GuestKilled(sig, '');
  }

  // ---- timers ----

  setAlarm(ms: number, everyMs = 0): number {
    const left = this.alarmAt ? Math.max(0, this.alarmAt - Date.now()) : 0;
    this.alarmAt = ms > 0 ? Date.now() + ms : 0;
    this.alarmEvery = everyMs;
    return left;
  }
  alarmLeft(): [number, number] {
    return [this.alarmAt ? Math.max(0, this.alarmAt - Date.now()) : 0, this.alarmEvery];
  }
  /** fires the timer if its time has come */
  checkTimers(): void {
    if (this.alarmAt && Date.now() >= this.alarmAt) {
      this.alarmAt = this.alarmEvery ? Date.now() + this.alarmEvery : 0;
      this.send(14, SI_KERNEL);
    }
  }
  /** sleeps until a signal could arrive (pause, sigsuspend); false when none ever will */
  waitForSignal(): boolean {
    if (this.deliverable()) return true;
    if (!this.alarmAt) return false;
    const ms = this.alarmAt - Date.now();
    if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    this.checkTimers();
    return true;
  }
  /** sleeps up to `ms`, cut short by the timer; true when interrupted by a signal */
  sleep(ms: number): boolean {
    const until = Date.now() + ms;
    const wake = this.alarmAt && this.alarmAt < until ? this.alarmAt : until;
    const d = wake - Date.now();
    if (d > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, d);
    this.checkTimers();
    return this.deliverable() !== 0;
  }

  private deliverable(): number {
    const ready = this.pending & ~this.mask;
    if (!ready) return 0;
    for (let s = 1; s <= 64; s++) if (ready & bit(s)) return s;
    return 0;
  }

  // ---- delivery ----

  /**
   * Delivers pending, unblocked signals as a system call returns `result`, the guest going
   * on at `nextPc`. Returns the value for rax (the handler may have changed the saved one).
   */
  deliver(result: bigint, nextPc: number): bigint {
    this.checkTimers();
    let rax = result; // the result register (x0 on aarch64)
    for (let sig = this.deliverable(); sig; sig = this.deliverable()) {
      this.pending &= ~bit(sig);
      const act = this.action(sig);
      if (act.handler === SIG_IGN) continue;
      if (act.handler === SIG_DFL) {
        if (IGNORED_BY_DEFAULT.has(sig)) continue;
        this.defaultAction(sig);
      }
      const r = this.runHandler(sig, act, rax, nextPc);
      // left by a non-local jump (siglongjmp): the redirect is set, and rax is what the
      // jump left there (the syscall's return value must not overwrite it)
      if (r === undefined) return this.p.reg(this.p.arch.name === 'aarch64' ? 'x0' : 'rax');
      rax = r;
    }
    return rax;
  }

  /** returns the restored result register, or undefined when the handler jumped away (siglongjmp) */
  private runHandler(sig: number, act: SigAction, result: bigint, nextPc: number): bigint | undefined {
    const p = this.p;
    const layout = p.arch.name === 'aarch64' ? A64_FRAME : X86_FRAME;
    const info: SigInfo = { sig, code: this.codes.get(sig) ?? SI_USER, pid: p.pid };
    const { frame, returnPc } = layout.push(p, act, info, result, nextPc, this.mask);
    this.mask |= act.mask & ~UNBLOCKABLE;
    if (!(act.flags & SA_NODEFER)) this.mask |= bit(sig);
    if (act.flags & SA_RESETHAND) this.actions.delete(sig);
    try {
      let pc = Number(act.handler);
      for (;;) {
        pc = p.dispatch(pc);
        if (pc === SIGRETURN_PC) break; // an aarch64 handler returned
        // a handler's return lands in the restorer; anything that is not a function start
        // is a non-local jump out of the handler: it goes back to the interrupted code
        if (pc !== returnPc && !p.isFunctionStart(pc)) {
          p.redirect(pc);
          return undefined;
        }
      }
    } catch (e) {
      if (!(e instanceof SigReturn)) throw e;
    }
    const { value, mask } = layout.pop(p, frame);
    this.mask = mask & ~UNBLOCKABLE;
    return value;
  }

  /** the frame of the handler that is returning: its ucontext is at rsp (pretcode was popped) */
  sigreturn(): never {
    throw new SigReturn();
  }
}

const i32 = (v: bigint) => Number(BigInt.asIntN(32, v));
const ptr = (v: bigint) => Number(BigInt.asUintN(32, v));

type Handler = (p: Process, a: SyscallArgs, pc: number) => number | bigint;

export const SIGNAL_SYSCALLS: Record<string, Handler> = {
  rt_sigaction: (p, a) => {
    const s = p.signals;
    const sig = i32(a[0]);
    if (sig < 1 || sig > 64) return -E.INVAL;
    const nu = ptr(a[1]);
    if (nu && (sig === 9 || sig === 19)) return -E.INVAL;
    const old = ptr(a[2]);
    if (old) {
      if (!p.mem.range(old, 32)) return -E.FAULT;
      const cur = s.action(sig);
      p.mem.setU64(old, cur.handler);
      p.mem.setU64(old + 8, cur.flags);
      p.mem.setU64(old + 16, cur.restorer);
      p.mem.setU64(old + 24, cur.mask);
    }
    if (nu) {
      if (!p.mem.range(nu, 32)) return -E.FAULT;
      s.actions.set(sig, { handler: p.mem.u64(nu), flags: p.mem.u64(nu + 8), restorer: p.mem.u64(nu + 16), mask: p.mem.u64(nu + 24) });
      // setting SIG_IGN discards a pending instance
      if (p.mem.u64(nu) === SIG_IGN) s.pending &= ~bit(sig);
    }
    return 0;
  },
  rt_sigprocmask: (p, a) => {
    const s = p.signals;
    const how = i32(a[0]);
    const old = ptr(a[2]);
    if (old) {
      if (!p.mem.range(old, 8)) return -E.FAULT;
      p.mem.setU64(old, s.mask);
    }
    const set = ptr(a[1]);
    if (set) {
      if (!p.mem.range(set, 8)) return -E.FAULT;
      const v = p.mem.u64(set) & ~UNBLOCKABLE;
      if (how === 0) s.mask |= v;
      else if (how === 1) s.mask &= ~v;
      else if (how === 2) s.mask = v;
      else return -E.INVAL;
    }
    // a signal unblocked now whose default action kills acts at once
    for (let sig = 1; sig <= 64; sig++) {
      if (s.pending & bit(sig) & ~s.mask && s.action(sig).handler === SIG_DFL && !IGNORED_BY_DEFAULT.has(sig)) throw new GuestKilled(sig, '');
    }
    return 0;
  },
  rt_sigpending: (p, a) => {
    if (!p.mem.range(ptr(a[0]), 8)) return -E.FAULT;
    p.mem.setU64(ptr(a[0]), p.signals.pending);
    return 0;
  },
  rt_sigreturn: (p) => p.signals.sigreturn(),
  kill: (p, a) => {
    const pid = i32(a[0]);
    if (pid !== p.pid && pid !== 0 && pid !== -1) return -E.SRCH;
    return sendChecked(p, i32(a[1]), SI_USER);
  },
  tgkill: (p, a) => (i32(a[1]) === p.pid ? sendChecked(p, i32(a[2]), SI_TKILL) : -E.SRCH),
  tkill: (p, a) => (i32(a[0]) === p.pid ? sendChecked(p, i32(a[1]), SI_TKILL) : -E.SRCH),
  alarm: (p, a) => Math.ceil(p.signals.setAlarm(Number(a[0] & 0xffffffffn) * 1000) / 1000),
  setitimer: (p, a) => {
    if (i32(a[0]) !== 0) return -E.INVAL; // ITIMER_REAL only
    const nu = ptr(a[1]);
    const old = ptr(a[2]);
    const tv = (at: number) => Number(p.mem.u64(at)) * 1000 + Number(p.mem.u64(at + 8)) / 1000;
    const [left, every] = p.signals.alarmLeft();
    if (nu) {
      if (!p.mem.range(nu, 32)) return -E.FAULT;
      p.signals.setAlarm(tv(nu + 16), tv(nu));
    }
    if (old) {
      if (!p.mem.range(old, 32)) return -E.FAULT;
      const put = (at: number, ms: number) => {
        p.mem.setU64(at, BigInt(Math.floor(ms / 1000)));
        p.mem.setU64(at + 8, BigInt(Math.round((ms % 1000) * 1000)));
      };
      put(old, every);
      put(old + 16, left);
    }
    return 0;
  },
  getitimer: (p, a) => SIGNAL_SYSCALLS.setitimer(p, [a[0], 0n, a[1]], 0),
  pause: (p) => {
    if (!p.signals.waitForSignal()) throw new GuestKilled(9, 'pause() with no signal that could ever arrive: the guest would wait forever');
    return -E.INTR;
  },
  rt_sigsuspend: (p, a, pc) => {
    const s = p.signals;
    if (!p.mem.range(ptr(a[0]), 8)) return -E.FAULT;
    const old = s.mask;
    s.mask = p.mem.u64(ptr(a[0])) & ~UNBLOCKABLE;
    const ok = s.waitForSignal();
    if (!ok) throw new GuestKilled(9, 'sigsuspend() with no signal that could ever arrive: the guest would wait forever');
    // deliver under the temporary mask, then restore the old one
    const r = s.deliver(BigInt(-E.INTR), pc);
    s.mask = old;
    return r;
  },
  sigaltstack: (p, a) => {
    if (ptr(a[1])) {
      const b = p.mem.range(ptr(a[1]), 24);
      if (!b) return -E.FAULT;
      b.fill(0);
      p.mem.setU32(ptr(a[1]) + 8, 2); // SS_DISABLE: handlers run on the normal stack
    }
    return 0;
  },
};

function sendChecked(p: Process, sig: number, code: number): number {
  if (sig === 0) return 0;
  if (sig < 1 || sig > 64) return -E.INVAL;
  p.signals.send(sig, code);
  return 0;
}

// ---- signal frames by architecture ----

interface SigInfo {
  sig: number;
  code: number;
  pid: number;
}

/** how one architecture saves the interrupted state for a handler and takes it back */
interface FrameLayout {
  /** writes the frame below the stack pointer, sets the handler's entry registers; returns the frame and where the handler returns to */
  push(p: Process, act: SigAction, info: SigInfo, result: bigint, nextPc: number, mask: bigint): { frame: number; returnPc: number };
  /** the saved state back into the registers: the result register's value and the saved mask */
  pop(p: Process, frame: number): { value: bigint; mask: bigint };
}

function writeInfo(p: Process, at: number, info: SigInfo): void {
  p.mem.setU32(at, info.sig);
  p.mem.view.setInt32(at + 8, info.code, true);
  p.mem.setU32(at + 16, info.pid);
  p.mem.setU32(at + 20, 1000);
}

// x86_64 (arch/x86/include/uapi/asm/sigcontext.h, asm/sigframe.h): the restorer's address,
// then the ucontext, siginfo and the FXSAVE area, 64-byte aligned
const X_UC = 8; //              rt_sigframe.uc (after pretcode)
const X_MCONTEXT = X_UC + 40; // uc_flags, uc_link, uc_stack
const X_SIGMASK = X_MCONTEXT + 256;
const X_INFO = X_UC + 304;
const X_FPSTATE = X_INFO + 128 + 64; // rounded to 64 below
const X_FRAME = X_FPSTATE + 512;
/** sigcontext register order */
const X_REGS = ['r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rdi', 'rsi', 'rbp', 'rbx', 'rdx', 'rax', 'rcx', 'rsp'];

const X86_FRAME: FrameLayout = {
  push(p, act, info, rax, nextPc, mask) {
    const m = p.mem;
    if (!(act.flags & SA_RESTORER) || !act.restorer) throw new GuestKilled(info.sig, 'a handler without SA_RESTORER cannot return (the C library always sets one)');
    const sp = BigInt.asUintN(64, p.reg('rsp'));
    // below the red zone, 64-byte aligned for the FP state, then like a call: (rsp + 8) % 16 == 0
    let frame = Number(sp) - 128 - X_FRAME;
    frame &= ~63;
    frame -= 8;
    if (!m.range(frame, X_FRAME + 8)) throw new GuestKilled(11, `no room on the guest stack for a signal frame (rsp 0x${sp.toString(16)})`);
    m.bytes.fill(0, frame, frame + X_FRAME);
    m.setU64(frame, act.restorer);
    for (const [k, name] of X_REGS.entries()) m.setU64(frame + X_MCONTEXT + k * 8, name === 'rax' ? rax : p.reg(name));
    m.setU64(frame + X_MCONTEXT + 128, BigInt(nextPc >>> 0)); // rip
    m.setU64(frame + X_MCONTEXT + 136, (p.reg('flags') & 0xcd5n) | 0x202n | (p.reg('flags') & 0x400n)); // eflags
    m.setU64(frame + X_MCONTEXT + 176, mask); // oldmask
    const fp = (frame + X_FPSTATE) & ~63;
    m.setU64(frame + X_MCONTEXT + 184, BigInt(fp)); // fpstate
    m.view.setUint16(fp, 0x37f, true);
    m.setU32(fp + 24, 0x1f80); // mxcsr
    p.saveVectors(fp + 160);
    m.setU64(frame + X_SIGMASK, mask);
    writeInfo(p, frame + X_INFO, info);
    p.setReg('rsp', BigInt(frame));
    p.setReg('rdi', BigInt(info.sig));
    p.setReg('rsi', BigInt(frame + X_INFO));
    p.setReg('rdx', BigInt(frame + X_UC));
    p.setReg('rax', 0n);
    return { frame, returnPc: Number(act.restorer) };
  },
  pop(p, frame) {
    const m = p.mem;
    for (const [k, name] of X_REGS.entries()) p.setReg(name, m.u64(frame + X_MCONTEXT + k * 8));
    p.setReg('flags', m.u64(frame + X_MCONTEXT + 136) & 0xdd5n); // arithmetic flags and DF
    const fp = Number(m.u64(frame + X_MCONTEXT + 184));
    if (fp && m.range(fp, 512)) p.loadVectors(fp + 160);
    return { value: p.reg('rax'), mask: m.u64(frame + X_SIGMASK) };
  },
};

// aarch64 (arch/arm64/include/uapi/asm/sigcontext.h, kernel/signal.c): siginfo, then the
// ucontext whose mcontext holds x0-x30, sp, pc, pstate and an fpsimd_context record, then
// a frame record {x29, x30} the handler's x29 points at
const A_UC = 128;
const A_SIGMASK = A_UC + 40;
const A_MCONTEXT = A_UC + 176;
const A_REGS = A_MCONTEXT + 8; //         fault_address, then x0-x30
const A_SP = A_MCONTEXT + 256;
const A_PC = A_SP + 8;
const A_PSTATE = A_PC + 8;
const A_RESERVED = A_MCONTEXT + 288; //   16-byte aligned records: fpsimd_context first
const A_FPSIMD_MAGIC = 0x46508001;
const A_FRAME = A_RESERVED + 4096;
const A_RECORD = A_FRAME; //              {x29, x30}
const A_TOTAL = A_FRAME + 16;

const A64_FRAME: FrameLayout = {
  push(p, act, info, x0, nextPc, mask) {
    const m = p.mem;
    const sp = BigInt.asUintN(64, p.reg('sp'));
    const frame = (Number(sp) - A_TOTAL) & ~15;
    if (!m.range(frame, A_TOTAL)) throw new GuestKilled(11, `no room on the guest stack for a signal frame (sp 0x${sp.toString(16)})`);
    m.bytes.fill(0, frame, frame + A_TOTAL);
    writeInfo(p, frame, info);
    for (let k = 0; k < 31; k++) m.setU64(frame + A_REGS + k * 8, k === 0 ? x0 : p.reg(`x${k}`));
    m.setU64(frame + A_SP, sp);
    m.setU64(frame + A_PC, BigInt(nextPc >>> 0));
    m.setU64(frame + A_PSTATE, p.reg('nzcv') & 0xf0000000n);
    m.setU64(frame + A_SIGMASK, mask);
    const fp = frame + A_RESERVED;
    m.setU32(fp, A_FPSIMD_MAGIC);
    m.setU32(fp + 4, 528);
    m.setU32(fp + 8, Number(p.reg('fpsr') & 0xffffffffn));
    m.setU32(fp + 12, Number(p.reg('fpcr') & 0xffffffffn));
    p.saveVectors(fp + 16);
    m.setU64(frame + A_RECORD, p.reg('x29'));
    m.setU64(frame + A_RECORD + 8, p.reg('x30'));
    p.setReg('x0', BigInt(info.sig));
    p.setReg('x1', BigInt(frame));
    p.setReg('x2', BigInt(frame + A_UC));
    p.setReg('sp', BigInt(frame));
    p.setReg('x29', BigInt(frame + A_RECORD));
    p.setReg('x30', BigInt(SIGRETURN_PC));
    return { frame, returnPc: SIGRETURN_PC };
  },
  pop(p, frame) {
    const m = p.mem;
    for (let k = 0; k < 31; k++) p.setReg(`x${k}`, m.u64(frame + A_REGS + k * 8));
    p.setReg('sp', m.u64(frame + A_SP));
    p.setReg('nzcv', m.u64(frame + A_PSTATE) & 0xf0000000n);
    const fp = frame + A_RESERVED;
    if (m.u32(fp) === A_FPSIMD_MAGIC) {
      p.setReg('fpsr', BigInt(m.u32(fp + 8)));
      p.setReg('fpcr', BigInt(m.u32(fp + 12)));
      p.loadVectors(fp + 16);
    }
    return { value: p.reg('x0'), mask: m.u64(frame + A_SIGMASK) };
  },
};
