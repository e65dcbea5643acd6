// Integer arithmetic, logic, shifts, multiply and divide.
import { i32, i64, op, type Expr } from '../../../ir/index.js';
import type { Insn } from '../../types.js';
import { FLAG_CF, FLAG_OF, FLAG_PF, FLAG_SF, FLAG_ZF, FLAG_AF } from '../../types.js';
import { add, and, eq, eqz, ne, or, parity, sext, shl, shrS, shrU, signBit, sub, trunc, wrap, xor, zext32, type X86Block } from './context.js';
import type { Semantics } from './table.js';

function binary(kind: 'add' | 'sub' | 'and' | 'or' | 'xor', write: boolean) {
  return (x: X86Block, i: Insn) => {
    const [d, s] = i.operands;
    const size = d.size;
    // xor r, r / sub r, r: zero without reading r
    if ((kind === 'xor' || kind === 'sub') && d.kind === 'reg' && s.kind === 'reg' && d.reg === s.reg) {
      const z = i64(0);
      if (write) x.setReg(d.reg, z);
      x.arithFlags(kind === 'xor' ? 'logic' : 'sub', size, z, z, z);
      return;
    }
    const a = x.read(d);
    const b = s.kind === 'imm' ? i64(BigInt.asUintN(size * 8, s.value)) : x.read(s);
    // 32-bit operations compute in i32 (cheaper for the engine than i64 plus a mask)
    const raw =
      size === 4
        ? zext32(op('i32', `i32.${kind}`, wrap(a), wrap(b)))
        : kind === 'add' ? add(a, b) : kind === 'sub' ? sub(a, b) : kind === 'and' ? and(a, b) : kind === 'or' ? or(a, b) : xor(a, b);
    const r = x.b.tmp((kind === 'add' || kind === 'sub') && size !== 4 ? trunc(raw, size) : raw);
    if (write) x.write(d, r);
    x.arithFlags(kind === 'add' || kind === 'sub' ? kind : 'logic', size, a, b, r);
  };
}

/** adc / sbb: r = a ± b ± CF */
function withCarry(kind: 'add' | 'sub') {
  return (x: X86Block, i: Insn) => {
    const [d, s] = i.operands;
    const size = d.size;
    const a = x.read(d);
    const b = s.kind === 'imm' ? i64(BigInt.asUintN(size * 8, s.value)) : x.read(s);
    const c = x.b.tmp(zext32(x.flag(FLAG_CF)));
    const r = x.b.tmp(trunc(kind === 'add' ? add(add(a, b), c) : sub(sub(a, b), c), size));
    x.write(d, r);
    // carry out: add: r < a || (c && r == a); sub: a < b || (c && a == b)
    const cf =
      kind === 'add'
        ? op('i32', 'i32.or', op('i32', 'i64.lt_u', r, a), op('i32', 'i32.and', wrap(c), eq(r, a)))
        : op('i32', 'i32.or', op('i32', 'i64.lt_u', a, b), op('i32', 'i32.and', wrap(c), eq(a, b)));
    const bits = size * 8;
    const sign = (e: Expr) => wrap(and(shrU(e, i64(bits - 1)), i64(1)));
    const of = kind === 'add' ? sign(and(xor(a, r), xor(b, r))) : sign(and(xor(a, b), xor(a, r)));
    x.setFlagValues([
      [FLAG_CF, cf],
      [FLAG_OF, of],
      [FLAG_ZF, eqz(r)],
      [FLAG_SF, signBit(r, size)],
      [FLAG_PF, parity(r)],
      [FLAG_AF, wrap(and(shrU(xor(xor(a, b), r), i64(4)), i64(1)))],
    ]);
  };
}

function incdec(kind: 'add' | 'sub') {
  return (x: X86Block, i: Insn) => {
    const d = i.operands[0];
    const a = x.read(d);
    const r = x.b.tmp(trunc(kind === 'add' ? add(a, i64(1)) : sub(a, i64(1)), d.size));
    x.write(d, r);
    x.arithFlags(kind, d.size, a, i64(1), r, true);
  };
}

function neg(x: X86Block, i: Insn): void {
  const d = i.operands[0];
  const b = x.read(d);
  const r = x.b.tmp(trunc(sub(i64(0), b), d.size));
  x.write(d, r);
  x.arithFlags('sub', d.size, i64(0), b, r);
}

function not(x: X86Block, i: Insn): void {
  const d = i.operands[0];
  x.write(d, trunc(xor(x.read(d), i64(-1)), d.size));
}

