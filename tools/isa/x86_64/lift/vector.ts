// SSE/SSE2 (the baseline x86-64 CPU the vkernel reports): moves, packed integer and
// scalar/packed floating point, as wasm SIMD.
import { i32, i64, lane, op, type Expr } from '../../../ir/index.js';
import type { Insn, Operand } from '../../types.js';
import { trunc, Unsupported, wrap, zext32, type X86Block } from './context.js';
import type { Semantics } from './table.js';

const v = (name: string, ...args: Expr[]) => op('v128', name, ...args);

function isXmm(o: Operand): o is Operand & { kind: 'reg' } {
  return o.kind === 'reg' && o.reg.startsWith('xmm');
}

/** the whole 128 bits of an xmm register or a 16-byte memory operand */
function readV(x: X86Block, o: Operand): Expr {
  if (isXmm(o)) return x.b.slot(o.reg, 'v128');
  if (o.kind === 'mem') return x.b.load('v128', 16, x.addr(x.ea(o)));
  throw new Unsupported(`vector operand ${o.kind}`);
}

/** a scalar operand (4 or 8 bytes) as a v128 whose low lane holds it */
function readLow(x: X86Block, o: Operand, size: number): Expr {
  if (isXmm(o)) return x.b.slot(o.reg, 'v128');
  if (o.kind === 'mem') {
    const t = x.b.load(size === 8 ? 'i64' : 'i32', size, x.addr(x.ea(o)));
    return x.b.tmp(op('v128', size === 8 ? 'i64x2.splat' : 'i32x4.splat', t));
  }
  throw new Unsupported(`scalar operand ${o.kind}`);
}

/** the low float of an xmm register or a float in memory (a float load: no detour through a vector) */
function lowFloat(x: X86Block, o: Operand, size: 4 | 8): Expr {
  const ft = size === 8 ? 'f64' : 'f32';
  if (o.kind === 'mem') return x.b.load(ft, size, x.addr(x.ea(o)));
  return lane(ft, `${size === 8 ? 'f64x2' : 'f32x4'}.extract_lane`, [0], readLow(x, o, size));
}

function writeV(x: X86Block, o: Operand, e: Expr): void {
  if (isXmm(o)) return x.b.setSlot(o.reg, e);
  if (o.kind === 'mem') return x.b.store(16, x.addr(x.ea(o)), e);
  throw new Unsupported(`vector destination ${o.kind}`);
}

/** movaps/movups/movdqa/movdqu/movapd/movupd: a 16-byte move (alignment is not checked) */
function move128(x: X86Block, i: Insn): void {
  const [d, s] = i.operands;
  writeV(x, d, readV(x, s));
}

/** movd/movq between general registers, memory and xmm */
function movdq(x: X86Block, i: Insn): void {
  const [d, s] = i.operands;
  const size = i.mnemonic === 'movd' ? 4 : 8;
  if (isXmm(d)) {
    // into xmm: zero the rest
    let val: Expr;
    if (isXmm(s)) val = lane('i64', 'i64x2.extract_lane', [0], x.b.slot(s.reg, 'v128'));
    else val = x.read(s, size);
    const vec = v('i64x2.replace_lane', { k: 'vconst', ty: 'v128', bytes: new Uint8Array(16) }, trunc(val, size));
    (vec as { lanes?: number[] }).lanes = [0];
    return x.b.setSlot(d.reg, vec);
  }
  if (!isXmm(s)) throw new Unsupported('movq without an xmm operand');
  const low = lane('i64', 'i64x2.extract_lane', [0], x.b.slot(s.reg, 'v128'));
  if (d.kind === 'mem') return x.storeInt(size, x.ea(d), low);
  x.write(d, trunc(low, size));
}

