// The aarch64 lifting context: guest state slots, register and memory access and lazy
// NZCV flags for one block; the semantics files beside this one are written against it.
//
// Integer values are i64 expressions; a 32-bit (w) value is held zero-extended, as a write
// to a w register leaves the upper half zero. Flags work as in the x86_64 front end: an
// instruction that sets them records how to compute each, a `cmp` + `b.cond` becomes one
// comparison, and only the flags a later block may read are folded into the `nzcv` slot
// (N Z C V at bits 31..28, as `mrs nzcv` reads them).
//
// Some fields the decoder's operands leave out (the shift type of a shifted register, the
// arrangement of a vector operand, movk's halfword) are read from the instruction word.
import { i32, i64, op, type Expr, type SlotDecl, type Ty } from '../../../ir/index.js';
import { FlagsBlock, type FlagFn } from '../../flags.js';
import type { MemOperand, Operand } from '../../types.js';
import { FLAG_CF, FLAG_OF, FLAG_SF, FLAG_ZF } from '../../types.js';
import { Unsupported, trunc, add, and, eq, eqz, ltU, ne, not32, or, shl, shrU, sext, wrap, xor, zext32 } from '../../x86_64/lift/context.js';

export { Unsupported, trunc };

export const XREGS = Array.from({ length: 31 }, (_, i) => `x${i}`);
export const VREGS = Array.from({ length: 32 }, (_, i) => `v${i}`);

/** Every slot of the aarch64 guest state; the vkernel reads and writes them by these names. */
export const A64_SLOTS: SlotDecl[] = [
  ...XREGS.map((name) => ({ name, ty: 'i64' as const })),
  { name: 'sp', ty: 'i64' },
  ...VREGS.map((name) => ({ name, ty: 'v128' as const })),
  /** N Z C V at bits 31..28 */
  { name: 'nzcv', ty: 'i64' },
  { name: 'tpidr', ty: 'i64' },
  { name: 'fpcr', ty: 'i64' },
  { name: 'fpsr', ty: 'i64' },
];

const NZCV_BIT: Record<number, number> = { [FLAG_SF]: 31, [FLAG_ZF]: 30, [FLAG_CF]: 29, [FLAG_OF]: 28 };
const FLAGS = [FLAG_SF, FLAG_ZF, FLAG_CF, FLAG_OF];
export const M32 = 0xffffffffn;
export const M64 = 0xffffffffffffffffn;


export class A64Block extends FlagsBlock {
  constructor(temps: Ty[], start: number, liveOut: number) {
    super(temps, start, liveOut, 'nzcv', NZCV_BIT);
  }

  get next(): number {
    return this.insn.address + 4;
  }
  /** bits hi..lo of the instruction word */
  field(hi: number, lo: number): number {
    const w = this.insn.word;
    if (w === undefined) throw new Unsupported('an instruction without its encoding');
    return (w >>> lo) & ((1 << (hi - lo + 1)) - 1);
  }

  // ---- general registers ----

  /** reads x/w registers (zero-extended), sp/wsp; xzr/wzr read 0 */
  getReg(name: string): Expr {
    if (name === 'xzr' || name === 'wzr') return i64(0);
    if (name === 'sp') return this.b.slot('sp', 'i64');
    if (name === 'wsp') return this.b.tmp(and(this.b.slot('sp', 'i64'), i64(M32)));
    const n = name.slice(1);
    if (name[0] === 'x') return this.b.slot(`x${n}`, 'i64');
    if (name[0] === 'w') return this.b.tmp(and(this.b.slot(`x${n}`, 'i64'), i64(M32)));
    throw new Unsupported(`register ${name}`);
  }
  /** writes a general register: a w write zero-extends; writes to the zero register vanish */
  setReg(name: string, v: Expr): void {
    if (name === 'xzr' || name === 'wzr') return;
    if (name === 'sp') return this.b.setSlot('sp', v);
    if (name === 'wsp') return this.b.setSlot('sp', and(v, i64(M32)));
    const n = name.slice(1);
    if (name[0] === 'x') return this.b.setSlot(`x${n}`, v);
    if (name[0] === 'w') return this.b.setSlot(`x${n}`, and(v, i64(M32)));
    throw new Unsupported(`register ${name}`);
  }
  read(o: Operand): Expr {
    if (o.kind === 'imm') return i64(BigInt.asUintN(64, o.value));
    if (o.kind === 'reg') return this.getReg(o.reg);
    throw new Unsupported('a memory operand here');
  }
  write(o: Operand, v: Expr): void {
    if (o.kind !== 'reg') throw new Unsupported('a non-register destination');
    this.setReg(o.reg, v);
  }

