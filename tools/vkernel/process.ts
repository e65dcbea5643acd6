// One guest process: its memory, files, identity and the module instance that runs it.
import { randomFillSync } from 'node:crypto';
import { GuestExit, GuestKilled, SIGNAL_NAMES } from './errors.js';
import { FdTable, Sandbox, type Grant } from './files.js';
import { GuestMemory, STACK_TOP } from './memory.js';
import { SYSCALL_HANDLERS, type SyscallArgs } from './syscalls.js';
import { GUEST_ARCHES, type GuestArch } from './arch.js';
import { cpuidAnswer } from './cpu.js';
import { X87 } from './x87.js';
import { STRING_KINDS } from '../isa/x86_64/lift/string-kinds.js';
import { Signals } from './signals.js';
import type { ImageMeta } from '../translate/index.js';

export type { ImageMeta };

export interface RunOptions {
  args: string[];
  env: string[];
  grants: Grant[];
  /** the host directory the guest starts in (when granted) */
  hostCwd: string;
  /** strace-like lines on stderr for every syscall */
  trace: boolean;
  /** the guest's argv[0] and AT_EXECFN */
  programName: string;
  /** always take the exact fused multiply-add emulation, even where the host fuses (tests: both paths give the same bits) */
  emulateFma?: boolean;
  /** called once the module is instantiated, before guest code runs (recomp run --profile reads its counters through it) */
  onInstance?: (instance: WebAssembly.Instance) => void;
}

export interface RunResult {
  status: number;
  signal?: number;
  message?: string;
}

type Exports = {
  memory: WebAssembly.Memory;
  run: (pc: number) => void;
  /** guest code from pc with the state in the globals, until it returns the address to go on at */
  enter: (pc: number) => number;
  fns: WebAssembly.Table;
  vsave: (addr: number) => void;
  vload: (addr: number) => void;
  /** engine-flavour modules only */
  fmaProbe64?: (a: number, b: number, c: number) => number;
  fmaProbe32?: (a: number, b: number, c: number) => number;
  /** aot-flavour modules only: their exact fused multiply-add, which their vkernel.fma64/fma32 imports call here */
  fmaExact64?: (a: number, b: number, c: number) => number;
  fmaExact32?: (a: number, b: number, c: number) => number;
} & Record<string, WebAssembly.Global | unknown>;

export class Process {
  mem!: GuestMemory;
  readonly fds = new FdTable();
  readonly sandbox: Sandbox;
  readonly pid = 1000;
  readonly signals = new Signals(this);
  tidAddress = 0n;
  private exports!: Exports;
  private faults: Map<number, string>;
  umask = 0o022;
  private fpu = new X87();
  readonly arch: GuestArch;

  constructor(
    readonly meta: ImageMeta,
    readonly opts: RunOptions,
  ) {
    const arch = GUEST_ARCHES[meta.arch];
    if (!arch) throw new Error(`module for an unknown architecture ${String(meta.arch)}`);
    this.arch = arch;
    this.sandbox = new Sandbox(opts.grants, opts.hostCwd);
    this.faults = new Map(meta.faults);
  }

  /** guest state slot by name (registers, fs, flags) */
  slot(name: string): WebAssembly.Global {
    const g = this.exports[`s.${name}`];
    if (!(g instanceof WebAssembly.Global)) throw new Error(`module has no state slot ${name}`);
    return g;
  }
  reg(name: string): bigint {
    return BigInt.asUintN(64, this.slot(name).value as bigint);
  }
  setReg(name: string, v: bigint): void {
    this.slot(name).value = BigInt.asUintN(64, v);
  }

  /** runs guest code from `pc` until it returns an address to go on at (signal handlers) */
  dispatch(pc: number): number {
    return this.exports.enter(pc) >>> 0;
  }
  isFunctionStart(pc: number): boolean {
    const i = pc - this.meta.codeBase;
    return i >= 0 && i < this.exports.fns.length && this.exports.fns.get(i) !== null;
  }
  redirect(pc: number): void {
    this.slot('redirect').value = pc | 0;
  }
  /** the vector registers (xmm0-15) to and from guest memory, 16 bytes each */
  saveVectors(addr: number): void {
    this.exports.vsave(addr);
  }
  loadVectors(addr: number): void {
    this.exports.vload(addr);
  }