/** shl/shr/sar/rol/ror: the count is masked to 5 (or 6) bits; a zero count changes no flags */
function shift(kind: 'shl' | 'shr' | 'sar' | 'rol' | 'ror') {
  return (x: X86Block, i: Insn) => {
    const [d, c] = i.operands;
    const size = d.size;
    const bits = size * 8;
    const cmask = size === 8 ? 63 : 31;
    const a = x.read(d);
    const count = c ? (c.kind === 'imm' ? i64(Number(c.value) & cmask) : x.b.tmp(and(x.read(c), i64(cmask)))) : i64(1);
    let r: Expr;
    let cf: Expr;
    let of: Expr;
    const n = count;
    const sa = sext(a, size);
    const i32op = (name: string, v: Expr) => zext32(op('i32', `i32.${name}`, v, wrap(n)));
    if (size === 4 && kind !== 'shl' && kind !== 'shr' && kind !== 'sar') {
      r = x.b.tmp(i32op(kind === 'rol' ? 'rotl' : 'rotr', wrap(a)));
      cf = kind === 'rol' ? wrap(and(r, i64(1))) : signBit(r, size);
    } else if (size === 4 && kind === 'shl') {
      r = i32op('shl', wrap(a));
      cf = wrap(and(shrU(a, sub(i64(bits), n)), i64(1)));
    } else if (size === 4 && kind === 'sar') {
      r = i32op('shr_s', wrap(a));
      cf = wrap(and(shrS(sa, sub(n, i64(1))), i64(1)));
    } else if (kind === 'shl') {
      r = trunc(shl(a, n), size);
      cf = wrap(and(shrU(a, sub(i64(bits), n)), i64(1)));
    } else if (kind === 'shr') {
      r = shrU(a, n);
      cf = wrap(and(shrU(a, sub(n, i64(1))), i64(1)));
    } else if (kind === 'sar') {
      r = trunc(shrS(sa, n), size);
      cf = wrap(and(shrS(sa, sub(n, i64(1))), i64(1)));
    } else {
      // rotates: at size 8 wasm's rotl/rotr; narrower sizes by shifts of the zero-extended value
      const m = i64(bits);
      const rn = and(n, i64(bits - 1));
      if (size === 8) r = op('i64', kind === 'rol' ? 'i64.rotl' : 'i64.rotr', a, rn);
      else if (kind === 'rol') r = trunc(or(shl(a, rn), shrU(a, and(sub(m, rn), i64(bits - 1)))), size);
      else r = trunc(or(shrU(a, rn), shl(a, and(sub(m, rn), i64(bits - 1)))), size);
      r = x.b.tmp(r);
      cf = kind === 'rol' ? wrap(and(r, i64(1))) : signBit(r, size);
    }
    r = x.b.tmp(r);
    const rr = r;
    if (kind === 'shl') of = op('i32', 'i32.xor', signBit(rr, size), cf);
    else if (kind === 'shr') of = signBit(a, size);
    else if (kind === 'sar') of = i32(0);
    else if (kind === 'rol') of = op('i32', 'i32.xor', signBit(rr, size), cf);
    else of = op('i32', 'i32.xor', signBit(rr, size), wrap(and(shrU(rr, i64(bits - 2)), i64(1))));
    if (c?.kind === 'imm' && (Number(c.value) & cmask) === 0) return; // no-op, flags untouched
    x.write(d, rr);
    const values: [number, Expr][] = [
      [FLAG_CF, cf],
      [FLAG_OF, of],
    ];
    if (kind !== 'rol' && kind !== 'ror') values.push([FLAG_ZF, eqz(rr)], [FLAG_SF, signBit(rr, size)], [FLAG_PF, parity(rr)], [FLAG_AF, i32(0)]);
    if (c?.kind === 'imm') return x.setFlagValues(values);
    // a variable count of zero leaves the flags as they were: select old/new per flag
    const zero = x.b.tmp(eqz(count));
    x.setFlagValues(values.map(([f, v]): [number, Expr] => [f, { k: 'select', ty: 'i32', cond: zero, then: x.flag(f), else: v }]));
  };
}

