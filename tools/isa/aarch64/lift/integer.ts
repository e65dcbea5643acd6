// aarch64 integer data processing: add/sub (immediate, shifted and extended register, with
// carry), logical, moves, shifts, bitfield moves, conditional select and compare,
// multiply and divide, bit and byte reversal.
import { i32, i64, op, type Expr } from '../../../ir/index.js';
import type { Operand, RegOperand } from '../../types.js';
import { FLAG_CF, FLAG_OF, FLAG_SF, FLAG_ZF } from '../../types.js';
import { add, and, eqz, or, shl, shrS, shrU, sext, sub, wrap, xor, zext32 } from '../../x86_64/lift/context.js';
import { A64Block, M32, M64, trunc, Unsupported } from './context.js';
import type { Semantics } from './table.js';

const sizeOf = (o: Operand) => (o.kind === 'reg' && (o.reg[0] === 'w' || o.reg === 'wsp') ? 4 : 8);
const mask = (size: number) => (size === 8 ? M64 : M32);
const notE = (e: Expr, size: number) => xor(e, i64(mask(size)));

/** rotate right of a `size`-byte value */
function ror(e: Expr, n: Expr, size: number): Expr {
  if (size === 8) return op('i64', 'i64.rotr', e, n);
  return zext32(op('i32', 'i32.rotr', wrap(e), wrap(n)));
}

/**
 * The second operand of a data-processing instruction: an immediate, a register shifted by
 * the type in bits 23:22 (lsl lsr asr ror), or a register extended (uxtb..sxtx) and shifted.
 */
function operand2(x: A64Block, ops: Operand[], k: number, size: number): Expr {
  const o = ops[k];
  if (o.kind === 'imm') return i64(BigInt.asUintN(size * 8, o.value));
  if (o.kind !== 'reg') throw new Unsupported('a memory operand');
  const amount = ops[k + 1]?.kind === 'imm' ? Number((ops[k + 1] as { value: bigint }).value) : 0;
  let v = x.getReg(o.reg);
  const ext = (o as RegOperand).extend;
  if (ext) {
    const w = { b: 1, h: 2, w: 4, x: 8 }[ext[3] as 'b' | 'h' | 'w' | 'x'];
    v = ext[0] === 's' ? sext(trunc(v, w), w) : trunc(v, w);
    return x.b.tmp(trunc(amount ? shl(v, i64(amount)) : v, size));
  }
  if (!amount) return v;
  const n = i64(amount);
  switch (x.field(23, 22)) {
    case 0: return x.b.tmp(trunc(shl(v, n), size));
    case 1: return x.b.tmp(shrU(v, n));
    case 2: return x.b.tmp(trunc(shrS(sext(v, size), n), size));
    default: return x.b.tmp(ror(v, n, size));
  }
}

/** add/sub and their flag-setting forms; cmp/cmn/neg/negs are aliases with a zero register */
function addSub(kind: 'add' | 'sub', setFlags: boolean, form: 'full' | 'cmp' | 'neg'): Semantics {
  return (x, i) => {
    const ops = i.operands;
    const size = sizeOf(ops[0]);
    let a: Expr;
    let b: Expr;
    if (form === 'full') {
      a = x.b.tmp(trunc(x.read(ops[1]), size));
      b = operand2(x, ops, 2, size);
    } else if (form === 'cmp') {
      a = x.b.tmp(trunc(x.read(ops[0]), size));
      b = operand2(x, ops, 1, size);
    } else {
      a = i64(0);
      b = operand2(x, ops, 1, size);
    }
    const r = x.b.tmp(trunc(kind === 'add' ? add(a, b) : sub(a, b), size));
    if (setFlags) x.arithFlags(kind, size, a, b, r);
    if (form !== 'cmp') x.write(ops[0], r);
  };
}