/** movss/movsd: register to register merges the low lane; a load zeroes the rest; a store writes the lane */
function movScalar(size: 4 | 8) {
  return (x: X86Block, i: Insn) => {
    const [d, s] = i.operands;
    if (i.operands.length !== 2) throw new Unsupported('string movsd');
    const shape = size === 8 ? 'i64x2' : 'i32x4';
    const lt = size === 8 ? 'i64' : 'i32';
    if (isXmm(d) && isXmm(s)) {
      const val = lane(lt, `${shape}.extract_lane`, [0], x.b.slot(s.reg, 'v128'));
      return x.b.setSlot(d.reg, lane('v128', `${shape}.replace_lane`, [0], x.b.slot(d.reg, 'v128'), val));
    }
    if (isXmm(d) && s.kind === 'mem') {
      const val = x.b.load(lt, size, x.addr(x.ea(s)));
      return x.b.setSlot(d.reg, lane('v128', `${shape}.replace_lane`, [0], { k: 'vconst', ty: 'v128', bytes: new Uint8Array(16) }, val));
    }
    if (d.kind === 'mem' && isXmm(s)) {
      return x.b.store(size, x.addr(x.ea(d)), lane(lt, `${shape}.extract_lane`, [0], x.b.slot(s.reg, 'v128')));
    }
    throw new Unsupported('movss/movsd form');
  };
}

/** movhps/movhpd/movlps/movlpd: one 64-bit half from or to memory */
function movHalf(high: boolean) {
  return (x: X86Block, i: Insn) => {
    const [d, s] = i.operands;
    const k = high ? 1 : 0;
    if (isXmm(d) && s.kind === 'mem') {
      const val = x.b.load('i64', 8, x.addr(x.ea(s)));
      return x.b.setSlot(d.reg, lane('v128', 'i64x2.replace_lane', [k], x.b.slot(d.reg, 'v128'), val));
    }
    if (d.kind === 'mem' && isXmm(s)) return x.b.store(8, x.addr(x.ea(d)), lane('i64', 'i64x2.extract_lane', [k], x.b.slot(s.reg, 'v128')));
    throw new Unsupported(`${i.mnemonic} form`);
  };
}

/** movhlps/movlhps */
function movHL(x: X86Block, i: Insn): void {
  const [d, s] = i.operands;
  const dv = readV(x, d);
  const sv = readV(x, s);
  if (i.mnemonic === 'movhlps') x.b.setSlot((d as { reg: string }).reg, lane('v128', 'i8x16.shuffle', [24, 25, 26, 27, 28, 29, 30, 31, 8, 9, 10, 11, 12, 13, 14, 15], dv, sv));
  else x.b.setSlot((d as { reg: string }).reg, lane('v128', 'i8x16.shuffle', [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23], dv, sv));
}

/** a packed binary operation d = d OP s */
function packed(name: string, swap = false) {
  return (x: X86Block, i: Insn) => {
    const [d, s] = i.operands;
    const a = readV(x, d);
    const b = readV(x, s);
    writeV(x, d, swap ? v(name, b, a) : v(name, a, b));
  };
}

/** pandn/andnps: d = ~d & s */
function andnot(x: X86Block, i: Insn): void {
  const [d, s] = i.operands;
  writeV(x, d, v('v128.andnot', readV(x, s), readV(x, d)));
}

/** pxor r, r and friends zero without reading */
function xorLike(name: string) {
  const p = packed(name);
  return (x: X86Block, i: Insn) => {
    const [d, s] = i.operands;
    if (isXmm(d) && isXmm(s) && d.reg === s.reg) return x.b.setSlot(d.reg, { k: 'vconst', ty: 'v128', bytes: new Uint8Array(16) });
    p(x, i);
  };
}

function pmovmskb(x: X86Block, i: Insn): void {
  const [d, s] = i.operands;
  x.write(d, zext32(op('i32', 'i8x16.bitmask', readV(x, s))));
}

function movmsk(shape: 'i32x4' | 'i64x2') {
  return (x: X86Block, i: Insn) => {
    const [d, s] = i.operands;
    x.write(d, zext32(op('i32', `${shape}.bitmask`, readV(x, s))));
  };
}

/** pshufd d, s, imm */
function pshufd(x: X86Block, i: Insn): void {
  const [d, s, imm] = i.operands;
  const m = Number((imm as { value: bigint }).value);
  const bytes: number[] = [];
  for (let k = 0; k < 4; k++) {
    const sel = (m >> (2 * k)) & 3;
    for (let b = 0; b < 4; b++) bytes.push(sel * 4 + b);
  }
  const sv = readV(x, s);
  writeV(x, d, lane('v128', 'i8x16.shuffle', bytes, sv, sv));
}

