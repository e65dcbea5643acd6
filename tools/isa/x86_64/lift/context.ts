// The x86_64 lifting context: guest state slots, operand access and lazy flags for one
// block. Semantics (the files beside this one) are written against it.
//
// Integer values are i64 expressions holding the operand zero-extended from its size.
// Flags are lazy: an instruction that writes flags records, per flag, how to compute it
// from its own (immutable) temps; a reader in the same block gets that expression, and
// `cmp`+`jcc` becomes one comparison. Only flags live at the end of the block (a
// function-wide liveness pass decides) are folded into the `flags` slot, from which a
// later block reads them.
import { i32, i64, op, type Expr, type SlotDecl, type Ty } from '../../../ir/index.js';
import { FlagsBlock, type FlagFn } from '../../flags.js';
import type { MemOperand, Operand } from '../../types.js';
import { FLAG_CF, FLAG_OF, FLAG_PF, FLAG_SF, FLAG_ZF, FLAG_AF, FLAG_DF } from '../../types.js';

export const GPRS = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
export const XMMS = Array.from({ length: 16 }, (_, i) => `xmm${i}`);

/** Every slot of the x86_64 guest state; the vkernel reads and writes them by these names. */
export const X86_SLOTS: SlotDecl[] = [
  ...GPRS.map((name) => ({ name, ty: 'i64' as const })),
  ...XMMS.map((name) => ({ name, ty: 'v128' as const })),
  { name: 'fs', ty: 'i64' },
  /** materialised EFLAGS bits (CF PF AF ZF SF OF at their x86 positions); DF at bit 10 */
  { name: 'flags', ty: 'i64' },
];

/** where each flag sits in EFLAGS */
export const EFLAGS_BIT: Record<number, number> = { [FLAG_CF]: 0, [FLAG_PF]: 2, [FLAG_AF]: 4, [FLAG_ZF]: 6, [FLAG_SF]: 7, [FLAG_OF]: 11, [FLAG_DF]: 10 };
const FLAG_LIST = [FLAG_CF, FLAG_PF, FLAG_AF, FLAG_ZF, FLAG_SF, FLAG_OF, FLAG_DF];

export const MASK: Record<number, bigint> = { 1: 0xffn, 2: 0xffffn, 4: 0xffffffffn, 8: 0xffffffffffffffffn };

/** capstone register name → [64-bit slot, size, bit offset] */
const REGS = new Map<string, [string, number, number]>();
{
  const low = ['a', 'c', 'd', 'b'];
  for (const [i, l] of low.entries()) {
    const full = GPRS[i];
    REGS.set(full, [full, 8, 0]).set(`e${l}x`, [full, 4, 0]).set(`${l}x`, [full, 2, 0]).set(`${l}l`, [full, 1, 0]).set(`${l}h`, [full, 1, 8]);
  }
  for (const n of ['sp', 'bp', 'si', 'di']) {
    const full = `r${n}`;
    REGS.set(full, [full, 8, 0]).set(`e${n}`, [full, 4, 0]).set(n, [full, 2, 0]).set(`${n}l`, [full, 1, 0]);
  }
  for (let n = 8; n < 16; n++) {
    const full = `r${n}`;
    REGS.set(full, [full, 8, 0]).set(`r${n}d`, [full, 4, 0]).set(`r${n}w`, [full, 2, 0]).set(`r${n}b`, [full, 1, 0]);
  }
}

export function gprOf(name: string): [string, number, number] | undefined {
  return REGS.get(name);
}

/** Thrown by semantics for an instruction (or operand form) the translator does not handle yet. */
export class Unsupported extends Error {}