function adcSbc(kind: 'add' | 'sub', setFlags: boolean, neg = false): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    const size = sizeOf(d);
    const a = neg ? i64(0) : x.b.tmp(x.read(n));
    let b = x.b.tmp(x.read(neg ? n : m));
    if (kind === 'sub') b = x.b.tmp(trunc(notE(b, size), size)); // a - b - !C = a + ~b + C
    const c = x.b.tmp(zext32(x.flag(FLAG_CF)));
    const full = x.b.tmp(add(add(a, b), c));
    const r = x.b.tmp(trunc(full, size));
    if (setFlags) {
      const bits = size * 8;
      const sign = (e: Expr) => wrap(and(shrU(e, i64(bits - 1)), i64(1)));
      // carry out: for 32-bit from bit 32 of the sum; for 64-bit, r < a or (r == a and C)
      const carry = size === 4 ? wrap(shrU(full, i64(32))) : op('i32', 'i32.or', op('i32', 'i64.lt_u', r, a), op('i32', 'i32.and', op('i32', 'i64.eq', r, a), wrap(c)));
      x.setFlagValues([[FLAG_ZF, eqz(r)], [FLAG_SF, sign(r)], [FLAG_CF, carry], [FLAG_OF, sign(and(xor(a, r), xor(b, r)))]]);
    }
    x.write(d, r);
  };
}

function logic(fn: (a: Expr, b: Expr, size: number) => Expr, setFlags: boolean, test = false): Semantics {
  return (x, i) => {
    const ops = i.operands;
    const first = test ? 0 : 1;
    const size = sizeOf(ops[0]);
    const a = x.b.tmp(trunc(x.read(ops[first]), size));
    const b = operand2(x, ops, first + 1, size);
    const r = x.b.tmp(trunc(fn(a, b, size), size));
    if (setFlags) x.arithFlags('logic', size, a, b, r);
    if (!test) x.write(ops[0], r);
  };
}

/** shifts by an immediate or a register (the amount is taken modulo the width) */
function shift(kind: 'lsl' | 'lsr' | 'asr' | 'ror'): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    const size = sizeOf(d);
    const v = x.read(n);
    const amt = m.kind === 'imm' ? i64(m.value) : and(x.read(m), i64(size * 8 - 1));
    let r: Expr;
    if (kind === 'lsl') r = trunc(shl(v, amt), size);
    else if (kind === 'lsr') r = shrU(v, amt);
    else if (kind === 'asr') r = trunc(shrS(sext(v, size), amt), size);
    else r = ror(v, amt, size);
    x.write(d, x.b.tmp(r));
  };
}

/**
 * The bitfield moves (sbfm, ubfm, bfm and every alias: asr/lsl/lsr by an immediate, sbfx,
 * ubfx, sbfiz, ubfiz, sxtb.., uxtb.., bfi, bfxil, bfc), from immr and imms in the word.
 */
const bitfield: Semantics = (x, i) => {
  const opc = x.field(30, 29);
  const size = x.field(31, 31) ? 8 : 4;
  const width = size * 8;
  const immr = x.field(21, 16);
  const imms = x.field(15, 10);
  const d = i.operands[0];
  const src = i.mnemonic === 'bfc' ? i64(0) : x.getReg(i.operands[1].kind === 'reg' ? (size === 8 ? `x${regNum(i.operands[1])}` : `w${regNum(i.operands[1])}`) : 'xzr');
  let r: Expr;
  if (imms >= immr) {
    // extract bits imms..immr to the bottom
    const len = imms - immr + 1;
    const field = shrU(src, i64(immr));
    const low = len === 64 ? field : and(field, i64((1n << BigInt(len)) - 1n));
    if (opc === 0) r = trunc(shrS(shl(field, i64(64 - len)), i64(64 - len)), size);
    else if (opc === 2) r = low;
    else {
      const keep = ~((1n << BigInt(len)) - 1n) & mask(size);
      r = or(and(x.getReg(d.kind === 'reg' ? d.reg : 'xzr'), i64(keep)), low);
    }
  } else {
    // insert bits imms..0 at width - immr
    const len = imms + 1;
    const pos = width - immr;
    const low = and(src, i64((1n << BigInt(len)) - 1n));
    if (opc === 0) r = trunc(shl(shrS(shl(low, i64(64 - len)), i64(64 - len)), i64(pos)), size);
    else if (opc === 2) r = trunc(shl(low, i64(pos)), size);
    else {
      const keep = ~(((1n << BigInt(len)) - 1n) << BigInt(pos)) & mask(size);
      r = or(and(x.getReg(d.kind === 'reg' ? d.reg : 'xzr'), i64(keep)), shl(low, i64(pos)));
    }
  }
  x.write(d, x.b.tmp(r));
};
const regNum = (o: Operand): string => {
  if (o.kind !== 'reg') throw new Unsupported('operand');
  if (o.reg === 'xzr' || o.reg === 'wzr') return 'zr';
  return o.reg.slice(1);
};

