// The x87 floating-point unit, exactly: 80-bit extended values (64-bit significand) kept as
// BigInt significand and binary exponent, rounded as the control word says. The translator
// sends each x87 instruction here (they are rare in compiled code: `long double` in printf
// and a few libm paths), so results match the hardware bit for bit where it matters.
// Transcendental instructions (fsin, fyl2x...) go through doubles and are not exact.
import { X87_OPS } from '../isa/x86_64/lift/x87-ops.js';

/** value = m * 2^e (m >= 0, finite); zero, infinity and NaN carry only a sign */
interface Val {
  sign: 0 | 1;
  kind: 'zero' | 'fin' | 'inf' | 'nan';
  m: bigint;
  e: number;
}

const ZERO: Val = { sign: 0, kind: 'zero', m: 0n, e: 0 };
const NAN: Val = { sign: 1, kind: 'nan', m: 0n, e: 0 };
const INF = (sign: 0 | 1): Val => ({ sign, kind: 'inf', m: 0n, e: 0 });

function bitLength(m: bigint): number {
  return m === 0n ? 0 : m.toString(2).length;
}

/** rounding control: 0 nearest even, 1 down, 2 up, 3 toward zero */
type RC = 0 | 1 | 2 | 3;

/** rounds m*2^e to `bits` significant bits with the LSB exponent at least `minLsb` */
function round(sign: 0 | 1, m: bigint, e: number, bits: number, minLsb: number, rc: RC): { m: bigint; e: number } {
  const L = bitLength(m);
  const lsb = Math.max(e + L - bits, minLsb);
  const shift = lsb - e;
  if (shift <= 0) return { m, e };
  let q = m >> BigInt(shift);
  const rem = m - (q << BigInt(shift));
  if (rem !== 0n) {
    const half = 1n << BigInt(shift - 1);
    if (rc === 0) {
      if (rem > half || (rem === half && (q & 1n) === 1n)) q++;
    } else if ((rc === 1 && sign) || (rc === 2 && !sign)) q++;
  }
  return { m: q, e: lsb };
}

/** a finite result rounded to extended precision, with overflow to infinity */
function fin(sign: 0 | 1, m: bigint, e: number, rc: RC): Val {
  if (m === 0n) return { ...ZERO, sign };
  const r = round(sign, m, e, 64, -16445, rc);
  if (r.m === 0n) return { ...ZERO, sign };
  if (r.e + bitLength(r.m) > 16384) return INF(sign);
  return { sign, kind: 'fin', m: r.m, e: r.e };
}

function fromNumber(x: number): Val {
  if (Number.isNaN(x)) return NAN;
  const sign = x < 0 || Object.is(x, -0) ? 1 : 0;
  if (x === 0) return { ...ZERO, sign };
  if (!Number.isFinite(x)) return INF(sign);
  return decodeIEEE(doubleBits(x), 52, 11);
}

function doubleBits(x: number): bigint {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x, true);
  return dv.getBigUint64(0, true);
}

/** IEEE binary (f32: 23/8, f64: 52/11) bits to a value, exactly */
function decodeIEEE(bits: bigint, frac: number, expBits: number): Val {
  const sign = Number((bits >> BigInt(frac + expBits)) & 1n) as 0 | 1;
  const ex = Number((bits >> BigInt(frac)) & ((1n << BigInt(expBits)) - 1n));
  const f = bits & ((1n << BigInt(frac)) - 1n);
  const bias = (1 << (expBits - 1)) - 1;
  if (ex === (1 << expBits) - 1) return f ? { ...NAN, sign } : INF(sign);
  if (ex === 0) return f ? { sign, kind: 'fin', m: f, e: 1 - bias - frac } : { ...ZERO, sign };
  return { sign, kind: 'fin', m: f | (1n << BigInt(frac)), e: ex - bias - frac };
}