// i64 expression helpers
export const and = (a: Expr, b: Expr) => op('i64', 'i64.and', a, b);
export const or = (a: Expr, b: Expr) => op('i64', 'i64.or', a, b);
export const xor = (a: Expr, b: Expr) => op('i64', 'i64.xor', a, b);
export const add = (a: Expr, b: Expr) => op('i64', 'i64.add', a, b);
export const sub = (a: Expr, b: Expr) => op('i64', 'i64.sub', a, b);
export const shl = (a: Expr, b: Expr) => op('i64', 'i64.shl', a, b);
export const shrU = (a: Expr, b: Expr) => op('i64', 'i64.shr_u', a, b);
export const shrS = (a: Expr, b: Expr) => op('i64', 'i64.shr_s', a, b);
export const eq = (a: Expr, b: Expr) => op('i32', 'i64.eq', a, b);
export const ne = (a: Expr, b: Expr) => op('i32', 'i64.ne', a, b);
export const eqz = (a: Expr) => op('i32', 'i64.eqz', a);
export const ltU = (a: Expr, b: Expr) => op('i32', 'i64.lt_u', a, b);
export const ltS = (a: Expr, b: Expr) => op('i32', 'i64.lt_s', a, b);
export const not32 = (a: Expr) => op('i32', 'i32.eqz', a);
export const wrap = (a: Expr) => op('i32', 'i32.wrap', a);
export const zext32 = (a: Expr) => op('i64', 'i64.extend_u', a);

export function trunc(e: Expr, size: number): Expr {
  return size === 8 ? e : and(e, i64(MASK[size]));
}
/** sign-extends the low `size` bytes of `e` to 64 bits */
export function sext(e: Expr, size: number): Expr {
  if (size === 8) return e;
  return op('i64', size === 4 ? 'i64.extend32_s' : size === 2 ? 'i64.extend16_s' : 'i64.extend8_s', e);
}
/** the sign bit of a `size`-byte value, as i32 0/1 */
export function signBit(e: Expr, size: number): Expr {
  return wrap(shrU(e, i64(size * 8 - 1)));
}

export class X86Block extends FlagsBlock {
  constructor(
    temps: Ty[],
    start: number,
    /** flags a later block may read (FLAG_* bits) */
    liveOut: number,
  ) {
    // DF sits in the slot too, but is written there at once (see setDF)
    super(temps, start, liveOut, 'flags', Object.fromEntries(FLAG_LIST.filter((f) => f !== FLAG_DF).map((f) => [f, EFLAGS_BIT[f]])));
  }

  get next(): number {
    return this.insn.address + this.insn.length;
  }

  // ---- registers ----

  getReg(name: string): Expr {
    const r = REGS.get(name);
    if (!r) throw new Unsupported(`register ${name}`);
    const [slot, size, shift] = r;
    const v = this.b.slot(slot, 'i64');
    if (size === 8) return v;
    return this.b.tmp(trunc(shift ? shrU(v, i64(shift)) : v, size));
  }

  /** writes `v` (an i64 holding at least the low `size` bytes) with x86 merge rules */
  setReg(name: string, v: Expr): void {
    const r = REGS.get(name);
    if (!r) throw new Unsupported(`register ${name}`);
    const [slot, size, shift] = r;
    if (size === 8) return this.b.setSlot(slot, v);
    if (size === 4) return this.b.setSlot(slot, trunc(v, 4));
    const old = this.b.slot(slot, 'i64');
    const keep = and(old, i64(~(MASK[size] << BigInt(shift))));
    const val = shift ? shl(trunc(v, size), i64(shift)) : trunc(v, size);
    this.b.setSlot(slot, or(keep, val));
  }

  // ---- memory ----

  /** the 64-bit effective address of a memory operand */
  ea(m: MemOperand): Expr {
    const e = this.ea_(m);
    if (!m.index && !m.segment && (m.base === 'rip' || (m.base === 'rsp' && m.disp >= -4096n && m.disp < 65536n))) this.trusted.add(e);
    return e;
  }

  private ea_(m: MemOperand): Expr {
    let e: Expr | undefined;
    if (m.base === 'rip') e = i64(BigInt(this.next) + m.disp);
    else {
      if (m.base) e = this.addr64(m.base);
      if (m.index) {
        const x = this.addr64(m.index);
        const scaled = m.scale === 1 ? x : shl(x, i64(Math.log2(m.scale)));
        e = e ? add(e, scaled) : scaled;
      }
      if (m.disp) e = e ? add(e, i64(m.disp)) : i64(m.disp);
      e ??= i64(0);
    }
    if (m.segment === 'fs') e = add(e, this.b.slot('fs', 'i64'));
    else if (m.segment && m.segment !== 'ds' && m.segment !== 'ss' && m.segment !== 'es' && m.segment !== 'cs') throw new Unsupported(`segment ${m.segment}`);
    return e;
  }

