// aarch64 floating point and Advanced SIMD: FP/SIMD loads and stores, moves between
// register files, scalar arithmetic, compares and conversions, and the vector operations
// the C library's string and memory functions use, as wasm SIMD.
//
// Registers v0..v31 are v128 slots; a scalar write (d, s, h, b views) zeroes the rest of
// the register, as the architecture does. Arrangements (.16b, .4s ...) come from the word.
import { i32, i64, lane, op, type Expr, type Ty } from '../../../ir/index.js';
import type { Insn, Operand } from '../../types.js';
import { FLAG_CF, FLAG_OF, FLAG_SF, FLAG_ZF } from '../../types.js';
import { add, and, wrap, zext32 } from '../../x86_64/lift/context.js';
import { A64Block, Unsupported } from './context.js';
import type { Semantics } from './table.js';

const ZERO: Expr = { k: 'vconst', ty: 'v128', bytes: new Uint8Array(16) };
const SIZE: Record<string, number> = { q: 16, v: 16, d: 8, s: 4, h: 2, b: 1 };

/** the slot and byte size of an FP/SIMD register operand, or undefined for anything else */
export function fpr(o: Operand | undefined): { slot: string; size: number } | undefined {
  if (!o || o.kind !== 'reg') return undefined;
  const m = /^([qvdshb])(\d+)$/.exec(o.reg);
  if (!m) return undefined;
  return { slot: `v${m[2]}`, size: m[1] === 'v' ? o.size : SIZE[m[1]] };
}
const must = (o: Operand | undefined) => {
  const r = fpr(o);
  if (!r) throw new Unsupported('an FP/SIMD operand');
  return r;
};
const vec = (x: A64Block, slot: string) => x.b.slot(slot, 'v128');

/** the low `size` bytes of a register as an i64 (zero-extended) */
export function readBits(x: A64Block, o: Operand): Expr {
  const { slot, size } = must(o);
  if (size === 8) return lane('i64', 'i64x2.extract_lane', [0], vec(x, slot));
  if (size === 16) throw new Unsupported('a 128-bit value as an integer');
  const e = lane('i32', size === 4 ? 'i32x4.extract_lane' : size === 2 ? 'i16x8.extract_lane_u' : 'i8x16.extract_lane_u', [0], vec(x, slot));
  return zext32(e);
}
/** writes the low `size` bytes (an i64 holding them) and zeroes the rest of the register */
export function writeBits(x: A64Block, o: Operand, v: Expr): void {
  const { slot, size } = must(o);
  if (size === 8) return x.b.setSlot(slot, lane('v128', 'i64x2.replace_lane', [0], ZERO, v));
  const n = size === 4 ? v : and(v, i64(size === 2 ? 0xffff : 0xff));
  x.b.setSlot(slot, lane('v128', 'i32x4.replace_lane', [0], ZERO, wrap(n)));
}
/** a register's whole value; a 64-bit vector view (8 bytes) keeps the upper half zero on write */
export function readV(x: A64Block, o: Operand): Expr {
  return vec(x, must(o).slot);
}
export function writeV(x: A64Block, o: Operand, v: Expr, size = must(o).size): void {
  const slot = must(o).slot;
  if (size === 16) return x.b.setSlot(slot, v);
  x.b.setSlot(slot, lane('v128', 'i64x2.replace_lane', [1], v, i64(0)));
}

// ---- loads and stores ----

function memOf(i: Insn) {
  const m = i.operands.find((o) => o.kind === 'mem');
  if (!m || m.kind !== 'mem') throw new Unsupported('no memory operand');
  return m;
}
const loadOne = (x: A64Block, size: number, a: Expr): Expr => (size === 16 ? x.b.load('v128', 16, x.addr(a)) : x.loadInt(size, a));
function put(x: A64Block, o: Operand, v: Expr): void {
  if (must(o).size === 16) x.b.setSlot(must(o).slot, v);
  else writeBits(x, o, v);
}
function get(x: A64Block, o: Operand): Expr {
  return must(o).size === 16 ? readV(x, o) : readBits(x, o);
}
const store1 = (x: A64Block, size: number, a: Expr, v: Expr) => (size === 16 ? x.b.store(16, x.addr(a), v) : x.storeInt(size, a, v));

const vload: Semantics = (x, i) => {
  const d = i.operands[0];
  const size = must(d).size;
  const v = x.memAccess(memOf(i), (a) => loadOne(x, size, a));
  put(x, d, v);
};
const vstore: Semantics = (x, i) => {
  const s = i.operands[0];
  const size = must(s).size;
  const v = x.b.tmp(get(x, s));
  x.memAccess(memOf(i), (a) => store1(x, size, a, v));
};
const vloadPair: Semantics = (x, i) => {
  const [d1, d2] = i.operands;
  const size = must(d1).size;
  const [v1, v2] = x.memAccess(memOf(i), (a) => [loadOne(x, size, a), loadOne(x, size, x.b.tmp(add(a, i64(size))))]);
  put(x, d1, v1);
  put(x, d2, v2);
};
const vstorePair: Semantics = (x, i) => {
  const [s1, s2] = i.operands;
  const size = must(s1).size;
  const v1 = x.b.tmp(get(x, s1));
  const v2 = x.b.tmp(get(x, s2));
  x.memAccess(memOf(i), (a) => {
    store1(x, size, a, v1);
    store1(x, size, x.b.tmp(add(a, i64(size))), v2);
  });
};