  /**
   * The module's fused multiply-add takes wasm's relaxed madd when this engine fuses it on
   * this host (x * y + z where x * y rounds to 1 and the exact result is -2^-60, -2^-26 in
   * single), else its exact emulation: same bits either way, the first far faster.
   */
  private useFusedMultiplyAdd(): void {
    const { fmaProbe64, fmaProbe32 } = this.exports;
    // a module for aot has no relaxed madd: its fma imports take its exact emulation here
    if (typeof fmaProbe64 !== 'function' || typeof fmaProbe32 !== 'function') return;
    const fused64 = fmaProbe64(1 + 2 ** -30, 1 - 2 ** -30, -1) === -(2 ** -60);
    const fused32 = fmaProbe32(Math.fround(1 + 2 ** -13), Math.fround(1 - 2 ** -13), -1) === -(2 ** -26);
    this.slot('fused').value = fused64 && fused32 && !this.opts.emulateFma ? 1 : 0;
  }

  async run(module: WebAssembly.Module): Promise<RunResult> {
    const imports = { vkernel: this.imports() };
    const instance = await WebAssembly.instantiate(module, imports);
    this.exports = instance.exports as unknown as Exports;
    this.opts.onInstance?.(instance);
    this.mem = new GuestMemory(this.exports.memory, this.meta.brk, this.meta.start);
    this.useFusedMultiplyAdd();
    const sp = this.buildStack();
    this.setReg(this.arch.sp, BigInt(sp));
    try {
      this.exports.run(this.meta.entry);
      return { status: 0 };
    } catch (e) {
      return this.outcome(e);
    } finally {
      this.fds.closeAll();
    }
  }

  private outcome(e: unknown): RunResult {
    if (e instanceof GuestExit) return { status: e.status & 0xff };
    if (e instanceof GuestKilled) return this.killed(e.signal, e.detail);
    if (e instanceof WebAssembly.RuntimeError) {
      const m = e.message;
      const dpc = (this.exports['s.dpc'] as WebAssembly.Global).value as number;
      if (/table index is out of bounds|null function|uninitialized element/.test(m)) {
        return this.killed(11, `control reached 0x${(dpc >>> 0).toString(16)}, where no code was translated`);
      }
      if (/memory access out of bounds/.test(m)) return this.killed(11, 'memory access outside the guest address space');
      if (/divide by zero|integer overflow/.test(m)) return this.killed(8, m);
      return this.killed(4, `wasm trap: ${m}`);
    }
    if (e instanceof RangeError && /call stack/.test(e.message)) return this.killed(11, 'guest stack overflow (too deep recursion for the wasm call stack)');
    throw e;
  }

  private killed(signal: number, detail: string): RunResult {
    const name = SIGNAL_NAMES[signal] ?? `signal ${signal}`;
    const message = `recomp: guest killed by ${name}${detail ? ` (${detail})` : ''}`;
    return { status: 128 + signal, signal, message };
  }