const movWide: Semantics = (x, i) => {
  const [d, v] = i.operands;
  if (v.kind !== 'imm') throw new Unsupported('mov form');
  x.write(d, i64(BigInt.asUintN(sizeOf(d) * 8, v.value)));
};
const movk: Semantics = (x, i) => {
  const d = i.operands[0];
  const hw = x.field(22, 21);
  const imm16 = BigInt(x.field(20, 5));
  const keep = ~(0xffffn << BigInt(hw * 16)) & mask(sizeOf(d));
  x.write(d, x.b.tmp(or(and(x.read(d), i64(keep)), i64(imm16 << BigInt(hw * 16)))));
};
const mov: Semantics = (x, i) => {
  const [d, s] = i.operands;
  if (s.kind === 'imm') return movWide(x, i);
  x.write(d, x.read(s));
};

function csel(kind: 'sel' | 'inc' | 'inv' | 'neg'): Semantics {
  return (x, i) => {
    const [d, n, m, c] = i.operands;
    const size = sizeOf(d);
    const cond = x.b.tmp(x.cond(Number((c as { value: bigint }).value)));
    const a = x.read(n);
    let b = x.read(m);
    if (kind === 'inc') b = add(b, i64(1));
    else if (kind === 'inv') b = notE(b, size);
    else if (kind === 'neg') b = sub(i64(0), b);
    x.write(d, x.b.tmp(trunc(x.select(cond, a, b), size)));
  };
}
/** cset/csetm/cinc/cinv/cneg: the printed condition is already inverted (the alias's own) */
function cAlias(kind: 'set' | 'setm' | 'inc' | 'inv' | 'neg'): Semantics {
  return (x, i) => {
    const ops = i.operands;
    const d = ops[0];
    const size = sizeOf(d);
    const c = Number((ops[ops.length - 1] as { value: bigint }).value);
    const cond = x.b.tmp(x.cond(c));
    let r: Expr;
    if (kind === 'set') r = zext32(cond);
    else if (kind === 'setm') r = trunc(sub(i64(0), zext32(cond)), size);
    else {
      const v = x.read(ops[1]);
      const t = kind === 'inc' ? add(v, i64(1)) : kind === 'inv' ? notE(v, size) : sub(i64(0), v);
      r = trunc(x.select(cond, t, v), size);
    }
    x.write(d, x.b.tmp(r));
  };
}

/** ccmp/ccmn: flags of the comparison when the condition holds, else the immediate nzcv */
function ccmp(kind: 'sub' | 'add'): Semantics {
  return (x, i) => {
    const [n, m, nzcv, c] = i.operands;
    const size = sizeOf(n);
    const cond = x.b.tmp(x.cond(Number((c as { value: bigint }).value)));
    const a = x.b.tmp(trunc(x.read(n), size));
    const b = x.b.tmp(trunc(x.read(m), size));
    const r = x.b.tmp(trunc(kind === 'add' ? add(a, b) : sub(a, b), size));
    const bits = size * 8;
    const sign = (e: Expr) => wrap(and(shrU(e, i64(bits - 1)), i64(1)));
    const flags: [number, Expr][] = [
      [FLAG_SF, sign(r)],
      [FLAG_ZF, eqz(r)],
      [FLAG_CF, kind === 'add' ? op('i32', 'i64.lt_u', r, a) : op('i32', 'i64.ge_u', a, b)],
      [FLAG_OF, kind === 'add' ? sign(and(xor(a, r), xor(b, r))) : sign(and(xor(a, b), xor(a, r)))],
    ];
    const imm = Number((nzcv as { value: bigint }).value);
    const bit = { [FLAG_SF]: 8, [FLAG_ZF]: 4, [FLAG_CF]: 2, [FLAG_OF]: 1 } as Record<number, number>;
    x.setFlagValues(flags.map(([f, e]) => [f, x.select(cond, e, i32(imm & bit[f] ? 1 : 0))]));
  };
}