/** pshuflw/pshufhw d, s, imm */
function pshufw(high: boolean) {
  return (x: X86Block, i: Insn) => {
    const [d, s, imm] = i.operands;
    const m = Number((imm as { value: bigint }).value);
    const words: number[] = high ? [0, 1, 2, 3] : [];
    for (let k = 0; k < 4; k++) words.push((high ? 4 : 0) + ((m >> (2 * k)) & 3));
    if (!high) words.push(4, 5, 6, 7);
    const bytes = words.flatMap((w) => [w * 2, w * 2 + 1]);
    const sv = readV(x, s);
    writeV(x, d, lane('v128', 'i8x16.shuffle', bytes, sv, sv));
  };
}

/** shufps/shufpd d, s, imm: low half from d, high half from s */
function shufp(size: 4 | 8) {
  return (x: X86Block, i: Insn) => {
    const [d, s, imm] = i.operands;
    const m = Number((imm as { value: bigint }).value);
    const bytes: number[] = [];
    const pick = (from: number, sel: number) => {
      for (let b = 0; b < size; b++) bytes.push(from + sel * size + b);
    };
    if (size === 4) {
      pick(0, m & 3);
      pick(0, (m >> 2) & 3);
      pick(16, (m >> 4) & 3);
      pick(16, (m >> 6) & 3);
    } else {
      pick(0, m & 1);
      pick(16, (m >> 1) & 1);
    }
    writeV(x, d, lane('v128', 'i8x16.shuffle', bytes, readV(x, d), readV(x, s)));
  };
}

/** punpckl*/ /* punpckh*: interleave the low (high) halves of d and s by element size */
function unpack(size: number, high: boolean) {
  return (x: X86Block, i: Insn) => {
    const [d, s] = i.operands;
    const bytes: number[] = [];
    const base = high ? 8 : 0;
    for (let k = 0; k < 8 / size; k++) {
      for (let b = 0; b < size; b++) bytes.push(base + k * size + b);
      for (let b = 0; b < size; b++) bytes.push(16 + base + k * size + b);
    }
    writeV(x, d, lane('v128', 'i8x16.shuffle', bytes, readV(x, d), readV(x, s)));
  };
}

/** pslldq/psrldq: byte shifts of the whole register */
function byteShift(left: boolean) {
  return (x: X86Block, i: Insn) => {
    const [d, imm] = i.operands;
    const n = Math.min(16, Number((imm as { value: bigint }).value));
    const a = readV(x, d);
    const zero: Expr = { k: 'vconst', ty: 'v128', bytes: new Uint8Array(16) };
    const bytes: number[] = [];
    for (let k = 0; k < 16; k++) {
      const src = left ? k - n : k + n;
      bytes.push(src >= 0 && src < 16 ? src : 16);
    }
    writeV(x, d, lane('v128', 'i8x16.shuffle', bytes, a, zero));
  };
}

/** psllw/d/q, psrlw/d/q, psraw/d by an immediate or the low 64 bits of an xmm */
function vshift(shape: string, kind: 'shl' | 'shr_u' | 'shr_s', bits: number) {
  return (x: X86Block, i: Insn) => {
    const [d, c] = i.operands;
    const a = readV(x, d);
    let n: Expr;
    if (c.kind === 'imm') n = i64(c.value);
    else n = lane('i64', 'i64x2.extract_lane', [0], readV(x, c));
    const count = x.b.tmp(n);
    // counts of the element width or more give zero (arithmetic: all sign bits); wasm masks them
    const big = op('i32', 'i64.ge_u', count, i64(bits));
    const amt = wrap(count);
    const shifted = v(`${shape}.${kind}`, a, amt);
    const over: Expr = kind === 'shr_s' ? v(`${shape}.shr_s`, a, i32(bits - 1)) : { k: 'vconst', ty: 'v128', bytes: new Uint8Array(16) };
    writeV(x, d, { k: 'select', ty: 'v128', cond: big, then: over, else: shifted });
  };
}