  /** the vkernel imports a module calls (see X86_IMPORTS in the translator) */
  private imports(): Record<string, (...a: never[]) => unknown> {
    const names = this.arch.syscalls;
    return {
      syscall: (nr: bigint, a0: bigint, a1: bigint, a2: bigint, a3: bigint, a4: bigint, a5: bigint, pc: number): bigint => {
        const n = Number(nr);
        const name = names.get(n) ?? `syscall_${n}`;
        const args: SyscallArgs = [a0, a1, a2, a3, a4, a5];
        const h = SYSCALL_HANDLERS[name];
        let r: number | bigint;
        if (!h) r = -38;
        else {
          try {
            r = h(this, args, pc);
          } catch (e) {
            if (this.opts.trace && (e instanceof GuestExit || e instanceof GuestKilled)) this.traceLine(name, args, e instanceof GuestExit ? `exit ${e.status}` : `killed ${e.signal}`);
            throw e;
          }
        }
            if (this.opts.trace) this.traceLine(name, args, !h ? '-1 ENOSYS (not supported by recomp yet)' : String(r));
        return this.signals.deliver(BigInt(r), pc >>> 0);
      },
      cpuid: (leaf: number, sub: number): bigint => {
        const [a, b, c, d] = cpuidAnswer(leaf >>> 0, sub >>> 0);
        this.setReg('cpuid1', BigInt(b));
        this.setReg('cpuid2', BigInt(c));
        this.setReg('cpuid3', BigInt(d));
        return BigInt(a);
      },
      rdtsc: (): bigint => process.hrtime.bigint(),
      raise: (signal: number, pc: number): void => {
        throw new GuestKilled(signal, `at 0x${(pc >>> 0).toString(16)}`);
      },
      segv: (addr: bigint): void => {
        throw new GuestKilled(11, `invalid memory access at 0x${BigInt.asUintN(64, addr).toString(16)}`);
      },
      fault: (pc: number, signal: number): void => {
        const why = this.faults.get(pc >>> 0) ?? 'untranslated code';
        throw new GuestKilled(signal, `at 0x${(pc >>> 0).toString(16)}: ${why}`);
      },
      string: (kind: number, size: number, rep: number): void => this.stringOp(kind, size, rep),
      // a module for aot asks its host for fma (a blob's is C's); here its own exact one serves
      fma64: (a: number, b: number, c: number): number => this.exports.fmaExact64!(a, b, c),
      fma32: (a: number, b: number, c: number): number => this.exports.fmaExact32!(a, b, c),
      x87: (op: number, arg: number, addr: number): bigint => BigInt(this.fpu.exec(this.mem, op, arg, addr >>> 0)),
      div128: (hi: bigint, lo: bigint, d: bigint, signed: number, pc: number): bigint => {
        // wasm i64 arrives as a signed BigInt
        const n = (BigInt.asUintN(64, hi) << 64n) | BigInt.asUintN(64, lo);
        d = BigInt.asUintN(64, d);
        let q: bigint;
        let r: bigint;
        if (signed) {
          const sn = BigInt.asIntN(128, n);
          if (d === 0n) throw new GuestKilled(8, `divide error at 0x${(pc >>> 0).toString(16)}`);
          const sd = BigInt.asIntN(64, d);
          q = sn / sd;
          r = sn % sd;
          if (q !== BigInt.asIntN(64, q)) throw new GuestKilled(8, `divide error at 0x${(pc >>> 0).toString(16)}`);
        } else {
          if (d === 0n) throw new GuestKilled(8, `divide error at 0x${(pc >>> 0).toString(16)}`);
          q = n / d;
          r = n % d;
          if (q >> 64n) throw new GuestKilled(8, `divide error at 0x${(pc >>> 0).toString(16)}`);
        }
        this.setReg('rem128', r);
        return BigInt.asIntN(64, q);
      },
    } as Record<string, (...a: never[]) => unknown>;
  }

  private traceLine(name: string, args: SyscallArgs, result: string): void {
    const shown = args.map((a) => (a < 4096n ? String(BigInt.asIntN(64, a)) : `0x${a.toString(16)}`)).join(', ');
    process.stderr.write(`[recomp] ${name}(${shown}) = ${result}\n`);
  }