  // ---- memory ----

  /**
   * The address of a memory operand and, for pre/post-indexed forms, the base update:
   * `access(addr)` runs the load or store, then the base is written back.
   */
  memAccess<T>(m: MemOperand, access: (addr: Expr) => T): T {
    if (!m.base) return access(i64(m.disp)); // literal: an absolute address
    const base = this.getReg(m.base);
    let addr: Expr;
    if (m.index) {
      let x = this.getReg(m.index);
      if (m.extend === 'sxtw') x = sext(x, 4);
      else if (m.extend === 'sxtx' || m.extend === 'uxtx' || m.extend === 'lsl' || !m.extend) x = x;
      else if (m.extend !== 'uxtw') throw new Unsupported(`index extend ${m.extend}`);
      addr = add(base, m.scale > 1 ? shl(x, i64(Math.log2(m.scale))) : x);
    } else addr = m.writeback === 'post' ? base : m.disp ? add(base, i64(m.disp)) : base;
    const a = this.b.tmp(addr);
    const r = access(a);
    if (m.writeback === 'pre') this.setReg(m.base, a);
    else if (m.writeback === 'post') this.setReg(m.base, this.b.tmp(add(base, i64(m.disp))));
    return r;
  }
  /** guest address (i64) → checked wasm address (i32); sp-relative ones are trusted like x86's rsp */
  addr(e: Expr): Expr {
    return op('i32', 'guest.addr', e);
  }
  loadInt(size: number, a: Expr, signed = false): Expr {
    return this.b.load('i64', size, this.addr(a), signed);
  }
  storeInt(size: number, a: Expr, v: Expr): void {
    this.b.store(size, this.addr(a), v);
  }

  // ---- flags ----

  /** flags of `r = a OP b` at `size` (a, b, r zero-extended, r truncated) */
  arithFlags(kind: 'add' | 'sub' | 'logic', size: number, a: Expr, b: Expr, r: Expr): void {
    const bits = size * 8;
    const sign = (e: Expr) => wrap(and(shrU(e, i64(bits - 1)), i64(1)));
    const defs = new Map<number, FlagFn>();
    defs.set(FLAG_ZF, () => eqz(r));
    defs.set(FLAG_SF, () => sign(r));
    if (kind === 'logic') {
      defs.set(FLAG_CF, () => i32(0));
      defs.set(FLAG_OF, () => i32(0));
    } else if (kind === 'add') {
      defs.set(FLAG_CF, () => ltU(r, a));
      defs.set(FLAG_OF, () => sign(and(xor(a, r), xor(b, r))));
    } else {
      // C is "no borrow"
      defs.set(FLAG_CF, () => op('i32', 'i64.ge_u', a, b));
      defs.set(FLAG_OF, () => sign(and(xor(a, b), xor(a, r))));
    }
    this.setFlags(defs, { kind, size, a, b, r, written: FLAG_SF | FLAG_ZF | FLAG_CF | FLAG_OF });
  }
  /**
   * Flags of fcmp of `a` with `b` (float temps; f32 for size 4, f64 for 8): N Z C V = less
   * 1000, equal 0110, greater 0010, unordered 0011. Fusible: a b.ge after it is one `ge`.
   */
  floatCompareFlags(size: 4 | 8, a: Expr, b: Expr): void {
    const t = size === 8 ? 'f64' : 'f32';
    const lt = op('i32', `${t}.lt`, a, b);
    const ordered = op('i32', 'i32.and', op('i32', `${t}.eq`, a, a), op('i32', `${t}.eq`, b, b));
    const values: [number, Expr][] = [
      [FLAG_SF, lt],
      [FLAG_ZF, op('i32', `${t}.eq`, a, b)],
      [FLAG_CF, not32(lt)],
      [FLAG_OF, not32(ordered)],
    ];
    this.setFlagValues(values, { kind: 'fcmp', size, a, b, r: a, written: FLAG_SF | FLAG_ZF | FLAG_CF | FLAG_OF });
  }
  /** the NZCV word (mrs nzcv) */
  nzcv(): Expr {
    let v: Expr = i64(0);
    for (const f of FLAGS) v = or(v, shl(zext32(this.flag(f)), i64(NZCV_BIT[f])));
    return this.b.tmp(v);
  }
  /** msr nzcv */
  setNzcv(word: Expr): void {
    const w = this.b.tmp(word);
    this.setFlagValues(FLAGS.map((f) => [f, wrap(and(shrU(w, i64(NZCV_BIT[f])), i64(1)))]));
  }