/** scalar float ops on the low lane: addsd/subsd/mulsd/divsd/minsd/maxsd/sqrtsd (and ss) */
function scalarFp(size: 4 | 8, name: 'add' | 'sub' | 'mul' | 'div' | 'min' | 'max' | 'sqrt') {
  const shape = size === 8 ? 'f64x2' : 'f32x4';
  const ft = size === 8 ? 'f64' : 'f32';
  return (x: X86Block, i: Insn) => {
    const [d, s] = i.operands;
    const dv = x.b.slot((d as { reg: string }).reg, 'v128');
    const a = lane(ft, `${shape}.extract_lane`, [0], dv);
    const b = lowFloat(x, s, size);
    let r: Expr;
    if (name === 'sqrt') r = op(ft, `${ft}.sqrt`, b);
    else if (name === 'min' || name === 'max') {
      // x86: if either is NaN or both are zero, the second operand
      const pick = op('i32', name === 'min' ? `${ft}.lt` : `${ft}.gt`, a, b);
      r = { k: 'select', ty: ft, cond: pick, then: a, else: b };
    } else r = op(ft, `${ft}.${name}`, a, b);
    x.b.setSlot((d as { reg: string }).reg, lane('v128', `${shape}.replace_lane`, [0], dv, r));
  };
}

/** packed float ops: addpd/addps/... */
function packedFp(shape: 'f64x2' | 'f32x4', name: string) {
  return (x: X86Block, i: Insn) => {
    const [d, s] = i.operands;
    if (name === 'min' || name === 'max') {
      const a = x.b.tmp(readV(x, d));
      const b = x.b.tmp(readV(x, s));
      // x86 semantics: second operand unless a < b (min) / a > b (max)
      const m = v(name === 'min' ? `${shape}.lt` : `${shape}.gt`, a, b);
      return writeV(x, d, v('v128.bitselect', a, b, m));
    }
    if (name === 'sqrt') return writeV(x, d, v(`${shape}.sqrt`, readV(x, s)));
    writeV(x, d, v(`${shape}.${name}`, readV(x, d), readV(x, s)));
  };
}

/** ucomisd/comisd/ucomiss/comiss: ZF PF CF from an unordered compare; OF SF AF cleared */
function comis(size: 4 | 8) {
  const ft = size === 8 ? 'f64' : 'f32';
  const shape = size === 8 ? 'f64x2' : 'f32x4';
  return (x: X86Block, i: Insn) => {
    const [d, s] = i.operands;
    const a = x.b.tmp(lane(ft, `${shape}.extract_lane`, [0], readV(x, d)));
    const b = x.b.tmp(lowFloat(x, s, size));
    x.floatCompareFlags(size, a, b);
  };
}

/** cvtsi2sd/cvtsi2ss: signed integer (32 or 64 bit) to the low lane */
function cvtsi2(size: 4 | 8) {
  const ft = size === 8 ? 'f64' : 'f32';
  const shape = size === 8 ? 'f64x2' : 'f32x4';
  return (x: X86Block, i: Insn) => {
    const [d, s] = i.operands;
    const n = s.size === 8 ? x.read(s) : x.readS(s);
    const f = op(ft, `${ft}.convert_s.i64`, n);
    x.b.setSlot((d as { reg: string }).reg, lane('v128', `${shape}.replace_lane`, [0], x.b.slot((d as { reg: string }).reg, 'v128'), f));
  };
}

/** cvttsd2si/cvtsd2si (and ss): to a signed integer; out of range gives the "integer indefinite" */
function cvt2si(size: 4 | 8, truncate: boolean) {
  const ft = size === 8 ? 'f64' : 'f32';
  return (x: X86Block, i: Insn) => {
    const [d, s] = i.operands;
    let f = lowFloat(x, s, size);
    if (!truncate) f = op(ft, `${ft}.nearest`, f);
    const ft_ = x.b.tmp(f);
    const dsize = d.size;
    const lim = dsize === 8 ? 9223372036854775808 : 2147483648;
    const inRange = op('i32', 'i32.and', op('i32', `${ft}.lt`, ft_, { k: 'fconst', ty: ft, v: lim }), op('i32', `${ft}.ge`, ft_, { k: 'fconst', ty: ft, v: -lim }));
    const conv = dsize === 8 ? op('i64', `i64.trunc_s_sat.${ft}`, ft_) : op('i64', 'i64.extend_s', op('i32', `i32.trunc_s_sat.${ft}`, ft_));
    const indefinite = i64(dsize === 8 ? 0x8000000000000000n : 0x80000000n);
    x.write(d, trunc({ k: 'select', ty: 'i64', cond: inRange, then: conv, else: indefinite }, dsize));
  };
}