/** a value to IEEE binary bits, rounded per rc (denormals and overflow included) */
function encodeIEEE(v: Val, frac: number, expBits: number, rc: RC): bigint {
  const signBit = BigInt(v.sign) << BigInt(frac + expBits);
  const maxE = (1n << BigInt(expBits)) - 1n;
  if (v.kind === 'zero') return signBit;
  if (v.kind === 'inf') return signBit | (maxE << BigInt(frac));
  if (v.kind === 'nan') return signBit | (maxE << BigInt(frac)) | (1n << BigInt(frac - 1));
  const bias = (1 << (expBits - 1)) - 1;
  const r = round(v.sign, v.m, v.e, frac + 1, 1 - bias - frac, rc);
  const L = bitLength(r.m);
  if (L === 0) return signBit;
  const top = r.e + L - 1; // exponent of the leading bit
  if (top > bias) return signBit | (maxE << BigInt(frac)); // overflow (nearest: infinity)
  if (top < 1 - bias) return signBit | r.m; // denormal: the LSB is at 1-bias-frac
  const m = r.m << BigInt(frac + 1 - L);
  return signBit | (BigInt(top + bias) << BigInt(frac)) | (m & ((1n << BigInt(frac)) - 1n));
}

function decode80(lo: bigint, hi: number): Val {
  const sign = ((hi >> 15) & 1) as 0 | 1;
  const ex = hi & 0x7fff;
  if (ex === 0x7fff) return lo & ((1n << 63n) - 1n) ? { ...NAN, sign } : INF(sign);
  if (lo === 0n) return { ...ZERO, sign };
  return { sign, kind: 'fin', m: lo, e: (ex === 0 ? 1 : ex) - 16383 - 63 };
}

function encode80(v: Val): { lo: bigint; hi: number } {
  const s = v.sign << 15;
  if (v.kind === 'zero') return { lo: 0n, hi: s };
  if (v.kind === 'inf') return { lo: 1n << 63n, hi: s | 0x7fff };
  if (v.kind === 'nan') return { lo: 3n << 62n, hi: s | 0x7fff };
  const L = bitLength(v.m);
  const top = v.e + L - 1;
  if (top < -16382) {
    // denormal: LSB exponent -16445
    return { lo: v.m << BigInt(v.e + 16445), hi: s };
  }
  return { lo: v.m << BigInt(64 - L), hi: s | (top + 16383) };
}

function toNumber(v: Val): number {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setBigUint64(0, encodeIEEE(v, 52, 11, 0), true);
  return dv.getFloat64(0, true);
}

/** aligns two finite values to a common exponent */
function align(a: Val, b: Val): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  return [a.m << BigInt(a.e - e), b.m << BigInt(b.e - e), e];
}

function cmp(a: Val, b: Val): -1 | 0 | 1 | 'unordered' {
  if (a.kind === 'nan' || b.kind === 'nan') return 'unordered';
  const sv = (v: Val): number => (v.kind === 'zero' ? 0 : v.sign ? -1 : 1);
  const sa = sv(a);
  const sb = sv(b);
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  const mag = (): -1 | 0 | 1 => {
    if (a.kind === 'inf' || b.kind === 'inf') return a.kind === b.kind ? 0 : a.kind === 'inf' ? 1 : -1;
    const la = a.e + bitLength(a.m);
    const lb = b.e + bitLength(b.m);
    if (la !== lb) return la < lb ? -1 : 1;
    const [x, y] = align(a, b);
    return x === y ? 0 : x < y ? -1 : 1;
  };
  const m = mag();
  return (sa < 0 ? -m : m) as -1 | 0 | 1;
}

function add(a: Val, b: Val, rc: RC): Val {
  if (a.kind === 'nan' || b.kind === 'nan') return NAN;
  if (a.kind === 'inf' || b.kind === 'inf') {
    if (a.kind === 'inf' && b.kind === 'inf' && a.sign !== b.sign) return NAN;
    return a.kind === 'inf' ? a : b;
  }
  if (a.kind === 'zero' && b.kind === 'zero') return { ...ZERO, sign: a.sign === b.sign ? a.sign : rc === 1 ? 1 : 0 };
  if (a.kind === 'zero') return b;
  if (b.kind === 'zero') return a;
  // a huge exponent gap: the smaller operand only matters as a sticky bit
  let [x, y, e] = [0n, 0n, 0];
  const gap = Math.abs(a.e + bitLength(a.m) - (b.e + bitLength(b.m)));
  if (gap > 200) {
    const big = a.e + bitLength(a.m) > b.e + bitLength(b.m) ? a : b;
    const small = big === a ? b : a;
    // the sticky bit goes below the 64th significant bit, whatever width big.m is kept at
    const k = Math.max(0, 64 - bitLength(big.m)) + 4;
    const m = (big.m << BigInt(k)) + (small.sign === big.sign ? 1n : -1n);
    return fin(big.sign, m, big.e - k, rc);
  }
  [x, y, e] = align(a, b);
  const sx = a.sign ? -x : x;
  const sy = b.sign ? -y : y;
  const s = sx + sy;
  if (s === 0n) return { ...ZERO, sign: rc === 1 ? 1 : 0 };
  return fin(s < 0n ? 1 : 0, s < 0n ? -s : s, e, rc);
}