  /** condition 0..15 (eq ne hs lo mi pl vs vc hi ls ge lt gt le al nv) as i32 0/1 */
  cond(c: number): Expr {
    const fused = this.fused(c);
    if (fused) return fused;
    const F = (f: number) => this.flag(f);
    const andd = (a: Expr, b: Expr) => op('i32', 'i32.and', a, b);
    const xr = (a: Expr, b: Expr) => op('i32', 'i32.xor', a, b);
    let e: Expr;
    switch (c >> 1) {
      case 0: e = F(FLAG_ZF); break;
      case 1: e = F(FLAG_CF); break;
      case 2: e = F(FLAG_SF); break;
      case 3: e = F(FLAG_OF); break;
      case 4: e = andd(F(FLAG_CF), not32(F(FLAG_ZF))); break;
      case 5: e = not32(xr(F(FLAG_SF), F(FLAG_OF))); break;
      case 6: e = andd(not32(F(FLAG_ZF)), not32(xr(F(FLAG_SF), F(FLAG_OF)))); break;
      default: return i32(1); // al, nv
    }
    return c & 1 ? not32(e) : e;
  }

  private fused(c: number): Expr | undefined {
    const a = this.arith;
    if (!a || c >= 14) return undefined;
    const S = (e: Expr) => sext(e, a.size);
    const neg = (e: Expr) => (c & 1 ? not32(e) : e);
    const sign = () => op('i32', 'i64.lt_s', S(a.r), i64(0));
    if (a.kind === 'sub') {
      switch (c >> 1) {
        case 0: return c & 1 ? ne(a.a, a.b) : eq(a.a, a.b);
        case 1: return neg(op('i32', 'i64.ge_u', a.a, a.b));
        case 2: return neg(sign());
        case 4: return neg(op('i32', 'i64.gt_u', a.a, a.b));
        case 5: return neg(op('i32', 'i64.ge_s', S(a.a), S(a.b)));
        case 6: return neg(op('i32', 'i64.gt_s', S(a.a), S(a.b)));
      }
      return undefined;
    }
    if (a.kind === 'fcmp') {
      // unordered is C and V: hs/hi include it, ge/gt (N == V) do not
      const f = (cmp: string) => op('i32', `${a.size === 8 ? 'f64' : 'f32'}.${cmp}`, a.a, a.b);
      switch (c >> 1) {
        case 0: return neg(f('eq'));
        case 1: return neg(not32(f('lt')));
        case 2: return neg(f('lt'));
        case 4: return neg(not32(f('le')));
        case 5: return neg(f('ge'));
        case 6: return neg(f('gt'));
      }
      return undefined;
    }
    if (a.kind === 'logic') {
      switch (c >> 1) {
        case 0: return c & 1 ? ne(a.r, i64(0)) : eqz(a.r);
        case 1: return i32(c & 1); // C = 0
        case 2: case 5: return c >> 1 === 2 ? neg(sign()) : neg(op('i32', 'i64.ge_s', S(a.r), i64(0))); // ge: N == V == 0
        case 3: return i32(c & 1); // V = 0
        case 4: return i32(c & 1); // hi needs C
        case 6: return neg(op('i32', 'i64.gt_s', S(a.r), i64(0)));
      }
      return undefined;
    }
    switch (c >> 1) {
      case 0: return c & 1 ? ne(a.r, i64(0)) : eqz(a.r);
      case 1: return neg(ltU(a.r, a.a));
      case 2: return neg(sign());
    }
    return undefined;
  }

}