/** cvtsd2ss / cvtss2sd */
function cvtFloat(toSize: 4 | 8) {
  return (x: X86Block, i: Insn) => {
    const [d, s] = i.operands;
    const dreg = (d as { reg: string }).reg;
    if (toSize === 4) {
      const f = lowFloat(x, s, 8);
      x.b.setSlot(dreg, lane('v128', 'f32x4.replace_lane', [0], x.b.slot(dreg, 'v128'), op('f32', 'f32.demote', f)));
    } else {
      const f = lowFloat(x, s, 4);
      x.b.setSlot(dreg, lane('v128', 'f64x2.replace_lane', [0], x.b.slot(dreg, 'v128'), op('f64', 'f64.promote', f)));
    }
  };
}

/** cvtdq2pd/cvtps2pd/... packed conversions gcc emits for int<->double vectors */
function cvtPacked(name: string) {
  return (x: X86Block, i: Insn) => {
    const [d, s] = i.operands;
    writeV(x, d, v(name, readV(x, s)));
  };
}

/** pminub/pmaxub/pminsw/pmaxsw/pavgb/... are plain packed ops; listed in the table below */

/** unpcklpd/unpckhpd/unpcklps/unpckhps are unpack shuffles */

/** pcmpgt/pcmpeq and packed compares produce all-ones lanes: wasm's compare does too */