  private addr64(name: string): Expr {
    const r = REGS.get(name);
    if (!r) throw new Unsupported(`address register ${name}`);
    return r[1] === 8 ? this.b.slot(r[0], 'i64') : this.getReg(name);
  }

  /** addresses that cannot be wild: rip-relative constants and the stack pointer plus a small offset */
  private trusted = new WeakSet<Expr>();

  /**
   * guest address (i64) → wasm address (i32): the identity mapping keeps guest memory
   * below 4 GiB. Anything but a trusted address is checked (`guest.addr`): outside the
   * guest's address space (the low guard or above its top) the guest gets SIGSEGV with
   * the address, instead of reaching an alias of it.
   */
  addr(e: Expr): Expr {
    return this.trusted.has(e) ? wrap(e) : op('i32', 'guest.addr', e);
  }

  loadInt(size: number, addr64: Expr, signed = false): Expr {
    return this.b.load('i64', size, this.addr(addr64), signed);
  }
  storeInt(size: number, addr64: Expr, v: Expr): void {
    this.b.store(size, this.addr(addr64), v);
  }

  // ---- operands ----

  /** reads an integer operand, zero-extended to i64 (immediates: truncated to `size`) */
  read(o: Operand, size = o.size): Expr {
    if (o.kind === 'imm') return i64(BigInt.asUintN(size * 8, o.value));
    if (o.kind === 'reg') return this.getReg(o.reg);
    return this.loadInt(o.size, this.ea(o));
  }
  /** reads a signed immediate or operand sign-extended to 64 bits */
  readS(o: Operand): Expr {
    if (o.kind === 'imm') return i64(o.value);
    return this.b.tmp(sext(this.read(o), o.size));
  }
  write(o: Operand, v: Expr): void {
    if (o.kind === 'reg') this.setReg(o.reg, v);
    else if (o.kind === 'mem') this.storeInt(o.size, this.ea(o), v);
    else throw new Unsupported('write to an immediate');
  }

  push(v: Expr): void {
    const sp = sub(this.b.slot('rsp', 'i64'), i64(8));
    const t = this.b.tmp(sp);
    this.trusted.add(t);
    this.storeInt(8, t, v);
    this.b.setSlot('rsp', t);
  }
  pop(): Expr {
    const sp = this.b.slot('rsp', 'i64');
    this.trusted.add(sp);
    const v = this.loadInt(8, sp);
    this.b.setSlot('rsp', add(sp, i64(8)));
    return v;
  }

  // ---- flags ----

  /** a helper wrote the `flags` slot: forget this block's own definitions */
  flagsFromSlot(): void {
    this.flagDefs.clear();
    this.arith = undefined;
  }

  /** flags of `r = a OP b` at `size` (a, b, r zero-extended i64 temps) */
  arithFlags(kind: 'add' | 'sub' | 'logic', size: number, a: Expr, b: Expr, r: Expr, keepCF = false): void {
    const bits = size * 8;
    const defs = new Map<number, FlagFn>();
    const sign = (e: Expr) => wrap(and(shrU(e, i64(bits - 1)), i64(1))); // a^b etc. may have high bits
    defs.set(FLAG_ZF, () => eqz(r));
    defs.set(FLAG_SF, () => sign(r));
    defs.set(FLAG_PF, () => parity(r));
    if (kind === 'logic') {
      defs.set(FLAG_CF, () => i32(0));
      defs.set(FLAG_OF, () => i32(0));
      defs.set(FLAG_AF, () => i32(0));
    } else {
      if (!keepCF) defs.set(FLAG_CF, () => (kind === 'add' ? ltU(r, a) : ltU(a, b)));
      defs.set(FLAG_AF, () => wrap(and(shrU(xor(xor(a, b), r), i64(4)), i64(1))));
      defs.set(FLAG_OF, () =>
        kind === 'add' ? sign(and(xor(a, r), xor(b, r))) : sign(and(xor(a, b), xor(a, r))),
      );
    }
    let written = FLAG_ZF | FLAG_SF | FLAG_PF | FLAG_OF | FLAG_AF;
    if (!keepCF) written |= FLAG_CF;
    const fuse = keepCF ? undefined : { kind, size, a, b, r, written };
    this.setFlags(defs, fuse);
  }