// ---- moves ----

/** VFPExpandImm: the 8-bit FP immediate of fmov as the bits of a float of `size` bytes */
function fpImm(imm8: number, size: number): bigint {
  const sign = BigInt(imm8 >> 7);
  const b6 = (imm8 >> 6) & 1;
  const frac = BigInt(imm8 & 15);
  const e3 = BigInt((imm8 >> 4) & 3);
  if (size === 8) {
    const exp = ((b6 ? 0n : 1n) << 10n) | ((b6 ? 0xffn : 0n) << 2n) | e3;
    return (sign << 63n) | (exp << 52n) | (frac << 48n);
  }
  const exp = ((b6 ? 0n : 1n) << 7n) | ((b6 ? 0x1fn : 0n) << 2n) | e3;
  return (sign << 31n) | (exp << 23n) | (frac << 19n);
}

/** AdvSIMDExpandImm: movi/mvni/orr/bic/fmov (vector) immediates from op, cmode and abc:defgh */
function simdImm(x: A64Block): bigint {
  const imm8 = (x.field(18, 16) << 5) | x.field(9, 5);
  const cmode = x.field(15, 12);
  const op = x.field(29, 29);
  const i8 = BigInt(imm8);
  const rep = (v: bigint, bits: number) => {
    let r = 0n;
    for (let k = 0; k < 64; k += bits) r |= v << BigInt(k);
    return r;
  };
  switch (cmode >> 1) {
    case 0: return rep(i8, 32);
    case 1: return rep(i8 << 8n, 32);
    case 2: return rep(i8 << 16n, 32);
    case 3: return rep(i8 << 24n, 32);
    case 4: return rep(i8, 16);
    case 5: return rep(i8 << 8n, 16);
    case 6: return cmode & 1 ? rep((i8 << 16n) | 0xffffn, 32) : rep((i8 << 8n) | 0xffn, 32);
  }
  if (cmode === 14 && !op) return rep(i8, 8);
  if (cmode === 14) {
    let r = 0n;
    for (let k = 0; k < 8; k++) if (imm8 & (1 << k)) r |= 0xffn << BigInt(8 * k);
    return r;
  }
  if (cmode === 15 && !op) return rep(fpImm(imm8, 4), 32);
  return fpImm(imm8, 8);
}
const splat64 = (v: bigint): Expr => {
  const bytes = new Uint8Array(16);
  for (let k = 0; k < 16; k++) bytes[k] = Number((v >> BigInt(8 * (k % 8))) & 0xffn);
  return { k: 'vconst', ty: 'v128', bytes };
};
const q = (x: A64Block) => x.field(30, 30);

const movi: Semantics = (x, i) => {
  const d = i.operands[0];
  let v = simdImm(x);
  const inv = i.mnemonic === 'mvni';
  if (inv) v = ~v & 0xffffffffffffffffn;
  if (i.mnemonic === 'orr' || i.mnemonic === 'bic') {
    const cur = readV(x, d);
    const m = splat64(i.mnemonic === 'bic' ? ~v & 0xffffffffffffffffn : v);
    return writeV(x, d, op('v128', i.mnemonic === 'orr' ? 'v128.or' : 'v128.and', cur, m), q(x) ? 16 : 8);
  }
  const full = fpr(d)!.size === 8 && /^d/.test((d as { reg: string }).reg);
  writeV(x, d, splat64(v), full ? 8 : q(x) ? 16 : 8);
};

const fmov: Semantics = (x, i) => {
  const [d, s, t] = i.operands;
  // fmov x0, v1.d[1] / fmov v1.d[1], x0
  if (t && d.kind === 'reg' && fpr(d) && s.kind === 'imm') return x.b.setSlot(must(d).slot, lane('v128', 'i64x2.replace_lane', [1], readV(x, d), x.read(t)));
  if (t && fpr(s)) return x.write(d, lane('i64', 'i64x2.extract_lane', [1], readV(x, s)));
  const dr = fpr(d);
  if (s.kind === 'imm') {
    if (dr && dr.slot && x.field(28, 24) === 0b01111) return movi(x, i); // vector fmov #imm
    return writeBits(x, d, i64(fpImm(Number(s.value), dr!.size)));
  }
  if (dr && fpr(s)) return writeBits(x, d, readBits(x, s));
  if (dr) return writeBits(x, d, x.read(s));
  x.write(d, readBits(x, s));
};

export const VECTOR: Record<string, Semantics> = {
  ldr: vload, ldur: vload, str: vstore, stur: vstore,
  ldp: vloadPair, ldnp: vloadPair, stp: vstorePair, stnp: vstorePair,
  fmov, movi, mvni: movi,
};



// ---- Advanced SIMD by arrangement (Q in bit 30, element size in bits 23:22) ----