function mulAdd(kind: 'madd' | 'msub' | 'mul' | 'mneg'): Semantics {
  return (x, i) => {
    const [d, n, m, a] = i.operands;
    const size = sizeOf(d);
    const p = op('i64', 'i64.mul', x.read(n), x.read(m));
    let r: Expr = p;
    if (kind === 'madd') r = add(x.read(a), p);
    else if (kind === 'msub') r = sub(x.read(a), p);
    else if (kind === 'mneg') r = sub(i64(0), p);
    x.write(d, x.b.tmp(trunc(r, size)));
  };
}
/** smaddl/umaddl/smsubl/umsubl and the smull/umull/smnegl/umnegl aliases: 32x32 → 64 */
function mulLong(signed: boolean, kind: 'add' | 'sub' | 'mul' | 'neg'): Semantics {
  return (x, i) => {
    const [d, n, m, a] = i.operands;
    const ext = (e: Expr) => (signed ? sext(e, 4) : e);
    const p = op('i64', 'i64.mul', ext(x.read(n)), ext(x.read(m)));
    const r = kind === 'add' ? add(x.read(a), p) : kind === 'sub' ? sub(x.read(a), p) : kind === 'neg' ? sub(i64(0), p) : p;
    x.write(d, x.b.tmp(r));
  };
}
function mulHigh(signed: boolean): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    x.write(d, x.b.call('i64', signed ? 'mulhs64' : 'mulhu64', x.read(n), x.read(m)));
  };
}
/** udiv/sdiv: division by zero gives 0; the most negative value over -1 gives itself */
function div(signed: boolean): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    const size = sizeOf(d);
    const a = x.b.tmp(signed ? sext(x.read(n), size) : x.read(n));
    const b = x.b.tmp(signed ? sext(x.read(m), size) : x.read(m));
    const zero = op('i32', 'i64.eqz', b);
    // divide by 1 where wasm would trap (b == 0, or the overflow case), then fix the result
    const overflow = signed ? op('i32', 'i32.and', op('i32', 'i64.eq', b, i64(-1n)), op('i32', 'i64.eq', a, i64(size === 8 ? -(1n << 63n) : -(1n << 31n)))) : i32(0);
    const safe = x.b.tmp(x.select(op('i32', 'i32.or', zero, overflow), i64(1), b));
    const q = op('i64', signed ? 'i64.div_s' : 'i64.div_u', a, safe);
    x.write(d, x.b.tmp(trunc(x.select(zero, i64(0), q), size)));
  };
}

const clz: Semantics = (x, i) => {
  const [d, n] = i.operands;
  const size = sizeOf(d);
  x.write(d, x.b.tmp(size === 8 ? op('i64', 'i64.clz', x.read(n)) : zext32(op('i32', 'i32.clz', wrap(x.read(n))))));
};
const cls: Semantics = (x, i) => {
  const [d, n] = i.operands;
  const size = sizeOf(d);
  const v = x.b.tmp(sext(x.read(n), size));
  // leading bits equal to the sign, not counting it: clz(v ^ (v << 1) | 1) - (64 - width)
  const t = or(xor(v, shl(v, i64(1))), i64(1));
  x.write(d, x.b.tmp(sub(op('i64', 'i64.clz', t), i64(64 - size * 8))));
};
/** rbit: bit reversal by swapping halves of growing size */
const rbit: Semantics = (x, i) => {
  const [d, n] = i.operands;
  const size = sizeOf(d);
  let v = x.b.tmp(x.read(n));
  const steps: [number, bigint][] = [[1, 0x5555555555555555n], [2, 0x3333333333333333n], [4, 0x0f0f0f0f0f0f0f0fn]];
  for (const [s, m] of steps) v = x.b.tmp(or(and(shrU(v, i64(s)), i64(m)), shl(and(v, i64(m)), i64(s))));
  v = byteSwap(x, v, 8);
  x.write(d, x.b.tmp(size === 8 ? v : shrU(v, i64(32))));
};
function byteSwap(x: A64Block, v: Expr, bytes: number): Expr {
  const t = x.b.tmp(v);
  let r: Expr = i64(0);
  for (let k = 0; k < bytes; k++) r = or(r, shl(and(shrU(t, i64(8 * k)), i64(0xff)), i64(8 * (bytes - 1 - k))));
  return x.b.tmp(r);
}
/** rev (whole register), rev16 (each halfword), rev32 (each word of a 64-bit register) */
function rev(unit: number | 'all'): Semantics {
  return (x, i) => {
    const [d, n] = i.operands;
    const size = sizeOf(d);
    const v = x.b.tmp(x.read(n));
    const u = unit === 'all' ? size : unit;
    let r: Expr = i64(0);
    for (let k = 0; k < size / u; k++) r = or(r, shl(byteSwap(x, and(shrU(v, i64(8 * u * k)), i64((1n << BigInt(8 * u)) - 1n)), u), i64(8 * u * k)));
    x.write(d, x.b.tmp(r));
  };
}
const extr: Semantics = (x, i) => {
  const [d, n, m, lsb] = i.operands;
  const size = sizeOf(d);
  const s = Number((lsb as { value: bigint }).value);
  if (s === 0) return x.write(d, x.read(m));
  const hi = x.read(n);
  const lo = x.read(m);
  x.write(d, x.b.tmp(trunc(or(shrU(lo, i64(s)), shl(hi, i64(size * 8 - s))), size)));
};
const rorImmOrReg: Semantics = (x, i) => {
  if (i.operands[2].kind === 'imm' && x.field(28, 23) === 0b100111) return extr(x, { ...i, operands: [i.operands[0], i.operands[1], i.operands[1], i.operands[2]] });
  return shift('ror')(x, i);
};
const adr: Semantics = (x, i) => x.write(i.operands[0], i64((i.operands[1] as { value: bigint }).value));