/** shld/shrd dst, src, count (immediate or cl); a zero count changes nothing */
function doubleShift(kind: 'shld' | 'shrd') {
  return (x: X86Block, i: Insn) => {
    const [d, s, c] = i.operands;
    const size = d.size;
    const bits = size * 8;
    const cmask = size === 8 ? 63 : 31;
    if (c.kind === 'imm' && (Number(c.value) & cmask) === 0) return;
    const n = c.kind === 'imm' ? i64(Number(c.value) & cmask) : x.b.tmp(and(x.read(c), i64(cmask)));
    const a = x.read(d);
    const b = x.read(s);
    const back = sub(i64(bits), n);
    const shifted =
      kind === 'shld' ? trunc(or(shl(a, n), shrU(b, back)), size) : trunc(or(shrU(a, n), shl(b, back)), size);
    const zero = c.kind === 'imm' ? undefined : x.b.tmp(eqz(n));
    const r = x.b.tmp(zero ? { k: 'select', ty: 'i64', cond: zero, then: a, else: shifted } : shifted);
    x.write(d, r);
    const cf = kind === 'shld' ? wrap(and(shrU(a, back), i64(1))) : wrap(and(shrU(a, sub(n, i64(1))), i64(1)));
    const values: [number, Expr][] = [
      [FLAG_CF, cf],
      [FLAG_OF, op('i32', 'i32.xor', signBit(r, size), signBit(a, size))],
      [FLAG_ZF, eqz(r)],
      [FLAG_SF, signBit(r, size)],
      [FLAG_PF, parity(r)],
    ];
    x.setFlagValues(zero ? values.map(([f, v]): [number, Expr] => [f, { k: 'select', ty: 'i32', cond: zero, then: x.flag(f), else: v }]) : values);
  };
}

/** imul in its 1-, 2- and 3-operand forms */
function imul(x: X86Block, i: Insn): void {
  const ops = i.operands;
  if (ops.length === 1) return wideMul(x, i, true);
  const d = ops[0];
  const size = d.size;
  const a = ops.length === 3 ? x.readS(ops[1]) : x.readS(d);
  const b = x.readS(ops.length === 3 ? ops[2] : ops[1]);
  const full = x.b.tmp(op('i64', 'i64.mul', a, b));
  const r = x.b.tmp(trunc(full, size));
  x.write(d, r);
  // overflow: the product does not fit the destination, signed
  let ovf: Expr;
  if (size === 8) {
    const hi = x.b.call('i64', 'mulhs64', a, b);
    ovf = op('i32', 'i64.ne', hi, shrS(full, i64(63)));
  } else ovf = op('i32', 'i64.ne', sext(r, size), full);
  const o = x.b.tmp(ovf);
  x.setFlagValues([
    [FLAG_CF, o],
    [FLAG_OF, o],
    [FLAG_ZF, eqz(r)],
    [FLAG_SF, signBit(r, size)],
    [FLAG_PF, parity(r)],
  ]);
}

const ACC: Record<number, [string, string]> = { 1: ['al', 'ah'], 2: ['ax', 'dx'], 4: ['eax', 'edx'], 8: ['rax', 'rdx'] };

/** mul / one-operand imul: rdx:rax = rax * src */
function wideMul(x: X86Block, i: Insn, signed: boolean): void {
  const s = i.operands[0];
  const size = s.size;
  const [lo, hi] = ACC[size];
  let low: Expr;
  let high: Expr;
  if (size === 8) {
    const a = x.getReg('rax');
    const b = x.read(s);
    low = x.b.tmp(op('i64', 'i64.mul', a, b));
    high = x.b.call('i64', signed ? 'mulhs64' : 'mulhu64', a, b);
  } else {
    const a = signed ? x.b.tmp(sext(x.getReg(lo), size)) : x.getReg(lo);
    const b = signed ? x.readS(s) : x.read(s);
    const full = x.b.tmp(op('i64', 'i64.mul', a, b));
    low = x.b.tmp(trunc(full, size));
    high = x.b.tmp(trunc(shrU(full, i64(size * 8)), size));
  }
  if (size === 1) x.setReg('ax', or(low, shl(high, i64(8))));
  else {
    x.setReg(lo, low);
    x.setReg(hi, high);
  }
  const ovf = x.b.tmp(signed ? op('i32', 'i64.ne', high, trunc(shrS(sext(low, size), i64(63)), size)) : ne(high, i64(0)));
  x.setFlagValues([
    [FLAG_CF, ovf],
    [FLAG_OF, ovf],
    [FLAG_ZF, eqz(low)],
    [FLAG_SF, signBit(low, size)],
    [FLAG_PF, parity(low)],
  ]);
}