const SHAPES = ['i8x16', 'i16x8', 'i32x4', 'i64x2'];
const v = (name: string, ...args: Expr[]) => op('v128', name, ...args);
const esizeOf = (x: A64Block) => x.field(23, 22);
/** a result of a 64-bit arrangement keeps the upper half zero */
const result = (x: A64Block, d: Operand, e: Expr) => writeV(x, d, e, q(x) ? 16 : 8);

function shuffle(a: Expr, b: Expr, bytes: number[]): Expr {
  return lane('v128', 'i8x16.shuffle', bytes, a, b);
}
/** byte indices of the even and odd elements of the 32 bytes a:b (pairwise forms) */
function pairIdx(esize: number, odd: boolean): number[] {
  const out: number[] = [];
  for (let e = 0; e < 32 / esize && out.length < 16; e += 2) for (let k = 0; k < esize; k++) out.push((e + (odd ? 1 : 0)) * esize + k);
  return out;
}

/** three registers of one arrangement: d = f(n, m) */
function same3(f: (x: A64Block, a: Expr, b: Expr, shape: string) => Expr): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    result(x, d, f(x, readV(x, n), readV(x, m), SHAPES[esizeOf(x)]));
  };
}
/** and/orr/eor/bic/orn; orr and bic with an immediate are the movi family */
function bitwise(name: string, invertB = false): Semantics {
  const reg = same3((_x, a, b) => v(name, a, invertB ? v('v128.not', b) : b));
  return (x, i) => (i.operands[1]?.kind === 'imm' ? movi(x, i) : reg(x, i));
}
/** compares give all-ones lanes; against zero when the third operand is an immediate */
function cmp(name: string, swap = false): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    const shape = SHAPES[esizeOf(x)];
    const a = readV(x, n);
    const b = m.kind === 'imm' ? ZERO : readV(x, m);
    result(x, d, v(`${shape}.${name}`, swap ? b : a, swap ? a : b));
  };
}
function pairwise(name: string): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    if (!m) {
      // scalar addp d0, v1.2d: the sum of the two lanes
      const a = readV(x, n);
      return writeBits(x, d, add(lane('i64', 'i64x2.extract_lane', [0], a), lane('i64', 'i64x2.extract_lane', [1], a)));
    }
    const es = 1 << esizeOf(x);
    let a = readV(x, n);
    let b = readV(x, m);
    if (!q(x)) {
      // the two 64-bit halves side by side, then pairs within them
      const c = shuffle(a, b, [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]);
      a = c;
      b = ZERO;
    }
    const shape = SHAPES[esizeOf(x)];
    const r = v(`${shape}.${name}`, shuffle(a, b, pairIdx(es, false)), shuffle(a, b, pairIdx(es, true)));
    result(x, d, r);
  };
}
/** across all lanes: addv, umaxv, uminv (a scalar of the element size) */
function across(name: 'add' | 'max_u' | 'min_u'): Semantics {
  return (x, i) => {
    const [d, n] = i.operands;
    const es = esizeOf(x);
    const shape = SHAPES[es];
    const lanes = (q(x) ? 16 : 8) >> es;
    let acc = readV(x, n);
    for (let w = lanes / 2; w >= 1; w /= 2) {
      const bytes = Array.from({ length: 16 }, (_, k) => ((k + w * (1 << es)) & 15));
      acc = x.b.tmp(v(`${shape}.${name}`, acc, shuffle(acc, acc, bytes)));
    }
    const mask = (1n << BigInt(8 << es)) - 1n;
    writeBits(x, d, and(lane('i64', 'i64x2.extract_lane', [0], acc), i64(mask)));
  };
}