/** shifts with an immediate are bitfield moves (lsl/lsr/asr #n); with a register, variable shifts */
function shiftOrBitfield(kind: 'lsl' | 'lsr' | 'asr'): Semantics {
  return (x, i) => (i.operands[2].kind === 'imm' ? bitfield(x, i) : shift(kind)(x, i));
}

export const INTEGER: Record<string, Semantics> = {
  add: addSub('add', false, 'full'),
  adds: addSub('add', true, 'full'),
  sub: addSub('sub', false, 'full'),
  subs: addSub('sub', true, 'full'),
  cmp: addSub('sub', true, 'cmp'),
  cmn: addSub('add', true, 'cmp'),
  neg: addSub('sub', false, 'neg'),
  negs: addSub('sub', true, 'neg'),
  adc: adcSbc('add', false),
  adcs: adcSbc('add', true),
  sbc: adcSbc('sub', false),
  sbcs: adcSbc('sub', true),
  ngc: adcSbc('sub', false, true),
  ngcs: adcSbc('sub', true, true),
  and: logic((a, b) => and(a, b), false),
  ands: logic((a, b) => and(a, b), true),
  tst: logic((a, b) => and(a, b), true, true),
  orr: logic((a, b) => or(a, b), false),
  eor: logic((a, b) => xor(a, b), false),
  bic: logic((a, b, s) => and(a, notE(b, s)), false),
  bics: logic((a, b, s) => and(a, notE(b, s)), true),
  orn: logic((a, b, s) => or(a, notE(b, s)), false),
  eon: logic((a, b, s) => xor(a, notE(b, s)), false),
  mvn: (x, i) => logic((_a, b, s) => notE(b, s), false)(x, { ...i, operands: [i.operands[0], { kind: 'reg', reg: 'xzr', size: 8, access: 'r' }, ...i.operands.slice(1)] }),
  mov,
  movz: movWide,
  movn: movWide,
  movk,
  lsl: shiftOrBitfield('lsl'),
  lsr: shiftOrBitfield('lsr'),
  asr: shiftOrBitfield('asr'),
  ror: rorImmOrReg,
  sbfx: bitfield, ubfx: bitfield, sbfiz: bitfield, ubfiz: bitfield, bfi: bitfield, bfxil: bitfield, bfc: bitfield,
  sxtb: bitfield, sxth: bitfield, sxtw: bitfield, uxtb: bitfield, uxth: bitfield,
  csel: csel('sel'),
  csinc: csel('inc'),
  csinv: csel('inv'),
  csneg: csel('neg'),
  cset: cAlias('set'),
  csetm: cAlias('setm'),
  cinc: cAlias('inc'),
  cinv: cAlias('inv'),
  cneg: cAlias('neg'),
  ccmp: ccmp('sub'),
  ccmn: ccmp('add'),
  madd: mulAdd('madd'),
  msub: mulAdd('msub'),
  mul: mulAdd('mul'),
  mneg: mulAdd('mneg'),
  smaddl: mulLong(true, 'add'),
  umaddl: mulLong(false, 'add'),
  smsubl: mulLong(true, 'sub'),
  umsubl: mulLong(false, 'sub'),
  smull: mulLong(true, 'mul'),
  umull: mulLong(false, 'mul'),
  smnegl: mulLong(true, 'neg'),
  umnegl: mulLong(false, 'neg'),
  smulh: mulHigh(true),
  umulh: mulHigh(false),
  udiv: div(false),
  sdiv: div(true),
  clz,
  cls,
  rbit,
  rev: rev('all'),
  rev16: rev(2),
  rev32: rev(4),
  extr,
  adr,
  adrp: adr,
};