  /** x86 string instructions in their general form (any direction, overlap or pattern) */
  private stringOp(kind: number, size: number, rep: number): void {
    const m = this.mem;
    const df = (this.reg('flags') >> 10n) & 1n ? -1 : 1;
    const step = df * size;
    let rcx = this.reg('rcx');
    let rsi = Number(BigInt.asUintN(32, this.reg('rsi')));
    let rdi = Number(BigInt.asUintN(32, this.reg('rdi')));
    const rax = this.reg('rax');
    const get = (a: number) => (size === 8 ? m.u64(a) : BigInt(size === 4 ? m.u32(a) : size === 2 ? m.view.getUint16(a, true) : m.bytes[a]));
    const put = (a: number, v: bigint) => {
      if (size === 8) m.setU64(a, v);
      else if (size === 4) m.setU32(a, Number(BigInt.asUintN(32, v)));
      else if (size === 2) m.view.setUint16(a, Number(BigInt.asUintN(16, v)), true);
      else m.bytes[a] = Number(v & 0xffn);
    };
    const mask = (1n << BigInt(size * 8)) - 1n;
    let flags: { a: bigint; b: bigint } | undefined;
    const once = () => {
      switch (STRING_KINDS[kind]) {
        case 'movs': put(rdi, get(rsi)); rsi += step; rdi += step; break;
        case 'stos': put(rdi, rax & mask); rdi += step; break;
        case 'lods': this.setAcc(size, get(rsi)); rsi += step; break;
        case 'cmps': flags = { a: get(rsi), b: get(rdi) }; rsi += step; rdi += step; break;
        case 'scas': flags = { a: rax & mask, b: get(rdi) }; rdi += step; break;
      }
    };
    if (!rep) once();
    else {
      while (rcx !== 0n) {
        once();
        rcx--;
        if (flags) {
          const equal = flags.a === flags.b;
          if ((rep === 1 && !equal) || (rep === 2 && equal)) break;
        }
      }
      this.setReg('rcx', rcx);
    }
    this.setReg('rsi', BigInt(rsi >>> 0));
    this.setReg('rdi', BigInt(rdi >>> 0));
    if (flags) this.setCmpFlags(flags.a, flags.b, size);
  }

  private setAcc(size: number, v: bigint): void {
    const rax = this.reg('rax');
    if (size >= 4) this.setReg('rax', v); // a 32-bit write zero-extends
    else {
      const m = (1n << BigInt(size * 8)) - 1n;
      this.setReg('rax', (rax & ~m) | v);
    }
  }

  /** EFLAGS of `cmp a, b` into the flags slot (keeps DF) */
  private setCmpFlags(a: bigint, b: bigint, size: number): void {
    const bits = BigInt(size * 8);
    const m = (1n << bits) - 1n;
    const r = (a - b) & m;
    const sign = (x: bigint) => (x >> (bits - 1n)) & 1n;
    let f = this.reg('flags') & (1n << 10n);
    if (a < b) f |= 1n;
    let p = r & 0xffn;
    let ones = 0;
    while (p) {
      ones += Number(p & 1n);
      p >>= 1n;
    }
    if (ones % 2 === 0) f |= 4n;
    if (((a ^ b ^ r) >> 4n) & 1n) f |= 16n;
    if (r === 0n) f |= 64n;
    if (sign(r)) f |= 128n;
    if (sign((a ^ b) & (a ^ r))) f |= 2048n;
    this.setReg('flags', f);
  }

  /** argc, argv, envp and the auxiliary vector at the top of the stack (SysV x86_64 ABI) */
  private buildStack(): number {
    const m = this.mem;
    let sp = STACK_TOP;
    const putString = (s: string): number => {
      const b = Buffer.from(s + '\0', 'utf8');
      sp -= b.length;
      m.bytes.set(b, sp);
      return sp;
    };
    const execfn = putString(this.opts.programName);
    const platform = putString(this.arch.machine);
    const argv = [this.opts.programName, ...this.opts.args].map(putString);
    const envp = this.opts.env.map(putString);
    sp &= ~15;
    sp -= 16;
    const random = sp;
    randomFillSync(m.bytes, random, 16);
    const aux: [number, number][] = [
      [3, this.meta.phdr], [4, this.meta.phent], [5, this.meta.phnum], [6, 4096], [7, 0], [8, 0],
      [9, this.meta.entry], [11, 1000], [12, 1000], [13, 1000], [14, 1000], [15, platform], [16, this.arch.hwcap],
      [17, 100], [23, 0], [25, random], [26, 0], [31, execfn], [0, 0],
    ];
    const words = 1 + argv.length + 1 + envp.length + 1 + aux.length * 2;
    sp -= words * 8;
    sp &= ~15;
    let p = sp;
    const w = (v: number) => {
      m.setU64(p, v);
      p += 8;
    };
    w(argv.length);
    for (const a of argv) w(a);
    w(0);
    for (const e of envp) w(e);
    w(0);
    for (const [k, v] of aux) {
      w(k);
      w(v);
    }
    return sp;
  }

  exit(status: number): never {
    throw new GuestExit(status);
  }
}