const dup: Semantics = (x, i) => {
  const [d, s, idx] = i.operands;
  const imm5 = x.field(20, 16);
  const es = imm5 & 1 ? 0 : imm5 & 2 ? 1 : imm5 & 4 ? 2 : 3;
  const shape = SHAPES[es];
  let val: Expr;
  if (s.kind === 'reg' && !fpr(s)) val = es === 3 ? x.read(s) : wrap(x.read(s));
  else {
    const k = idx && idx.kind === 'imm' ? Number(idx.value) : imm5 >> (es + 1);
    val = lane(es === 3 ? 'i64' : 'i32', `${shape}.extract_lane${es < 2 ? '_u' : ''}`, [k], readV(x, s));
  }
  if (x.field(28, 24) === 0b11110) return writeBits(x, d, es === 3 ? val : zext32(val)); // dup b0, v1.b[3] (scalar)
  result(x, d, v(`${shape}.splat`, val));
};
/** umov/mov to general: an element, zero-extended */
const umov: Semantics = (x, i) => {
  const [d, s, idx] = i.operands;
  const imm5 = x.field(20, 16);
  const es = imm5 & 1 ? 0 : imm5 & 2 ? 1 : imm5 & 4 ? 2 : 3;
  const k = idx && idx.kind === 'imm' ? Number(idx.value) : imm5 >> (es + 1);
  const e = lane(es === 3 ? 'i64' : 'i32', `${SHAPES[es]}.extract_lane${es < 2 ? '_u' : ''}`, [k], readV(x, s));
  x.write(d, es === 3 ? e : zext32(e));
};
/** ins (mov v0.s[1], w1 / mov v0.s[1], v2.s[0]) */
const ins: Semantics = (x, i) => {
  const [d, idx, s, sidx] = i.operands;
  const imm5 = x.field(20, 16);
  const es = imm5 & 1 ? 0 : imm5 & 2 ? 1 : imm5 & 4 ? 2 : 3;
  const shape = SHAPES[es];
  const k = Number((idx as { value: bigint }).value);
  let val: Expr;
  if (fpr(s)) val = lane(es === 3 ? 'i64' : 'i32', `${shape}.extract_lane${es < 2 ? '_u' : ''}`, [Number((sidx as { value: bigint }).value)], readV(x, s));
  else val = es === 3 ? x.read(s) : wrap(x.read(s));
  x.b.setSlot(must(d).slot, lane('v128', `${shape}.replace_lane`, [k], readV(x, d), val));
};
/** mov: vector register copy (orr alias), element insert, or element to general register */
const vmov: Semantics = (x, i) => {
  const [d, s] = i.operands;
  if (!fpr(d)) return umov(x, i);
  if (s.kind === 'imm') return ins(x, i);
  if (x.field(28, 21) === 0b01110101) return result(x, d, readV(x, s)); // orr vd, vn, vn
  if (x.field(28, 24) === 0b11110) return dup(x, i); // mov b0, v1.b[3]
  throw new Unsupported('this mov form');
};
const ext: Semantics = (x, i) => {
  const [d, n, m, idx] = i.operands;
  const k = Number((idx as { value: bigint }).value);
  const width = q(x) ? 16 : 8;
  const a = readV(x, n);
  const b = readV(x, m);
  const bytes = Array.from({ length: 16 }, (_, j) => (j + k < width ? j + k : 16 + j + k - width));
  result(x, d, shuffle(a, b, bytes));
};
function unzip(odd: boolean): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    const es = 1 << esizeOf(x);
    let a = readV(x, n);
    let b = readV(x, m);
    if (!q(x)) {
      a = shuffle(a, b, [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]);
      b = ZERO;
    }
    result(x, d, shuffle(a, b, pairIdx(es, odd)));
  };
}
/** rev16/rev32/rev64: reverse the elements within each container */
function vrev(container: number): Semantics {
  return (x, i) => {
    const [d, n] = i.operands;
    const es = 1 << esizeOf(x);
    const bytes = Array.from({ length: 16 }, (_, j) => {
      const c = Math.floor(j / container) * container;
      const e = Math.floor((j - c) / es);
      const per = container / es;
      return c + (per - 1 - e) * es + (j % es);
    });
    result(x, d, shuffle(readV(x, n), ZERO, bytes));
  };
}
const cnt: Semantics = (x, i) => result(x, i.operands[0], v('i8x16.popcnt', readV(x, i.operands[1])));
const not: Semantics = (x, i) => result(x, i.operands[0], v('v128.not', readV(x, i.operands[1])));
/** bsl/bit/bif: bitwise selects */
function select3(kind: 'bsl' | 'bit' | 'bif'): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    const dv = readV(x, d);
    const nv = readV(x, n);
    const mv = readV(x, m);
    const r = kind === 'bsl' ? v('v128.bitselect', nv, mv, dv) : kind === 'bit' ? v('v128.bitselect', nv, dv, mv) : v('v128.bitselect', dv, nv, mv);
    result(x, d, r);
  };
}
/** shifts by an immediate: ushr/sshr/shl, and shrn (narrowing, into the low half) */
function vshift(kind: 'ushr' | 'sshr' | 'shl' | 'shrn'): Semantics {
  return (x, i) => {
    const [d, n, amt] = i.operands;
    const immh = x.field(22, 19);
    const es = 31 - Math.clz32(immh); // 0: 8-bit ... 3: 64-bit
    const s = Number((amt as { value: bigint }).value);
    if (kind === 'shrn') {
      // source elements are twice the result's size
      const src = SHAPES[es + 1];
      const shifted = v(`${src}.shr_u`, readV(x, n), i32(s));
      return narrowInto(x, d, shifted, es);
    }
    const shape = SHAPES[es];
    result(x, d, v(`${shape}.${kind === 'ushr' ? 'shr_u' : kind === 'sshr' ? 'shr_s' : 'shl'}`, readV(x, n), i32(s)));
  };
}
/** addhn/subhn: the high half of each wide sum or difference, narrowed into the low (Q: high) 64 bits */
function highNarrow(kind: 'add' | 'sub'): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    const es = esizeOf(x); // the narrow element size
    const wide = SHAPES[es + 1];
    narrowInto(x, d, v(`${wide}.shr_u`, v(`${wide}.${kind}`, readV(x, n), readV(x, m)), i32(8 << es)), es);
  };
}
/** xtn: the low half of each element, into the low 64 bits */
const xtn: Semantics = (x, i) => {
  const [d, n] = i.operands;
  narrowInto(x, d, readV(x, n), esizeOf(x));
};
/** ld1/st1 of one to four whole registers, with optional post-increment */
function ldst1(load: boolean): Semantics {
  return (x, i) => {
    if (x.field(24, 24)) throw new Unsupported('single-lane ld1/st1');
    const regs = i.operands.filter((o) => fpr(o));
    const m = i.operands.find((o) => o.kind === 'mem');
    if (!m || m.kind !== 'mem') throw new Unsupported('ld1 without memory');
    const size = q(x) ? 16 : 8;
    x.memAccess(m, (a) => {
      regs.forEach((r, k) => {
        const at = k ? x.b.tmp(add(a, i64(k * size))) : a;
        if (load) {
          const val = size === 16 ? x.b.load('v128', 16, x.addr(at)) : lane('v128', 'i64x2.replace_lane', [0], ZERO, x.loadInt(8, at));
          x.b.setSlot(must(r).slot, val);
        } else if (size === 16) x.b.store(16, x.addr(at), readV(x, r));
        else x.storeInt(8, at, lane('i64', 'i64x2.extract_lane', [0], readV(x, r)));
      });
    });
  };
}
/**
 * Widening add/sub: the l forms widen both operands, the w forms the second; the low
 * halves, or the high ones for the `2` variants (Q set). The size field names the narrow elements.
 */