function neg(v: Val): Val {
  return { ...v, sign: (v.sign ^ 1) as 0 | 1 };
}

function mul(a: Val, b: Val, rc: RC): Val {
  const sign = (a.sign ^ b.sign) as 0 | 1;
  if (a.kind === 'nan' || b.kind === 'nan') return NAN;
  if (a.kind === 'inf' || b.kind === 'inf') return a.kind === 'zero' || b.kind === 'zero' ? NAN : INF(sign);
  if (a.kind === 'zero' || b.kind === 'zero') return { ...ZERO, sign };
  return fin(sign, a.m * b.m, a.e + b.e, rc);
}

function div(a: Val, b: Val, rc: RC): Val {
  const sign = (a.sign ^ b.sign) as 0 | 1;
  if (a.kind === 'nan' || b.kind === 'nan') return NAN;
  if (a.kind === 'inf') return b.kind === 'inf' ? NAN : INF(sign);
  if (b.kind === 'inf') return { ...ZERO, sign };
  if (b.kind === 'zero') return a.kind === 'zero' ? NAN : INF(sign);
  if (a.kind === 'zero') return { ...ZERO, sign };
  const shift = 130 + bitLength(b.m) - bitLength(a.m);
  const num = a.m << BigInt(Math.max(shift, 0));
  const q = num / b.m;
  const sticky = num % b.m !== 0n ? 1n : 0n;
  return fin(sign, (q << 1n) | sticky, a.e - b.e - Math.max(shift, 0) - 1, rc);
}