/** div / idiv: quotient and remainder of rdx:rax by src; a zero divisor or overflow raises SIGFPE */
function divide(signed: boolean) {
  return (x: X86Block, i: Insn) => {
    const s = i.operands[0];
    const size = s.size;
    const [lo, hi] = ACC[size];
    const d = signed ? x.readS(s) : x.read(s);
    x.b.when(eqz(d), () => x.b.do('raise', i32(8), i32(x.insn.address)));
    if (size === 8) {
      const q = x.b.call('i64', signed ? 'divs128' : 'divu128', x.getReg('rdx'), x.getReg('rax'), d, i32(x.insn.address));
      const r = x.b.slot('rem128', 'i64');
      x.setReg('rax', q);
      x.setReg('rdx', r);
      return;
    }
    const dividend =
      size === 1
        ? x.getReg('ax')
        : x.b.tmp(or(shl(x.getReg(hi), i64(size * 8)), x.getReg(lo)));
    const n = signed ? sext(dividend, size * 2) : dividend;
    const q = x.b.tmp(op('i64', signed ? 'i64.div_s' : 'i64.div_u', n, d));
    const r = x.b.tmp(op('i64', signed ? 'i64.rem_s' : 'i64.rem_u', n, d));
    // quotient must fit the destination size
    const fits = signed ? op('i32', 'i64.eq', sext(trunc(q, size), size), q) : op('i32', 'i64.eq', trunc(q, size), q);
    x.b.when(op('i32', 'i32.eqz', fits), () => x.b.do('raise', i32(8), i32(x.insn.address)));
    if (size === 1) x.setReg('ax', or(trunc(q, 1), shl(trunc(r, 1), i64(8))));
    else {
      x.setReg(lo, trunc(q, size));
      x.setReg(hi, trunc(r, size));
    }
  };
}

/** cbw/cwde/cdqe: sign-extend within rax; cwd/cdq/cqo: into rdx */
function signExtendAcc(from: number, intoRdx: boolean) {
  return (x: X86Block) => {
    const names: Record<number, string> = { 1: 'al', 2: 'ax', 4: 'eax', 8: 'rax' };
    const v = x.b.tmp(sext(x.getReg(names[from]), from));
    if (!intoRdx) return x.setReg(names[from * 2], v);
    const rdx: Record<number, string> = { 2: 'dx', 4: 'edx', 8: 'rdx' };
    x.setReg(rdx[from], trunc(shrS(v, i64(63)), from));
  };
}

/** bt/bts/btr/btc with a register base (the memory forms index beyond the operand) */
function bitTest(kind: 'bt' | 'bts' | 'btr' | 'btc') {
  return (x: X86Block, i: Insn) => {
    const [d, s] = i.operands;
    const size = d.size;
    let base: Expr;
    let addr: Expr | undefined;
    let bit: Expr;
    if (d.kind === 'mem' && s.kind === 'reg') {
      // bit string in memory: address + (signed index >> 3), 1-byte access
      const idx = x.readS(s);
      addr = x.b.tmp(add(x.ea(d), shrS(idx, i64(3))));
      base = x.loadInt(1, addr);
      bit = and(idx, i64(7));
    } else {
      base = x.read(d);
      bit = s.kind === 'imm' ? i64(Number(s.value) & (size * 8 - 1)) : and(x.read(s), i64(size * 8 - 1));
    }
    const bt = x.b.tmp(bit);
    const cf = wrap(and(shrU(base, bt), i64(1)));
    x.setFlagValues([[FLAG_CF, cf]]);
    if (kind === 'bt') return;
    const m = shl(i64(1), bt);
    const r = kind === 'bts' ? or(base, m) : kind === 'btr' ? and(base, xor(m, i64(-1))) : xor(base, m);
    if (addr) x.storeInt(1, addr, r);
    else x.write(d, trunc(r, size));
  };
}