function widen(kind: 'add' | 'sub', signed: boolean, both: boolean): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    const es = esizeOf(x) + 1;
    const wide = SHAPES[es];
    const ext = (e: Expr) => v(`${wide}.extend_${q(x) ? 'high' : 'low'}_${SHAPES[es - 1]}_${signed ? 's' : 'u'}`, e);
    x.b.setSlot(must(d).slot, v(`${wide}.${kind}`, both ? ext(readV(x, n)) : readV(x, n), ext(readV(x, m))));
  };
}
/**
 * The low half of each wide element of `wide` (narrow elements of 1 << es bytes) into the
 * low 64 bits of d, the rest zero; the `2` forms (Q set) into the high 64 bits, keeping the low.
 */
function narrowInto(x: A64Block, d: Operand, wide: Expr, es: number): void {
  const half = 1 << es;
  const bytes: number[] = [];
  for (let e = 0; e < 8 / half; e++) for (let k = 0; k < half; k++) bytes.push(e * half * 2 + k);
  while (bytes.length < 16) bytes.push(16);
  const narrowed = shuffle(wide, ZERO, bytes);
  if (q(x)) return x.b.setSlot(must(d).slot, shuffle(readV(x, d), narrowed, [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]));
  writeV(x, d, narrowed, 8);
}
/** ushll/sshll #s (uxtl/sxtl: #0): widen the low half (high half for the `2` forms), then shift */
function shll(signed: boolean): Semantics {
  return (x, i) => {
    const [d, n, amt] = i.operands;
    const es = 31 - Math.clz32(x.field(22, 19)) + 1; // the wide element size
    const wide = SHAPES[es];
    const e = v(`${wide}.extend_${q(x) ? 'high' : 'low'}_${SHAPES[es - 1]}_${signed ? 's' : 'u'}`, readV(x, n));
    const s = amt && amt.kind === 'imm' ? Number(amt.value) : 0;
    x.b.setSlot(must(d).slot, s ? v(`${wide}.shl`, e, i32(s)) : e);
  };
}
/** shll: widen the low (shll2: high) half and shift left by the narrow element size */
const shllBySize: Semantics = (x, i) => {
  const [d, n] = i.operands;
  const es = esizeOf(x) + 1;
  const wide = SHAPES[es];
  const e = v(`${wide}.extend_${q(x) ? 'high' : 'low'}_${SHAPES[es - 1]}_u`, readV(x, n));
  x.b.setSlot(must(d).slot, v(`${wide}.shl`, e, i32(8 << (es - 1))));
};
/** ld1-ld4 / st1-st4 of whole registers: element j of register r is element j*N + r in memory */
function ldstN(load: boolean, n: number): Semantics {
  return (x, i) => {
    if (x.field(24, 24)) throw new Unsupported('single-lane structure loads and stores');
    const regs = i.operands.filter((o) => fpr(o));
    if (regs.length !== n && n > 1) throw new Unsupported('a register list of another length');
    const m = i.operands.find((o) => o.kind === 'mem');
    if (!m || m.kind !== 'mem') throw new Unsupported('no memory operand');
    if (n === 1) return ldst1(load)(x, i);
    const es = x.field(11, 10); // structure forms keep the element size here
    const size = 1 << es;
    const shape = SHAPES[es];
    const lanes = (q(x) ? 16 : 8) / size;
    const lt = es === 3 ? 'i64' : 'i32';
    x.memAccess(m, (a) => {
      regs.forEach((r, k) => {
        let acc: Expr = load ? ZERO : readV(x, r);
        for (let j = 0; j < lanes; j++) {
          const at = x.b.tmp(add(a, i64((j * n + k) * size)));
          if (load) {
            const e = x.loadInt(size, at);
            acc = x.b.tmp(lane('v128', `${shape}.replace_lane`, [j], acc, es === 3 ? e : wrap(e)));
          } else {
            const e = lane(lt, `${shape}.extract_lane${es < 2 ? '_u' : ''}`, [j], acc);
            x.storeInt(size, at, es === 3 ? e : zext32(e));
          }
        }
        if (load) x.b.setSlot(must(r).slot, acc);
      });
    });
  };
}