  /**
   * Flags of ucomisd/comisd/ucomiss/comiss of `a` with `b` (float temps): ZF PF CF from an
   * unordered compare, OF SF AF cleared. Fusible: a jae after it is one `ge` (false when
   * unordered) rather than two compares and a NaN test.
   */
  floatCompareFlags(size: 4 | 8, a: Expr, b: Expr): void {
    const ft = size === 8 ? 'f64' : 'f32';
    const orr = (p: Expr, q: Expr) => op('i32', 'i32.or', p, q);
    const unordered = this.b.tmp(orr(op('i32', `${ft}.ne`, a, a), op('i32', `${ft}.ne`, b, b)));
    const values: [number, Expr][] = [
      [FLAG_ZF, orr(unordered, op('i32', `${ft}.eq`, a, b))],
      [FLAG_PF, unordered],
      [FLAG_CF, orr(unordered, op('i32', `${ft}.lt`, a, b))],
      [FLAG_OF, i32(0)],
      [FLAG_SF, i32(0)],
      [FLAG_AF, i32(0)],
    ];
    this.setFlagValues(values, { kind: 'fcmp', size, a, b, r: a, written: FLAG_ZF | FLAG_PF | FLAG_CF | FLAG_OF | FLAG_SF | FLAG_AF });
  }

  /** condition code (jcc/setcc/cmovcc suffix: e, ne, l, ...) as i32 0/1 */
  cond(cc: string): Expr {
    const fused = this.fusedCond(cc);
    if (fused) return fused;
    const F = (f: number) => this.flag(f);
    const orr = (a: Expr, b: Expr) => op('i32', 'i32.or', a, b);
    const xr = (a: Expr, b: Expr) => op('i32', 'i32.xor', a, b);
    switch (cc) {
      case 'o': return F(FLAG_OF);
      case 'no': return not32(F(FLAG_OF));
      case 'b': case 'c': case 'nae': return F(FLAG_CF);
      case 'ae': case 'nb': case 'nc': return not32(F(FLAG_CF));
      case 'e': case 'z': return F(FLAG_ZF);
      case 'ne': case 'nz': return not32(F(FLAG_ZF));
      case 'be': case 'na': return orr(F(FLAG_CF), F(FLAG_ZF));
      case 'a': case 'nbe': return not32(orr(F(FLAG_CF), F(FLAG_ZF)));
      case 's': return F(FLAG_SF);
      case 'ns': return not32(F(FLAG_SF));
      case 'p': case 'pe': return F(FLAG_PF);
      case 'np': case 'po': return not32(F(FLAG_PF));
      case 'l': case 'nge': return xr(F(FLAG_SF), F(FLAG_OF));
      case 'ge': case 'nl': return not32(xr(F(FLAG_SF), F(FLAG_OF)));
      case 'le': case 'ng': return orr(F(FLAG_ZF), xr(F(FLAG_SF), F(FLAG_OF)));
      case 'g': case 'nle': return not32(orr(F(FLAG_ZF), xr(F(FLAG_SF), F(FLAG_OF))));
    }
    throw new Unsupported(`condition ${cc}`);
  }