/** bsf/bsr/tzcnt/lzcnt/popcnt */
function bitScan(kind: 'bsf' | 'bsr' | 'tzcnt' | 'lzcnt' | 'popcnt') {
  return (x: X86Block, i: Insn) => {
    const [d, s] = i.operands;
    const size = d.size;
    const v = x.read(s);
    const zero = x.b.tmp(eqz(v));
    if (kind === 'popcnt') {
      x.write(d, op('i64', 'i64.popcnt', v));
      x.setFlagValues([[FLAG_ZF, zero], [FLAG_CF, i32(0)], [FLAG_OF, i32(0)], [FLAG_SF, i32(0)], [FLAG_PF, i32(0)]]);
      return;
    }
    if (kind === 'tzcnt') {
      x.write(d, { k: 'select', ty: 'i64', cond: zero, then: i64(size * 8), else: op('i64', 'i64.ctz', v) });
      x.setFlagValues([[FLAG_CF, zero], [FLAG_ZF, eqz(op('i64', 'i64.ctz', v))]]);
      return;
    }
    if (kind === 'lzcnt') {
      const n = x.b.tmp(sub(op('i64', 'i64.clz', v), i64(64 - size * 8)));
      x.write(d, n);
      x.setFlagValues([[FLAG_CF, zero], [FLAG_ZF, eqz(n)]]);
      return;
    }
    // bsf/bsr: destination unchanged when the source is zero (what CPUs do)
    const idx = kind === 'bsf' ? op('i64', 'i64.ctz', v) : sub(i64(63), op('i64', 'i64.clz', v));
    const old = x.read(d);
    x.write(d, { k: 'select', ty: 'i64', cond: zero, then: old, else: idx });
    x.setFlagValues([[FLAG_ZF, zero]]);
  };
}

function bswap(x: X86Block, i: Insn): void {
  const d = i.operands[0];
  const v = x.read(d);
  let r: Expr = i64(0);
  for (let k = 0; k < d.size; k++) {
    const byte = and(shrU(v, i64(k * 8)), i64(0xff));
    r = or(r, shl(byte, i64((d.size - 1 - k) * 8)));
  }
  x.write(d, r);
}

/** xadd / cmpxchg: single-threaded guests make `lock` a no-op */
function xadd(x: X86Block, i: Insn): void {
  const [d, s] = i.operands;
  const a = x.read(d);
  const b = x.read(s);
  const r = x.b.tmp(trunc(add(a, b), d.size));
  x.write(s, a);
  x.write(d, r);
  x.arithFlags('add', d.size, a, b, r);
}

function cmpxchg(x: X86Block, i: Insn): void {
  const [d, s] = i.operands;
  const size = d.size;
  const acc = ACC[size][0];
  const cur = x.read(d);
  const expected = x.getReg(acc);
  const r = x.b.tmp(trunc(sub(expected, cur), size));
  x.arithFlags('sub', size, expected, cur, r);
  const same = x.b.tmp(eq(cur, expected));
  const src = x.read(s);
  // memory is always written (as hardware does); the accumulator gets the old value on failure
  x.write(d, { k: 'select', ty: 'i64', cond: same, then: src, else: cur });
  x.b.when(op('i32', 'i32.eqz', same), () => x.setReg(acc, cur));
}

function xchg(x: X86Block, i: Insn): void {
  const [a, b] = i.operands;
  const va = x.read(a);
  const vb = x.read(b);
  x.write(a, vb);
  x.write(b, va);
}

export const INTEGER: Record<string, Semantics> = {
  add: binary('add', true),
  sub: binary('sub', true),
  and: binary('and', true),
  or: binary('or', true),
  xor: binary('xor', true),
  cmp: binary('sub', false),
  test: binary('and', false),
  adc: withCarry('add'),
  sbb: withCarry('sub'),
  inc: incdec('add'),
  dec: incdec('sub'),
  neg,
  not,
  shl: shift('shl'),
  sal: shift('shl'),
  shr: shift('shr'),
  sar: shift('sar'),
  rol: shift('rol'),
  ror: shift('ror'),
  shld: doubleShift('shld'),
  shrd: doubleShift('shrd'),
  imul,
  mul: (x, i) => wideMul(x, i, false),
  div: divide(false),
  idiv: divide(true),
  cbw: signExtendAcc(1, false),
  cwde: signExtendAcc(2, false),
  cdqe: signExtendAcc(4, false),
  cwd: signExtendAcc(2, true),
  cdq: signExtendAcc(4, true),
  cqo: signExtendAcc(8, true),
  bt: bitTest('bt'),
  bts: bitTest('bts'),
  btr: bitTest('btr'),
  btc: bitTest('btc'),
  bsf: bitScan('bsf'),
  bsr: bitScan('bsr'),
  tzcnt: bitScan('tzcnt'),
  lzcnt: bitScan('lzcnt'),
  popcnt: bitScan('popcnt'),
  bswap,
  xadd,
  cmpxchg,
  xchg,
};