// ---- scalar floating point ----

const FT = (o: Operand) => (must(o).size === 8 ? 'f64' : 'f32');
function freadS(x: A64Block, o: Operand): Expr {
  const t = FT(o);
  return lane(t, `${t}x${t === 'f64' ? 2 : 4}.extract_lane`, [0], readV(x, o));
}
function fwriteS(x: A64Block, o: Operand, e: Expr): void {
  const t = FT(o);
  x.b.setSlot(must(o).slot, lane('v128', `${t}x${t === 'f64' ? 2 : 4}.replace_lane`, [0], ZERO, e));
}
const isVec = (o: Operand) => o.kind === 'reg' && o.reg.startsWith('v');
/** the float shape of a vector FP instruction: sz (bit 22) picks f64x2 */
const fshape = (x: A64Block) => (x.field(22, 22) ? 'f64x2' : 'f32x4');
/**
 * A NaN result as Arm makes it (FPCR.DN clear): the first NaN operand, quietened, else the
 * default NaN (positive). wasm leaves the sign and payload of a NaN result to the engine,
 * and x86 hosts make it negative.
 */
function armNaN(x: A64Block, t: 'f32' | 'f64', r: Expr, ...args: Expr[]): Expr {
  const it = t === 'f64' ? 'i64' : 'i32';
  const quiet = t === 'f64' ? 1n << 51n : 1n << 22n;
  const dflt = t === 'f64' ? 0x7ff8000000000000n : 0x7fc00000n;
  const bitsOf = (e: Expr) => op(it, `${it}.reinterpret`, e);
  const fromBits = (e: Expr) => op(t, `${t}.reinterpret`, e);
  const k = (n: bigint) => (t === 'f64' ? i64(n) : i32(n));
  const res = x.b.tmp(r);
  const ops = args.map((a) => x.b.tmp(a));
  let nan: Expr = fromBits(k(dflt));
  for (const a of [...ops].reverse()) nan = x.select(op('i32', `${t}.ne`, a, a), fromBits(op(it, `${it}.or`, bitsOf(a), k(quiet))), nan);
  return x.select(op('i32', `${t}.eq`, res, res), res, nan);
}
function farith(name: string): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    if (isVec(d)) {
      if (m.kind !== 'reg' || !isVec(m)) throw new Unsupported('a by-element floating-point form');
      return result(x, d, v(`${fshape(x)}.${name}`, readV(x, n), readV(x, m)));
    }
    const t = FT(d);
    const a = x.b.tmp(freadS(x, n));
    const c = x.b.tmp(freadS(x, m));
    fwriteS(x, d, armNaN(x, t, op(t, `${t}.${name}`, a, c), a, c));
  };
}
function funary(name: string): Semantics {
  return (x, i) => {
    const [d, n] = i.operands;
    if (isVec(d)) return result(x, d, v(`${fshape(x)}.${name}`, readV(x, n)));
    const t = FT(d);
    const a = x.b.tmp(freadS(x, n));
    fwriteS(x, d, name === 'sqrt' ? armNaN(x, t, op(t, 'f64.sqrt'.replace('f64', t), a), a) : op(t, `${t}.${name}`, a));
  };
}
/** fmadd d = a + n*m, fmsub a - n*m, fnmadd -a - n*m, fnmsub -a + n*m: fused (one rounding) */
function fmadd(neg: boolean, sub: boolean): Semantics {
  return (x, i) => {
    const [d, n, m, a] = i.operands;
    const t = FT(d);
    const negate = (e: Expr) => op(t, `${t}.neg`, e);
    const nv = x.b.tmp(freadS(x, n));
    const mv = freadS(x, m);
    const av = x.b.tmp(freadS(x, a));
    // -(n*m) is (-n)*m exactly; NaN operands keep Arm's propagation order (a, n, m)
    const n1 = x.b.tmp(sub !== neg ? negate(nv) : nv);
    const m1 = x.b.tmp(mv);
    const a1 = x.b.tmp(neg ? negate(av) : av);
    fwriteS(x, d, armNaN(x, t, x.b.call(t, t === 'f64' ? 'fma64' : 'fma32', n1, m1, a1), a1, n1, m1));
  };
}
/** fmla/fmls (vector): d += n*m or d -= n*m, fused, lane by lane */
function fmlaVec(sub: boolean): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    if (!isVec(d) || m.kind !== 'reg' || !isVec(m)) throw new Unsupported('a scalar or by-element fmla');
    const sh = fshape(x);
    const t = sh === 'f64x2' ? 'f64' : 'f32';
    const lanes = (q(x) ? 16 : 8) / (t === 'f64' ? 8 : 4);
    let acc = readV(x, d);
    const nv = x.b.tmp(readV(x, n));
    const mv = x.b.tmp(readV(x, m));
    for (let k = 0; k < lanes; k++) {
      const at = (e: Expr) => lane(t, `${sh}.extract_lane`, [k], e);
      const nk = sub ? op(t, `${t}.neg`, at(nv)) : at(nv);
      const r = x.b.call(t, t === 'f64' ? 'fma64' : 'fma32', nk, at(mv), at(acc));
      acc = x.b.tmp(lane('v128', `${sh}.replace_lane`, [k], acc, r));
    }
    result(x, d, acc);
  };
}
/** fcmp/fcmpe: N Z C V = less 1000, equal 0110, greater 0010, unordered 0011 */
const fcmp: Semantics = (x, i) => {
  const [n, m] = i.operands;
  const t = FT(n);
  const a = x.b.tmp(freadS(x, n));
  const b = x.b.tmp(m.kind === 'imm' ? op(t, `${t}.convert_s.i32`, i32(0)) : freadS(x, m));
  const lt = op('i32', `${t}.lt`, a, b);
  const eq = op('i32', `${t}.eq`, a, b);
  const un = op('i32', 'i32.and', op('i32', `${t}.eq`, a, a), op('i32', `${t}.eq`, b, b));
  const unordered = op('i32', 'i32.eqz', un);
  x.setFlagValues([
    [FLAG_SF, lt],
    [FLAG_ZF, eq],
    [FLAG_CF, op('i32', 'i32.eqz', lt)],
    [FLAG_OF, unordered],
  ]);
};
const fcsel: Semantics = (x, i) => {
  const [d, n, m, c] = i.operands;
  const cond = x.b.tmp(x.cond(Number((c as { value: bigint }).value)));
  fwriteS(x, d, x.select(cond, freadS(x, n), freadS(x, m)));
};
const fcvt: Semantics = (x, i) => {
  const [d, n] = i.operands;
  const to = FT(d);
  fwriteS(x, d, op(to, to === 'f64' ? 'f64.promote' : 'f32.demote', freadS(x, n)));
};
/** vector conversions between integer and FP lanes of the same size (sz: bit 22), lane by lane */
function vconvert(toFloat: boolean, signed: boolean, round?: string): Semantics {
  return (x, i) => {
    const [d, n] = i.operands;
    const wide = x.field(22, 22) === 1;
    const ft: Ty = wide ? 'f64' : 'f32';
    const it: Ty = wide ? 'i64' : 'i32';
    const [fsh, ish] = wide ? ['f64x2', 'i64x2'] : ['f32x4', 'i32x4'];
    const lanes = (q(x) ? 16 : 8) / (wide ? 8 : 4);
    const src = x.b.tmp(readV(x, n));
    let acc: Expr = ZERO;
    for (let k = 0; k < lanes; k++) {
      let e: Expr;
      if (toFloat) e = op(ft, `${ft}.convert_${signed ? 's' : 'u'}.${it}`, lane(it, `${ish}.extract_lane`, [k], src));
      else {
        let f = lane(ft, `${fsh}.extract_lane`, [k], src);
        if (round) f = op(ft, `${ft}.${round}`, f);
        e = op(it, `${it}.trunc_${signed ? 's' : 'u'}_sat.${ft}`, f);
      }
      acc = x.b.tmp(lane('v128', `${toFloat ? fsh : ish}.replace_lane`, [k], acc, e));
    }
    result(x, d, acc);
  };
}
function cvtf(signed: boolean): Semantics {
  return (x, i) => {
    const [d, n] = i.operands;
    if (isVec(d)) return vconvert(true, signed)(x, i);
    const t = FT(d);
    // from a general register, or (scalar scvtf d0, d1) from an FP register's low bits
    const size = fpr(n) ? (must(n).size === 8 ? 'i64' : 'i32') : n.kind === 'reg' && n.size === 4 ? 'i32' : 'i64';
    const bitsN = fpr(n) ? readBits(x, n) : x.read(n);
    const src = size === 'i32' ? wrap(bitsN) : bitsN;
    fwriteS(x, d, op(t, `${t}.convert_${signed ? 's' : 'u'}.${size}`, src));
  };
}
/** fcvtz[su] and the other rounding modes: saturating, NaN gives 0, as the architecture does */
function fcvt2int(signed: boolean, round?: string): Semantics {
  return (x, i) => {
    const [d, n] = i.operands;
    if (isVec(d)) return vconvert(false, signed, round)(x, i);
    const t = FT(n);
    let f = freadS(x, n);
    if (round) f = op(t, `${t}.${round}`, f);
    // into a general register, or (fcvtzs d0, d1) into an FP register's low bits
    const size = (fpr(d) ? must(d).size : d.kind === 'reg' ? d.size : 8) === 4 ? 'i32' : 'i64';
    const r = op(size, `${size}.trunc_s_sat.${t}`.replace('_s_', signed ? '_s_' : '_u_'), f);
    const v = size === 'i32' ? zext32(r) : r;
    if (fpr(d)) writeBits(x, d, v);
    else x.write(d, v);
  };
}