  /** cmp/sub/test/and + jcc in one comparison, when the arithmetic's flags are still current */
  private fusedCond(cc: string): Expr | undefined {
    const a = this.arith;
    if (!a) return undefined;
    const S = (e: Expr) => sext(e, a.size);
    if (a.kind === 'sub') {
      switch (cc) {
        case 'e': case 'z': return eq(a.a, a.b);
        case 'ne': case 'nz': return ne(a.a, a.b);
        case 'b': case 'c': case 'nae': return ltU(a.a, a.b);
        case 'ae': case 'nb': case 'nc': return op('i32', 'i64.ge_u', a.a, a.b);
        case 'be': case 'na': return op('i32', 'i64.le_u', a.a, a.b);
        case 'a': case 'nbe': return op('i32', 'i64.gt_u', a.a, a.b);
        case 'l': case 'nge': return ltS(S(a.a), S(a.b));
        case 'ge': case 'nl': return op('i32', 'i64.ge_s', S(a.a), S(a.b));
        case 'le': case 'ng': return op('i32', 'i64.le_s', S(a.a), S(a.b));
        case 'g': case 'nle': return op('i32', 'i64.gt_s', S(a.a), S(a.b));
      }
    } else if (a.kind === 'logic') {
      switch (cc) {
        case 'e': case 'z': case 'le': case 'ng': 
          if (cc === 'e' || cc === 'z') return eqz(a.r);
          return op('i32', 'i64.le_s', S(a.r), i64(0));
        case 'ne': case 'nz': return ne(a.r, i64(0));
        case 's': case 'l': case 'nge': return ltS(S(a.r), i64(0));
        case 'ns': case 'ge': case 'nl': return op('i32', 'i64.ge_s', S(a.r), i64(0));
        case 'g': case 'nle': return op('i32', 'i64.gt_s', S(a.r), i64(0));
        case 'b': case 'c': case 'o': return i32(0);
        case 'ae': case 'nc': case 'no': return i32(1);
        case 'be': return eqz(a.r);
        case 'a': return ne(a.r, i64(0));
      }
    } else if (a.kind === 'fcmp') {
      // unordered sets CF and ZF: above (CF=0, ZF=0) is an ordered >, above or equal an ordered >=
      const ft = a.size === 8 ? 'f64' : 'f32';
      switch (cc) {
        case 'ae': case 'nb': case 'nc': return op('i32', `${ft}.ge`, a.a, a.b);
        case 'b': case 'c': case 'nae': return not32(op('i32', `${ft}.ge`, a.a, a.b));
        case 'a': case 'nbe': return op('i32', `${ft}.gt`, a.a, a.b);
        case 'be': case 'na': return not32(op('i32', `${ft}.gt`, a.a, a.b));
      }
    } else if (a.kind === 'add') {
      switch (cc) {
        case 'e': case 'z': return eqz(a.r);
        case 'ne': case 'nz': return ne(a.r, i64(0));
        case 'b': case 'c': return ltU(a.r, a.a);
        case 'ae': case 'nc': return op('i32', 'i64.ge_u', a.r, a.a);
      }
    }
    return undefined;
  }

  /** all flags as an EFLAGS word (pushf, lahf); bit 1 is always set */
  eflags(): Expr {
    let v: Expr = or(and(this.b.slot('flags', 'i64'), i64(1n << 10n)), i64(2));
    for (const f of [FLAG_CF, FLAG_PF, FLAG_AF, FLAG_ZF, FLAG_SF, FLAG_OF]) v = or(v, shl(zext32(this.flag(f)), i64(EFLAGS_BIT[f])));
    return this.b.tmp(v);
  }

  /** loads all flags from an EFLAGS word (popf, sahf with a mask) */
  setEflags(word: Expr, mask = 0xcd5n | 0x400n): void {
    const w = this.b.tmp(word);
    const defs = new Map<number, FlagFn>();
    for (const f of [FLAG_CF, FLAG_PF, FLAG_AF, FLAG_ZF, FLAG_SF, FLAG_OF]) {
      if (!(mask & (1n << BigInt(EFLAGS_BIT[f])))) continue;
      defs.set(f, () => wrap(and(shrU(w, i64(EFLAGS_BIT[f])), i64(1))));
    }
    this.setFlags(defs);
    if (mask & 0x400n) this.setDF(wrap(and(shrU(w, i64(10)), i64(1))));
  }

  /** the direction flag lives in the `flags` slot at once (string instructions read it often, set rarely) */
  setDF(v: Expr): void {
    const f = this.b.slot('flags', 'i64');
    this.b.setSlot('flags', or(and(f, i64(~(1n << 10n) & MASK[8])), shl(zext32(v), i64(10))));
  }
  df(): Expr {
    return wrap(and(shrU(this.b.slot('flags', 'i64'), i64(10)), i64(1)));
  }

}

/** x86 PF: 1 when the low byte of `r` has an even number of set bits */
export function parity(r: Expr): Expr {
  return op('i32', 'i32.eqz', op('i32', 'i32.and', op('i32', 'i32.popcnt', op('i32', 'i32.and', wrap(r), i32(0xff))), i32(1)));
}