/** cmpsd/cmpss/cmppd/cmpps with a predicate immediate */
function cmpFp(shape: 'f64x2' | 'f32x4', scalar: boolean) {
  const preds = ['eq', 'lt', 'le', 'unord', 'ne', 'nlt', 'nle', 'ord'];
  return (x: X86Block, i: Insn) => {
    const [d, s, imm] = i.operands;
    const p = preds[Number((imm as { value: bigint }).value) & 7];
    const a = x.b.tmp(readV(x, d));
    const b = x.b.tmp(scalar ? readLow(x, s, shape === 'f64x2' ? 8 : 4) : readV(x, s));
    const notv = (e: Expr) => v('v128.not', e);
    const isnan = (e: Expr) => v(`${shape}.ne`, e, e);
    let m: Expr;
    switch (p) {
      case 'eq': m = v(`${shape}.eq`, a, b); break;
      case 'lt': m = v(`${shape}.lt`, a, b); break;
      case 'le': m = v(`${shape}.le`, a, b); break;
      case 'unord': m = v('v128.or', isnan(a), isnan(b)); break;
      case 'ne': m = v(`${shape}.ne`, a, b); break;
      case 'nlt': m = notv(v(`${shape}.lt`, a, b)); break;
      case 'nle': m = notv(v(`${shape}.le`, a, b)); break;
      default: m = notv(v('v128.or', isnan(a), isnan(b)));
    }
    if (!scalar) return writeV(x, d, m);
    const bytes = shape === 'f64x2' ? [16, 17, 18, 19, 20, 21, 22, 23, 8, 9, 10, 11, 12, 13, 14, 15] : [16, 17, 18, 19, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
    writeV(x, d, lane('v128', 'i8x16.shuffle', bytes, a, m));
  };
}

/** pmuludq: the low 32 bits of each 64-bit lane, multiplied unsigned into 64 bits */
function pmuludq(x: X86Block, i: Insn): void {
  const [d, s] = i.operands;
  const evens = [0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11];
  const a = readV(x, d);
  const b = readV(x, s);
  writeV(x, d, v('i64x2.extmul_low_i32x4_u', lane('v128', 'i8x16.shuffle', evens, a, a), lane('v128', 'i8x16.shuffle', evens, b, b)));
}

/** pmulhw/pmulhuw: the high 16 bits of each 16x16 product */
function mulHigh(x: X86Block, i: Insn, signed: boolean): void {
  const [d, s] = i.operands;
  const a = x.b.tmp(readV(x, d));
  const b = x.b.tmp(readV(x, s));
  const ext = signed ? 's' : 'u';
  const lo = v(`i32x4.extmul_low_i16x8_${ext}`, a, b);
  const hi = v(`i32x4.extmul_high_i16x8_${ext}`, a, b);
  // the high halves of eight 32-bit products: odd 16-bit lanes
  writeV(x, d, lane('v128', 'i8x16.shuffle', [2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31], lo, hi));
}

/** pmaddwd: pairs of signed 16-bit products summed into 32-bit lanes */
function pmaddwd(x: X86Block, i: Insn): void {
  const [d, s] = i.operands;
  writeV(x, d, v('i32x4.dot_i16x8_s', readV(x, d), readV(x, s)));
}

/** pextrw r, xmm, imm / pinsrw xmm, r/m, imm */
function pextrw(x: X86Block, i: Insn): void {
  const [d, s, imm] = i.operands;
  const k = Number((imm as { value: bigint }).value) & 7;
  x.write(d, zext32(lane('i32', 'i16x8.extract_lane_u', [k], readV(x, s))));
}
function pinsrw(x: X86Block, i: Insn): void {
  const [d, s, imm] = i.operands;
  const k = Number((imm as { value: bigint }).value) & 7;
  const val = wrap(x.read(s, 2));
  x.b.setSlot((d as { reg: string }).reg, lane('v128', 'i16x8.replace_lane', [k], readV(x, d), val));
}

export const VECTOR: Record<string, Semantics> = {
  movaps: move128,
  movups: move128,
  movapd: move128,
  movupd: move128,
  movdqa: move128,
  movdqu: move128,
  movntdq: move128,
  movntps: move128,
  movntpd: move128,
  lddqu: move128,
  movd: movdq,
  movq: movdq,
  movss: movScalar(4),
  movsd: movScalar(8),
  movhps: movHalf(true),
  movhpd: movHalf(true),
  movlps: movHalf(false),
  movlpd: movHalf(false),
  movhlps: movHL,
  movlhps: movHL,
  pxor: xorLike('v128.xor'),
  xorps: xorLike('v128.xor'),
  xorpd: xorLike('v128.xor'),
  por: packed('v128.or'),
  orps: packed('v128.or'),
  orpd: packed('v128.or'),
  pand: packed('v128.and'),
  andps: packed('v128.and'),
  andpd: packed('v128.and'),
  pandn: andnot,
  andnps: andnot,
  andnpd: andnot,
  pcmpeqb: packed('i8x16.eq'),
  pcmpeqw: packed('i16x8.eq'),
  pcmpeqd: packed('i32x4.eq'),
  pcmpgtb: packed('i8x16.gt_s'),
  pcmpgtw: packed('i16x8.gt_s'),
  pcmpgtd: packed('i32x4.gt_s'),
  pmovmskb,
  movmskps: movmsk('i32x4'),
  movmskpd: movmsk('i64x2'),
  pminub: packed('i8x16.min_u'),
  pmaxub: packed('i8x16.max_u'),
  pminsw: packed('i16x8.min_s'),
  pmaxsw: packed('i16x8.max_s'),
  pavgb: packed('i8x16.avgr_u'),
  pavgw: packed('i16x8.avgr_u'),
  paddb: packed('i8x16.add'),
  paddw: packed('i16x8.add'),
  paddd: packed('i32x4.add'),
  paddq: packed('i64x2.add'),
  psubb: packed('i8x16.sub'),
  psubw: packed('i16x8.sub'),
  psubd: packed('i32x4.sub'),
  psubq: packed('i64x2.sub'),
  paddusb: packed('i8x16.add_sat_u'),
  paddusw: packed('i16x8.add_sat_u'),
  psubusb: packed('i8x16.sub_sat_u'),
  psubusw: packed('i16x8.sub_sat_u'),
  paddsb: packed('i8x16.add_sat_s'),
  paddsw: packed('i16x8.add_sat_s'),
  psubsb: packed('i8x16.sub_sat_s'),
  psubsw: packed('i16x8.sub_sat_s'),
  pmullw: packed('i16x8.mul'),
  packuswb: packed('i8x16.narrow_i16x8_u'),
  packsswb: packed('i8x16.narrow_i16x8_s'),
  packssdw: packed('i16x8.narrow_i32x4_s'),
  pshufd,
  pshuflw: pshufw(false),
  pshufhw: pshufw(true),
  shufps: shufp(4),
  shufpd: shufp(8),
  punpcklbw: unpack(1, false),
  punpcklwd: unpack(2, false),
  punpckldq: unpack(4, false),
  punpcklqdq: unpack(8, false),
  punpckhbw: unpack(1, true),
  punpckhwd: unpack(2, true),
  punpckhdq: unpack(4, true),
  punpckhqdq: unpack(8, true),
  unpcklps: unpack(4, false),
  unpckhps: unpack(4, true),
  unpcklpd: unpack(8, false),
  unpckhpd: unpack(8, true),
  pslldq: byteShift(true),
  psrldq: byteShift(false),
  psllw: vshift('i16x8', 'shl', 16),
  pslld: vshift('i32x4', 'shl', 32),
  psllq: vshift('i64x2', 'shl', 64),
  psrlw: vshift('i16x8', 'shr_u', 16),
  psrld: vshift('i32x4', 'shr_u', 32),
  psrlq: vshift('i64x2', 'shr_u', 64),
  psraw: vshift('i16x8', 'shr_s', 16),
  psrad: vshift('i32x4', 'shr_s', 32),
  pextrw,
  pinsrw,
  pmuludq,
  pmaddwd,
  pmulhw: (x: X86Block, i: Insn) => mulHigh(x, i, true),
  pmulhuw: (x: X86Block, i: Insn) => mulHigh(x, i, false),
  addsd: scalarFp(8, 'add'),
  subsd: scalarFp(8, 'sub'),
  mulsd: scalarFp(8, 'mul'),
  divsd: scalarFp(8, 'div'),
  minsd: scalarFp(8, 'min'),
  maxsd: scalarFp(8, 'max'),
  sqrtsd: scalarFp(8, 'sqrt'),
  addss: scalarFp(4, 'add'),
  subss: scalarFp(4, 'sub'),
  mulss: scalarFp(4, 'mul'),
  divss: scalarFp(4, 'div'),
  minss: scalarFp(4, 'min'),
  maxss: scalarFp(4, 'max'),
  sqrtss: scalarFp(4, 'sqrt'),
  addpd: packedFp('f64x2', 'add'),
  subpd: packedFp('f64x2', 'sub'),
  mulpd: packedFp('f64x2', 'mul'),
  divpd: packedFp('f64x2', 'div'),
  minpd: packedFp('f64x2', 'min'),
  maxpd: packedFp('f64x2', 'max'),
  sqrtpd: packedFp('f64x2', 'sqrt'),
  addps: packedFp('f32x4', 'add'),
  subps: packedFp('f32x4', 'sub'),
  mulps: packedFp('f32x4', 'mul'),
  divps: packedFp('f32x4', 'div'),
  minps: packedFp('f32x4', 'min'),
  maxps: packedFp('f32x4', 'max'),
  sqrtps: packedFp('f32x4', 'sqrt'),
  ucomisd: comis(8),
  comisd: comis(8),
  ucomiss: comis(4),
  comiss: comis(4),
  cvtsi2sd: cvtsi2(8),
  cvtsi2ss: cvtsi2(4),
  cvttsd2si: cvt2si(8, true),
  cvttss2si: cvt2si(4, true),
  cvtsd2si: cvt2si(8, false),
  cvtss2si: cvt2si(4, false),
  cvtsd2ss: cvtFloat(4),
  cvtss2sd: cvtFloat(8),
  cvtdq2pd: cvtPacked('f64x2.convert_low_i32x4_s'),
  cvtps2pd: cvtPacked('f64x2.promote_low_f32x4'),
  cvtpd2ps: cvtPacked('f32x4.demote_f64x2_zero'),
  cvttpd2dq: cvtPacked('i32x4.trunc_sat_f64x2_s_zero'),
  cvtdq2ps: cvtPacked('f32x4.convert_i32x4_s'),
  cvttps2dq: cvtPacked('i32x4.trunc_sat_f32x4_s'),
  cmpsd: cmpFp('f64x2', true),
  cmpss: cmpFp('f32x4', true),
  cmppd: cmpFp('f64x2', false),
  cmpps: cmpFp('f32x4', false),
};