/** lane-wise multiply; wasm has none for bytes */
function vmul(shape: string, a: Expr, b: Expr): Expr {
  if (shape !== 'i8x16') return v(`${shape}.mul`, a, b);
  // bytes: multiply as halfwords and keep the low byte of each product
  const half = (h: 'low' | 'high') => v('i16x8.mul', v(`i16x8.extend_${h}_i8x16_u`, a), v(`i16x8.extend_${h}_i8x16_u`, b));
  return shuffle(half('low'), half('high'), Array.from({ length: 16 }, (_, k) => 2 * k));
}

const SECOND_HALF = ['addhn', 'subhn', 'shll', 'uaddw', 'saddw', 'usubw', 'ssubw', 'uaddl', 'saddl', 'usubl', 'ssubl', 'ushll', 'sshll', 'uxtl', 'sxtl', 'shrn', 'xtn'];

Object.assign(VECTOR, {
  add: same3((_x, a, b, s) => v(`${s}.add`, a, b)),
  sub: same3((_x, a, b, s) => v(`${s}.sub`, a, b)),
  and: bitwise('v128.and'), orr: bitwise('v128.or'), eor: bitwise('v128.xor'), bic: bitwise('v128.andnot'), orn: bitwise('v128.or', true),
  not, mvn: not, bsl: select3('bsl'), bit: select3('bit'), bif: select3('bif'),
  cmeq: cmp('eq'), cmhs: cmp('ge_u'), cmhi: cmp('gt_u'), cmge: cmp('ge_s'), cmgt: cmp('gt_s'), cmle: cmp('le_s'), cmlt: cmp('lt_s'),
  umaxp: pairwise('max_u'), uminp: pairwise('min_u'), addp: pairwise('add'),
  mul: same3((_x, a, b, s) => vmul(s, a, b)),
  mla: (x: A64Block, i: Insn) => same3((_x, a, b, s) => v(`${s}.add`, readV(x, i.operands[0]), vmul(s, a, b)))(x, i),
  mls: (x: A64Block, i: Insn) => same3((_x, a, b, s) => v(`${s}.sub`, readV(x, i.operands[0]), vmul(s, a, b)))(x, i),
  umax: same3((_x, a, b, s) => v(`${s}.max_u`, a, b)), umin: same3((_x, a, b, s) => v(`${s}.min_u`, a, b)),
  addv: across('add'), umaxv: across('max_u'), uminv: across('min_u'),
  dup, umov, ins, mov: vmov, ext, uzp1: unzip(false), uzp2: unzip(true),
  rev64: vrev(8), rev32: vrev(4), rev16: vrev(2), cnt,
  addhn: highNarrow('add'), subhn: highNarrow('sub'),
  ushr: vshift('ushr'), sshr: vshift('sshr'), shl: vshift('shl'), shrn: vshift('shrn'), xtn,
  ld1: ldstN(true, 1), st1: ldstN(false, 1), ld2: ldstN(true, 2), st2: ldstN(false, 2), ld3: ldstN(true, 3), st3: ldstN(false, 3), ld4: ldstN(true, 4), st4: ldstN(false, 4),
  uaddw: widen('add', false, false), saddw: widen('add', true, false), usubw: widen('sub', false, false), ssubw: widen('sub', true, false),
  uaddl: widen('add', false, true), saddl: widen('add', true, true), usubl: widen('sub', false, true), ssubl: widen('sub', true, true),
  shll: shllBySize, ushll: shll(false), sshll: shll(true), uxtl: shll(false), sxtl: shll(true),
  fadd: farith('add'), fsub: farith('sub'), fmul: farith('mul'), fdiv: farith('div'),
  fmax: farith('max'), fmin: farith('min'), fmaxnm: farith('max'), fminnm: farith('min'),
  fnmul: (x: A64Block, i: Insn) => { farith('mul')(x, i); const d = i.operands[0]; fwriteS(x, d, op(FT(d), `${FT(d)}.neg`, freadS(x, d))); },
  fsqrt: funary('sqrt'), fabs: funary('abs'), fneg: funary('neg'),
  frintm: funary('floor'), frintp: funary('ceil'), frintz: funary('trunc'), frintn: funary('nearest'), frinti: funary('nearest'), frintx: funary('nearest'),
  fmadd: fmadd(false, false), fmsub: fmadd(false, true), fnmadd: fmadd(true, false), fnmsub: fmadd(true, true),
  fcmp, fcmpe: fcmp, fcsel, fcvt,
  fmla: fmlaVec(false), fmls: fmlaVec(true),
  scvtf: cvtf(true), ucvtf: cvtf(false),
  fcvtzs: fcvt2int(true), fcvtzu: fcvt2int(false),
  fcvtms: fcvt2int(true, 'floor'), fcvtmu: fcvt2int(false, 'floor'), fcvtps: fcvt2int(true, 'ceil'), fcvtpu: fcvt2int(false, 'ceil'),
  fcvtns: fcvt2int(true, 'nearest'), fcvtnu: fcvt2int(false, 'nearest'),
});
// the `2` forms (uaddw2, xtn2 ...) differ only in Q, which the implementations read
for (const n of SECOND_HALF) VECTOR[`${n}2`] = VECTOR[n];