function sqrt(a: Val, rc: RC): Val {
  if (a.kind === 'nan' || (a.sign && a.kind !== 'zero')) return NAN;
  if (a.kind !== 'fin') return a;
  // sqrt(m * 2^e) with m scaled to an even exponent and ~140 bits
  let m = a.m;
  let e = a.e;
  const want = 140 - bitLength(m);
  if (want > 0) {
    m <<= BigInt(want);
    e -= want;
  }
  if (e & 1) {
    m <<= 1n;
    e -= 1;
  }
  let r = isqrt(m);
  const sticky = r * r !== m ? 1n : 0n;
  r = (r << 1n) | sticky;
  return fin(0, r, e / 2 - 1, rc);
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** rounds to an integer value per rc */
function roundInt(v: Val, rc: RC): Val {
  if (v.kind !== 'fin' || v.e >= 0) return v;
  const r = round(v.sign, v.m, v.e, 1 << 30, 0, rc);
  return r.m === 0n ? { ...ZERO, sign: v.sign } : fin(v.sign, r.m, 0, 0);
}

function toBigInt(v: Val): bigint | undefined {
  if (v.kind === 'zero') return 0n;
  if (v.kind !== 'fin') return undefined;
  const mag = v.e >= 0 ? v.m << BigInt(v.e) : v.m >> BigInt(-v.e);
  return v.sign ? -mag : mag;
}

function fromBigInt(n: bigint): Val {
  if (n === 0n) return ZERO;
  return fin(n < 0n ? 1 : 0, n < 0n ? -n : n, 0, 0);
}

const CONSTANTS: Record<string, Val> = {
  fld1: fin(0, 1n, 0, 0),
  fldz: ZERO,
  // 64-bit significands of the hardware's constants (round to nearest)
  fldpi: { sign: 0, kind: 'fin', m: 0xc90fdaa22168c235n, e: -62 },
  fldl2e: { sign: 0, kind: 'fin', m: 0xb8aa3b295c17f0bcn, e: -63 },
  fldl2t: { sign: 0, kind: 'fin', m: 0xd49a784bcd1b8afen, e: -62 },
  fldlg2: { sign: 0, kind: 'fin', m: 0x9a209a84fbcff799n, e: -65 },
  fldln2: { sign: 0, kind: 'fin', m: 0xb17217f7d1cf79acn, e: -64 },
};

/** memory access the unit needs from the vkernel */
export interface X87Memory {
  view: DataView;
}

/**
 * The FPU state and its instructions. `exec` is called with the op index (X87_OPS), its
 * argument (register index or memory size, see x87-ops.ts) and a memory address.
 */
export class X87 {
  private regs: Val[] = Array.from({ length: 8 }, () => ZERO);
  private tags = 0xffff; // all empty
  private top = 0;
  cw = 0x037f;
  private sw = 0;

  private get rc(): RC {
    return ((this.cw >> 10) & 3) as RC;
  }
  private st(i: number): Val {
    return this.regs[(this.top + i) & 7];
  }
  private setSt(i: number, v: Val): void {
    const r = (this.top + i) & 7;
    this.regs[r] = v;
    this.tags &= ~(3 << (r * 2));
  }
  private push(v: Val): void {
    this.top = (this.top - 1) & 7;
    this.setSt(0, v);
  }
  private pop(): void {
    this.tags |= 3 << (this.top * 2);
    this.top = (this.top + 1) & 7;
  }
  private setCC(c0: number, c1: number, c2: number, c3: number): void {
    this.sw = (this.sw & ~0x4700) | (c0 << 8) | (c1 << 9) | (c2 << 10) | (c3 << 14);
  }
  statusWord(): number {
    return (this.sw & ~0x3800) | (this.top << 11);
  }

  private load(mem: X87Memory, addr: number, kind: 'f' | 'i', size: number): Val {
    const dv = mem.view;
    if (kind === 'i') {
      if (size === 2) return fromBigInt(BigInt(dv.getInt16(addr, true)));
      if (size === 4) return fromBigInt(BigInt(dv.getInt32(addr, true)));
      return fromBigInt(dv.getBigInt64(addr, true));
    }
    if (size === 4) return decodeIEEE(BigInt(dv.getUint32(addr, true)), 23, 8);
    if (size === 8) return decodeIEEE(dv.getBigUint64(addr, true), 52, 11);
    return decode80(dv.getBigUint64(addr, true), dv.getUint16(addr + 8, true));
  }

  private store(mem: X87Memory, addr: number, kind: 'f' | 'i' | 't', size: number, v: Val): void {
    const dv = mem.view;
    if (kind === 'i' || kind === 't') {
      const r = kind === 't' ? roundInt(v, 3) : roundInt(v, this.rc);
      const n = toBigInt(r);
      const bits = size * 8;
      const lim = 1n << BigInt(bits - 1);
      const out = n === undefined || n >= lim || n < -lim ? -lim : n;
      if (size === 2) dv.setInt16(addr, Number(out), true);
      else if (size === 4) dv.setInt32(addr, Number(out), true);
      else dv.setBigInt64(addr, out, true);
      return;
    }
    if (size === 4) dv.setUint32(addr, Number(encodeIEEE(v, 23, 8, this.rc)), true);
    else if (size === 8) dv.setBigUint64(addr, encodeIEEE(v, 52, 11, this.rc), true);
    else {
      const { lo, hi } = encode80(v);
      dv.setBigUint64(addr, lo, true);
      dv.setUint16(addr + 8, hi, true);
    }
  }

  private compare(a: Val, b: Val): void {
    const c = cmp(a, b);
    if (c === 'unordered') this.setCC(1, 0, 1, 1);
    else this.setCC(c < 0 ? 1 : 0, 0, 0, c === 0 ? 1 : 0);
  }

  /** EFLAGS bits (ZF PF CF) of fcomi/fucomi */
  private comi(a: Val, b: Val): number {
    const c = cmp(a, b);
    if (c === 'unordered') return 0x45;
    return c < 0 ? 0x01 : c === 0 ? 0x40 : 0;
  }

  /**
   * Runs one instruction. Returns a value for the few that produce one (fnstsw: the status
   * word; fcomi: EFLAGS bits; fnstcw is a store), else 0.
   */
  exec(mem: X87Memory, opIndex: number, arg: number, addr: number): number {
    const name: string = X87_OPS[opIndex];
    const rc = this.rc;
    const isMem = (arg & 0x1000) !== 0;
    const size = arg & 0xff;
    const i = arg & 7;
    const toSti = (arg & 0x100) !== 0;
    const arith = (op: string, a: Val, b: Val): Val => {
      switch (op) {
        case 'add': return add(a, b, rc);
        case 'sub': return add(a, neg(b), rc);
        case 'subr': return add(b, neg(a), rc);
        case 'mul': return mul(a, b, rc);
        case 'div': return div(a, b, rc);
        default: return div(b, a, rc); // divr
      }
    };
    const m = /^f(i?)(add|subr|sub|mul|divr|div)(p?)$/.exec(name);
    if (m) {
      const [, int, op, p] = m;
      if (isMem) this.setSt(0, arith(op, this.st(0), this.load(mem, addr, int ? 'i' : 'f', size)));
      else if (toSti || p) this.setSt(i, arith(op, this.st(i), this.st(0)));
      else this.setSt(0, arith(op, this.st(0), this.st(i)));
      if (p) this.pop();
      return 0;
    }
    switch (name) {
      case 'fld':
        this.push(isMem ? this.load(mem, addr, 'f', size) : this.st(i));
        return 0;
      case 'fild':
        this.push(this.load(mem, addr, 'i', size));
        return 0;
      case 'fst':
      case 'fstp':
        if (isMem) this.store(mem, addr, 'f', size, this.st(0));
        else this.setSt(i, this.st(0));
        if (name === 'fstp') this.pop();
        return 0;
      case 'fist':
      case 'fistp':
        this.store(mem, addr, 'i', size, this.st(0));
        if (name === 'fistp') this.pop();
        return 0;
      case 'fisttp':
        this.store(mem, addr, 't', size, this.st(0));
        this.pop();
        return 0;
      case 'fxch': {
        const t = this.st(0);
        this.setSt(0, this.st(i));
        this.setSt(i, t);
        return 0;
      }
      case 'fchs':
        this.setSt(0, neg(this.st(0)));
        return 0;
      case 'fabs':
        this.setSt(0, { ...this.st(0), sign: 0 });
        return 0;
      case 'fsqrt':
        this.setSt(0, sqrt(this.st(0), rc));
        return 0;
      case 'frndint':
        this.setSt(0, roundInt(this.st(0), rc));
        return 0;
      case 'fscale': {
        const n = toBigInt(roundInt(this.st(1), 3));
        const v = this.st(0);
        if (v.kind === 'fin' && n !== undefined) this.setSt(0, fin(v.sign, v.m, v.e + Number(n > 100000n ? 100000n : n < -100000n ? -100000n : n), rc));
        return 0;
      }
      case 'fxtract': {
        const v = this.st(0);
        if (v.kind !== 'fin') return 0;
        const top = v.e + bitLength(v.m) - 1;
        this.setSt(0, fromBigInt(BigInt(top)));
        this.push({ sign: v.sign, kind: 'fin', m: v.m, e: v.e - top });
        return 0;
      }
      case 'fprem':
      case 'fprem1': {
        const a = this.st(0);
        const b = this.st(1);
        if (a.kind !== 'fin' || b.kind !== 'fin') {
          if (a.kind === 'inf' || b.kind === 'zero' || a.kind === 'nan' || b.kind === 'nan') this.setSt(0, NAN);
          this.setCC(0, 0, 0, 0);
          return 0;
        }
        const [x, y, e] = align(a, b);
        let q = x / y;
        if (name === 'fprem1') {
          const r2 = (x - q * y) * 2n;
          if (r2 > y || (r2 === y && (q & 1n) === 1n)) q++;
        }
        const r = x - q * y;
        const rv = r === 0n ? { ...ZERO, sign: a.sign } : fin(r < 0n ? ((a.sign ^ 1) as 0 | 1) : a.sign, r < 0n ? -r : r, e, 0);
        this.setSt(0, rv);
        this.setCC(Number((q >> 2n) & 1n), Number(q & 1n), 0, Number((q >> 1n) & 1n));
        return 0;
      }
      case 'fld1': case 'fldz': case 'fldpi': case 'fldl2e': case 'fldl2t': case 'fldlg2': case 'fldln2':
        this.push(CONSTANTS[name]);
        return 0;
      case 'fcom': case 'fcomp': case 'fucom': case 'fucomp':
        this.compare(this.st(0), isMem ? this.load(mem, addr, 'f', size) : this.st(i || 1));
        if (name.endsWith('p')) this.pop();
        return 0;
      case 'ficom': case 'ficomp':
        this.compare(this.st(0), this.load(mem, addr, 'i', size));
        if (name === 'ficomp') this.pop();
        return 0;
      case 'fcompp': case 'fucompp':
        this.compare(this.st(0), this.st(1));
        this.pop();
        this.pop();
        return 0;
      case 'ftst':
        this.compare(this.st(0), ZERO);
        return 0;
      case 'fxam': {
        const r = (this.top) & 7;
        const v = this.st(0);
        const empty = ((this.tags >> (r * 2)) & 3) === 3;
        const c1 = v.sign;
        if (empty) this.setCC(1, c1, 0, 1);
        else if (v.kind === 'nan') this.setCC(1, c1, 0, 0);
        else if (v.kind === 'inf') this.setCC(1, c1, 1, 0);
        else if (v.kind === 'zero') this.setCC(0, c1, 0, 1);
        else if (v.e + bitLength(v.m) - 1 < -16382) this.setCC(0, c1, 1, 1);
        else this.setCC(0, c1, 1, 0);
        return 0;
      }
      case 'fcomi': case 'fcomip': case 'fucomi': case 'fucomip': {
        const f = this.comi(this.st(0), this.st(i));
        if (name.endsWith('p')) this.pop();
        return f;
      }
      case 'fnstsw':
        if (isMem) mem.view.setUint16(addr, this.statusWord(), true);
        return this.statusWord();
      case 'fnstcw':
        mem.view.setUint16(addr, this.cw, true);
        return 0;
      case 'fldcw':
        this.cw = mem.view.getUint16(addr, true);
        return 0;
      case 'fninit':
        this.regs.fill(ZERO);
        this.tags = 0xffff;
        this.top = 0;
        this.cw = 0x037f;
        this.sw = 0;
        return 0;
      case 'fnclex':
        this.sw &= 0x7f00;
        return 0;
      case 'fwait': case 'wait': case 'fnop':
        return 0;
      case 'ffree':
        this.tags |= 3 << (((this.top + i) & 7) * 2);
        return 0;
      case 'fincstp':
        this.top = (this.top + 1) & 7;
        return 0;
      case 'fdecstp':
        this.top = (this.top - 1) & 7;
        return 0;
      case 'fnstenv':
      case 'fstenv': {
        // the 28-byte protected-mode environment: control, status and tag words
        const dv = mem.view;
        for (let k = 0; k < 28; k += 4) dv.setUint32(addr + k, 0, true);
        dv.setUint16(addr, this.cw, true);
        dv.setUint16(addr + 4, this.statusWord(), true);
        dv.setUint16(addr + 8, this.tags, true);
        this.cw |= 0x3f; // fnstenv masks all exceptions
        return 0;
      }
      case 'fldenv': {
        const dv = mem.view;
        this.cw = dv.getUint16(addr, true);
        const sw = dv.getUint16(addr + 4, true);
        this.sw = sw & ~0x3800;
        this.top = (sw >> 11) & 7;
        this.tags = dv.getUint16(addr + 8, true);
        return 0;
      }
      case 'fsin': case 'fcos': case 'fptan': case 'fpatan': case 'f2xm1': case 'fyl2x': case 'fyl2xp1': case 'fsincos':
        return this.transcendental(name);
    }
    if (name.startsWith('fcmov')) {
      // arg bit 0x200: the condition held (the translator evaluated it from EFLAGS)
      if (arg & 0x200) this.setSt(0, this.st(i));
      return 0;
    }
    throw new Error(`x87: ${name} has no implementation`);
  }

  /** approximations through doubles: exact results are not promised for these */
  private transcendental(name: string): number {
    const x = toNumber(this.st(0));
    const y = toNumber(this.st(1));
    switch (name) {
      case 'fsin': this.setSt(0, fromNumber(Math.sin(x))); break;
      case 'fcos': this.setSt(0, fromNumber(Math.cos(x))); break;
      case 'fsincos': this.setSt(0, fromNumber(Math.sin(x))); this.push(fromNumber(Math.cos(x))); break;
      case 'fptan': this.setSt(0, fromNumber(Math.tan(x))); this.push(fin(0, 1n, 0, 0)); break;
      case 'fpatan': this.pop(); this.setSt(0, fromNumber(Math.atan2(y, x))); break;
      case 'f2xm1': this.setSt(0, fromNumber(Math.pow(2, x) - 1)); break;
      case 'fyl2x': this.pop(); this.setSt(0, fromNumber(y * Math.log2(x))); break;
      case 'fyl2xp1': this.pop(); this.setSt(0, fromNumber(y * Math.log2(1 + x))); break;
    }
    this.setCC(0, 0, 0, 0);
    return 0;
  }
}
