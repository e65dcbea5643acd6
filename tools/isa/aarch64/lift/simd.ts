// aarch64 floating point and Advanced SIMD: FP/SIMD loads and stores, moves between
// register files, scalar arithmetic, compares and conversions, and the vector operations
// of the C library's string functions, gcc's auto-vectoriser and arm_neon.h, as wasm SIMD
// (lane by lane where wasm has no match). FP results follow Arm's rules (NaN propagation,
// fmaxnm, ties-away rounding), written once for scalars and lanes (FK below).
//
// Registers v0..v31 are v128 slots; a scalar write (d, s, h, b views) zeroes the rest of
// the register, as the architecture does. Arrangements (.16b, .4s ...) come from the word.
import { i32, i64, lane, op, type Expr, type Ty } from '../../../ir/index.js';
import type { Insn, Operand } from '../../types.js';
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

/**
 * The third operand of a three-register form: a register, or (by element: v2.s[3]) that one
 * lane of it in every lane. The element size is the size field's (for FP: 2 single, 3 double).
 */
function third(x: A64Block, i: Insn): Expr {
  const [, , m, idx] = i.operands;
  const mv = readV(x, m);
  if (idx?.kind !== 'imm') return mv;
  const es = 1 << x.field(23, 22);
  const k = Number(idx.value);
  return shuffle(mv, mv, Array.from({ length: 16 }, (_, j) => k * es + (j % es)));
}
/** the scalar third operand: s2, or one lane (fmul s0, s1, v2.s[3]) */
function fthird(x: A64Block, i: Insn): Expr {
  const [d, , m, idx] = i.operands;
  if (idx?.kind !== 'imm') return freadS(x, m);
  const t = FT(d);
  return lane(t, `${t}x${t === 'f64' ? 2 : 4}.extract_lane`, [Number(idx.value)], readV(x, m));
}
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
    result(x, d, f(x, readV(x, n), m.kind === 'reg' ? third(x, i) : readV(x, m), SHAPES[esizeOf(x)]));
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
/** the even and the odd elements (of `es` bytes) of n:m; a 64-bit arrangement pairs within the two low halves */
function pairsOf(x: A64Block, a0: Expr, b0: Expr, es: number): [Expr, Expr] {
  let a = a0;
  let b = b0;
  if (!q(x)) {
    a = x.b.tmp(shuffle(a, b, [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]));
    b = ZERO;
  } else {
    a = x.b.tmp(a);
    b = x.b.tmp(b);
  }
  return [shuffle(a, b, pairIdx(es, false)), shuffle(a, b, pairIdx(es, true))];
}
function pairwise(name: string): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    if (!m) {
      // scalar addp d0, v1.2d: the sum of the two lanes
      const a = readV(x, n);
      return writeBits(x, d, add(lane('i64', 'i64x2.extract_lane', [0], a), lane('i64', 'i64x2.extract_lane', [1], a)));
    }
    const [evens, odds] = pairsOf(x, readV(x, n), readV(x, m), 1 << esizeOf(x));
    result(x, d, v(`${SHAPES[esizeOf(x)]}.${name}`, evens, odds));
  };
}
/** across all lanes: addv, umaxv, uminv (a scalar of the element size) */
function across(name: 'add' | 'max_u' | 'min_u' | 'max_s' | 'min_s'): Semantics {
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
/** shl by an immediate (0 to esize - 1); the right shifts are shiftRight and shiftNarrow */
const shlImm: Semantics = (x, i) => {
  const [d, n, amt] = i.operands;
  const es = 31 - Math.clz32(x.field(22, 19)); // 0: 8-bit ... 3: 64-bit
  const out = v(`${SHAPES[es]}.shl`, readV(x, n), i32(Number((amt as { value: bigint }).value)));
  if (isVec(d)) return result(x, d, out);
  writeBits(x, d, lane('i64', 'i64x2.extract_lane', [0], out)); // scalar: d registers only
};
/** addhn/subhn (raddhn/rsubhn: rounded): the high half of each wide sum or difference, narrowed into the low (Q: high) 64 bits */
function highNarrow(kind: 'add' | 'sub', round = false): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    const es = esizeOf(x); // the narrow element size
    const wide = SHAPES[es + 1];
    let r = v(`${wide}.${kind}`, readV(x, n), readV(x, m));
    if (round) r = v(`${wide}.add`, r, kv(es + 1, 1n << BigInt((8 << es) - 1)));
    narrowInto(x, d, v(`${wide}.shr_u`, r, i32(8 << es)), es);
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
    const regs = i.operands.filter((o) => fpr(o));
    const size = q(x) ? 16 : 8;
    structAccess(x, i, (a) => {
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
  placeNarrow(x, d, lowHalves(wide, es));
}
/** the low half of each wide element, packed into the low 64 bits */
function lowHalves(wide: Expr, es: number): Expr {
  const half = 1 << es;
  const bytes: number[] = [];
  for (let e = 0; e < 8 / half; e++) for (let k = 0; k < half; k++) bytes.push(e * half * 2 + k);
  while (bytes.length < 16) bytes.push(16);
  return shuffle(wide, ZERO, bytes);
}
/** 64 narrowed bits (the low half of `narrowed`) into d's low half, the rest zero; the `2` forms (Q) into its high half */
function placeNarrow(x: A64Block, d: Operand, narrowed: Expr): void {
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
    if (x.field(24, 24)) return ldstLane(load)(x, i);
    const regs = i.operands.filter((o) => fpr(o));
    if (regs.length !== n && n > 1) throw new Unsupported('a register list of another length');
    if (n === 1) return ldst1(load)(x, i);
    const es = x.field(11, 10); // structure forms keep the element size here
    const size = 1 << es;
    const shape = SHAPES[es];
    const lanes = (q(x) ? 16 : 8) / size;
    const lt = es === 3 ? 'i64' : 'i32';
    structAccess(x, i, (a) => {
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
const fshape = (x: A64Block): FShape => (x.field(22, 22) ? 'f64x2' : 'f32x4');
// ---- Arm's FP rules, written once for a scalar (f32, f64) or for every lane (f32x4, f64x2) ----

type FShape = 'f32' | 'f64' | 'f32x4' | 'f64x2';
class FK {
  readonly vec: boolean;
  readonly wide: boolean;
  readonly ty: Ty;
  constructor(readonly x: A64Block, readonly sh: FShape) {
    this.vec = sh.length > 3;
    this.wide = sh.startsWith('f64');
    this.ty = this.vec ? 'v128' : (sh as Ty);
  }
  get quiet(): bigint { return this.wide ? 1n << 51n : 1n << 22n; }
  get sign(): bigint { return this.wide ? 1n << 63n : 1n << 31n; }
  tmp(e: Expr): Expr { return this.x.b.tmp(e); }
  f(name: string, ...a: Expr[]): Expr { return op(this.ty, `${this.sh}.${name}`, ...a); }
  /** a lane-wise condition: i32 0/1 for a scalar, a lane mask for a vector */
  is(name: string, a: Expr, b: Expr): Expr { return this.vec ? v(`${this.sh}.${name}`, a, b) : op('i32', `${this.sh}.${name}`, a, b); }
  and(a: Expr, b: Expr): Expr { return this.vec ? v('v128.and', a, b) : op('i32', 'i32.and', a, b); }
  or(a: Expr, b: Expr): Expr { return this.vec ? v('v128.or', a, b) : op('i32', 'i32.or', a, b); }
  sel(c: Expr, a: Expr, b: Expr): Expr { return this.vec ? v('v128.bitselect', a, b, c) : this.x.select(c, a, b); }
  /** the value with these bits (in every lane) */
  k(bits: bigint): Expr {
    if (this.vec) return splat64(this.wide ? bits : bits | (bits << 32n));
    return this.wide ? op('f64', 'f64.reinterpret', i64(bits)) : op('f32', 'f32.reinterpret', i32(bits));
  }
  /** a bitwise operation on the bits of a value */
  bits(name: 'and' | 'or' | 'xor', a: Expr, b: Expr | bigint): Expr {
    const c = typeof b === 'bigint' ? this.k(b) : b;
    if (this.vec) return v(`v128.${name}`, a, c);
    const it = this.wide ? 'i64' : 'i32';
    const t = this.sh as Ty;
    return op(t, `${t}.reinterpret`, op(it, `${it}.${name}`, op(it, `${it}.reinterpret`, a), op(it, `${it}.reinterpret`, c)));
  }
  isNaN(a: Expr): Expr { return this.is('ne', a, a); }
  isQuietNaN(a: Expr): Expr {
    const it = this.wide ? 'i64' : 'i32';
    if (this.vec) return this.and(this.isNaN(a), v(`${it}x${this.wide ? 2 : 4}.ne`, v('v128.and', a, this.k(this.quiet)), ZERO));
    return this.and(this.isNaN(a), op('i32', `${it}.ne`, op(it, `${it}.and`, op(it, `${it}.reinterpret`, a), this.wide ? i64(this.quiet) : i32(this.quiet)), this.wide ? i64(0) : i32(0)));
  }
}

/**
 * A NaN result as Arm makes it (FPCR.DN clear): the first NaN operand, quietened, else the
 * default NaN (positive). wasm leaves the sign and payload of a NaN result to the engine,
 * and x86 hosts make it negative. (A signalling NaN after a quiet one is not preferred.)
 */
function nanFix(k: FK, r: Expr, ...args: Expr[]): Expr {
  const res = k.tmp(r);
  const ops = args.map((a) => k.tmp(a));
  let nan = k.k(k.wide ? 0x7ff8000000000000n : 0x7fc00000n);
  for (const a of [...ops].reverse()) nan = k.sel(k.isNaN(a), k.bits('or', a, k.quiet), nan);
  return k.sel(k.is('eq', res, res), res, nan);
}
function armNaN(x: A64Block, t: 'f32' | 'f64', r: Expr, ...args: Expr[]): Expr {
  return nanFix(new FK(x, t), r, ...args);
}
/** a two-operand FP operation as Arm defines it (add sub mul div max min, maxnm minnm mulx abd) */
function fbin(k: FK, name: string, a0: Expr, b0: Expr): Expr {
  const a = k.tmp(a0);
  const b = k.tmp(b0);
  switch (name) {
    case 'maxnm':
    case 'minnm': {
      // a quiet NaN against a number gives the number
      const an = k.tmp(k.sel(k.and(k.isQuietNaN(a), k.is('eq', b, b)), b, a));
      const bn = k.tmp(k.sel(k.and(k.isQuietNaN(b), k.is('eq', a, a)), a, b));
      return nanFix(k, k.f(name.slice(0, 3), an, bn), an, bn);
    }
    case 'mulx': {
      // as fmul, but 0 * inf is 2 with the product's sign
      const inf = k.k(k.wide ? 0x7ff0000000000000n : 0x7f800000n);
      const zero = k.k(0n);
      const zi = (p: Expr, q: Expr) => k.and(k.is('eq', p, zero), k.is('eq', k.f('abs', q), inf));
      const two = k.bits('or', k.bits('and', k.bits('xor', a, b), k.sign), k.wide ? 0x4000000000000000n : 0x40000000n);
      return nanFix(k, k.sel(k.or(zi(a, b), zi(b, a)), two, k.f('mul', a, b)), a, b);
    }
    case 'abd':
      return k.f('abs', nanFix(k, k.f('sub', a, b), a, b));
  }
  return nanFix(k, k.f(name, a, b), a, b);
}
/** round to integral, ties away from zero (frinta, fcvta[su]): |a - trunc(a)| is exact */
function roundAway(k: FK, a0: Expr): Expr {
  const a = k.tmp(a0);
  const t = k.tmp(k.f('trunc', a));
  const half = k.k(k.wide ? 0x3fe0000000000000n : 0x3f000000n);
  const one = k.bits('or', k.bits('and', a, k.sign), k.wide ? 0x3ff0000000000000n : 0x3f800000n);
  return k.sel(k.is('ge', k.f('abs', k.f('sub', a, t)), half), k.f('add', t, one), t);
}
/** a rounding to integral by name: wasm's (floor ceil trunc nearest) or Arm's ties-away */
const roundBy = (k: FK, mode: string, a: Expr): Expr => (mode === 'away' ? roundAway(k, a) : k.f(mode, a));

function farith(name: string): Semantics {
  return (x, i) => {
    const [d, n] = i.operands;
    if (isVec(d)) return result(x, d, fbin(new FK(x, fshape(x)), name, readV(x, n), third(x, i)));
    const t = FT(d);
    fwriteS(x, d, fbin(new FK(x, t), name, freadS(x, n), fthird(x, i)));
  };
}
function funary(name: string): Semantics {
  return (x, i) => {
    const [d, n] = i.operands;
    const k = new FK(x, isVec(d) ? fshape(x) : FT(d));
    const a = k.tmp(isVec(d) ? readV(x, n) : freadS(x, n));
    const r = name === 'abs' || name === 'neg' ? k.f(name, a) : nanFix(k, name === 'sqrt' ? k.f('sqrt', a) : roundBy(k, name, a), a);
    if (isVec(d)) return result(x, d, r);
    fwriteS(x, d, r);
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
/** fmla/fmls: d += n*m or d -= n*m, fused, lane by lane; m may be one lane (by element) */
function fmlaVec(sub: boolean): Semantics {
  return (x, i) => {
    const [d, n] = i.operands;
    if (!isVec(d)) {
      // fmla s0, s1, v2.s[3]
      const t = FT(d);
      const av = x.b.tmp(freadS(x, d));
      const nv = x.b.tmp(sub ? op(t, `${t}.neg`, freadS(x, n)) : freadS(x, n));
      const mv = x.b.tmp(fthird(x, i));
      return fwriteS(x, d, armNaN(x, t, x.b.call(t, t === 'f64' ? 'fma64' : 'fma32', nv, mv, av), av, nv, mv));
    }
    const sh = fshape(x);
    const t = sh === 'f64x2' ? 'f64' : 'f32';
    const lanes = (q(x) ? 16 : 8) / (t === 'f64' ? 8 : 4);
    const dv = x.b.tmp(readV(x, d));
    const nv = x.b.tmp(sub ? v(`${sh}.neg`, readV(x, n)) : readV(x, n));
    const mv = x.b.tmp(third(x, i));
    let acc = dv;
    for (let k = 0; k < lanes; k++) {
      const at = (e: Expr) => lane(t, `${sh}.extract_lane`, [k], e);
      const r = x.b.call(t, t === 'f64' ? 'fma64' : 'fma32', at(nv), at(mv), at(dv));
      acc = x.b.tmp(lane('v128', `${sh}.replace_lane`, [k], acc, r));
    }
    // NaN operands in Arm's order: the addend, then n, then m
    result(x, d, nanFix(new FK(x, sh), acc, dv, nv, mv));
  };
}
/** fcmp/fcmpe: N Z C V = less 1000, equal 0110, greater 0010, unordered 0011 */
const fcmp: Semantics = (x, i) => {
  const [n, m] = i.operands;
  const t = FT(n);
  const a = x.b.tmp(freadS(x, n));
  const b = x.b.tmp(m.kind === 'imm' ? op(t, `${t}.convert_s.i32`, i32(0)) : freadS(x, m));
  x.floatCompareFlags(t === 'f64' ? 8 : 4, a, b);
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
        if (round) f = roundBy(new FK(x, ft as FShape), round, f);
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
    if (round) f = roundBy(new FK(x, t), round, f);
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

// ---- structure loads and stores: single lanes and replication ----

/** the structure forms' address: the base, post-incremented by the operand after the memory operand (an immediate or a register) */
function structAccess(x: A64Block, i: Insn, access: (a: Expr) => void): void {
  const k = i.operands.findIndex((o) => o.kind === 'mem');
  const m = i.operands[k];
  if (!m || m.kind !== 'mem' || !m.base) throw new Unsupported('no memory operand');
  const base = x.b.tmp(x.getReg(m.base));
  access(base);
  if (m.writeback === 'post') x.setReg(m.base, add(base, x.read(i.operands[k + 1])));
}
/** ld1-ld4/st1-st4 of one lane: structure element k at a + k * esize, lane index from Q:S:size */
function ldstLane(load: boolean): Semantics {
  return (x, i) => {
    const regs = i.operands.filter((o) => fpr(o));
    const sc = x.field(15, 14);
    const size = x.field(11, 10);
    const qs = (x.field(30, 30) << 1) | x.field(12, 12);
    const es = sc === 2 ? (size & 1 ? 3 : 2) : sc;
    const idx = es === 0 ? (qs << 2) | size : es === 1 ? (qs << 1) | (size >> 1) : es === 2 ? qs : qs >> 1;
    const shape = SHAPES[es];
    structAccess(x, i, (a) => {
      regs.forEach((r, k) => {
        const at = k ? x.b.tmp(add(a, i64(k << es))) : a;
        if (load) {
          const e = x.loadInt(1 << es, at);
          x.b.setSlot(must(r).slot, lane('v128', `${shape}.replace_lane`, [idx], readV(x, r), es === 3 ? e : wrap(e)));
        } else {
          const e = lane(es === 3 ? 'i64' : 'i32', `${shape}.extract_lane${es < 2 ? '_u' : ''}`, [idx], readV(x, r));
          x.storeInt(1 << es, at, es === 3 ? e : zext32(e));
        }
      });
    });
  };
}
/** ld1r-ld4r: structure element k into every lane of register k */
const ldRep: Semantics = (x, i) => {
  const regs = i.operands.filter((o) => fpr(o));
  const es = x.field(11, 10);
  structAccess(x, i, (a) => {
    const vals = regs.map((_, k) => x.loadInt(1 << es, k ? x.b.tmp(add(a, i64(k << es))) : a));
    regs.forEach((r, k) => result(x, r, v(`${SHAPES[es]}.splat`, es === 3 ? vals[k] : wrap(vals[k]))));
  });
};

// ---- permutes ----

/** tbl/tbx: bytes of up to four table registers by index; out of range gives 0 (tbl) or keeps d (tbx) */
function table(keep: boolean): Semantics {
  return (x, i) => {
    const d = i.operands[0];
    const tables = i.operands.slice(1, -1);
    const idx = x.b.tmp(readV(x, i.operands[i.operands.length - 1]));
    // swizzle gives 0 for an index past 15: each table answers for its own 16 indexes
    let r: Expr = ZERO;
    tables.forEach((t, k) => {
      const part = v('i8x16.swizzle', readV(x, t), k ? v('i8x16.sub', idx, kv(0, BigInt(16 * k))) : idx);
      r = k ? v('v128.or', r, part) : part;
    });
    if (keep) r = v('v128.bitselect', r, readV(x, d), v('i8x16.lt_u', idx, kv(0, BigInt(16 * tables.length))));
    result(x, d, r);
  };
}
/** zip1/zip2 interleave the low (high) halves; trn1/trn2 the even (odd) elements, pair by pair */
function interleave(kind: 'zip' | 'trn', second: boolean): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    const es = 1 << esizeOf(x);
    const lanes = (q(x) ? 16 : 8) / es;
    const bytes: number[] = [];
    for (let j = 0; j < lanes; j++) {
      const e = kind === 'zip' ? (second ? lanes / 2 : 0) + (j >> 1) : (j & ~1) + (second ? 1 : 0);
      for (let k = 0; k < es; k++) bytes.push((j & 1 ? 16 : 0) + e * es + k);
    }
    while (bytes.length < 16) bytes.push(0);
    result(x, d, shuffle(readV(x, n), readV(x, m), bytes));
  };
}

// ---- integer arithmetic: saturating, halving, widening, by element ----

/** a constant with every lane (1 << es bytes) equal to `val` */
function kv(es: number, val: bigint): Expr {
  const bits = 8 << es;
  const one = BigInt.asUintN(bits, val);
  let r = 0n;
  for (let k = 0; k < 64; k += bits) r |= one << BigInt(k);
  return splat64(r);
}
const minS = (es: number) => -(1n << BigInt((8 << es) - 1));
const maxS = (es: number) => (1n << BigInt((8 << es) - 1)) - 1n;
const maxU = (es: number) => (1n << BigInt(8 << es)) - 1n;
/** lane-wise comparisons, signed or unsigned; i64x2 has no unsigned ones: flip the sign bits */
function vcmp(es: number, name: 'lt' | 'gt', signed: boolean, a: Expr, b: Expr): Expr {
  const sh = SHAPES[es];
  if (signed) return v(`${sh}.${name}_s`, a, b);
  if (es < 3) return v(`${sh}.${name}_u`, a, b);
  const flip = (e: Expr) => v('v128.xor', e, kv(3, minS(3)));
  return v(`${sh}.${name}_s`, flip(a), flip(b));
}
/** shift right by 1..esize: by the whole element gives the sign (0 unsigned), where wasm would shift by 0 */
function shr(es: number, signed: boolean, a: Expr, s: number): Expr {
  if (s >= 8 << es) return signed ? v(`${SHAPES[es]}.shr_s`, a, i32((8 << es) - 1)) : ZERO;
  return v(`${SHAPES[es]}.shr_${signed ? 's' : 'u'}`, a, i32(s));
}
/** (a + 2^(s-1)) >> s without the overflow of the sum: floor(a / 2^s) plus bit s-1 of a */
function rshr(x: A64Block, es: number, signed: boolean, a0: Expr, s: number): Expr {
  const a = x.b.tmp(a0);
  return v(`${SHAPES[es]}.add`, shr(es, signed, a, s), v('v128.and', shr(es, false, a, s - 1), kv(es, 1n)));
}
/** sqadd/uqadd/sqsub/uqsub lane-wise; wasm has them for bytes and halfwords only */
function satArith(x: A64Block, es: number, sub: boolean, signed: boolean, a0: Expr, b0: Expr): Expr {
  const sh = SHAPES[es];
  if (es < 2) return v(`${sh}.${sub ? 'sub' : 'add'}_saturate_${signed ? 's' : 'u'}`, a0, b0);
  const a = x.b.tmp(a0);
  const b = x.b.tmp(b0);
  const r = x.b.tmp(v(`${sh}.${sub ? 'sub' : 'add'}`, a, b));
  if (!signed) return sub ? v('v128.andnot', r, vcmp(es, 'lt', false, a, b)) : v('v128.or', r, vcmp(es, 'lt', false, r, a));
  // overflow: operand signs (add: alike, sub: unlike) and a result sign unlike a's; the limit by a's sign
  const top = (8 << es) - 1;
  const signs = sub ? v('v128.xor', a, b) : v('v128.not', v('v128.xor', a, b));
  const ovf = v(`${sh}.shr_s`, v('v128.and', signs, v('v128.xor', a, r)), i32(top));
  return v('v128.bitselect', v('v128.xor', v(`${sh}.shr_s`, a, i32(top)), kv(es, maxS(es))), r, ovf);
}
/** wide elements saturated into the range of elements of 1 << es bytes, packed into the low 64 bits */
function satNarrow(x: A64Block, wide: Expr, es: number, srcSigned: boolean, dstSigned: boolean): Expr {
  const w = x.b.tmp(wide);
  if (es < 2 && srcSigned) return v(`${SHAPES[es]}.narrow_${SHAPES[es + 1]}_${dstSigned ? 's' : 'u'}`, w, ZERO);
  const hi = dstSigned ? maxS(es) : maxU(es);
  let r = v('v128.bitselect', kv(es + 1, hi), w, vcmp(es + 1, 'gt', srcSigned, w, kv(es + 1, hi)));
  if (srcSigned) {
    const lo = dstSigned ? minS(es) : 0n;
    r = v('v128.bitselect', kv(es + 1, lo), r, vcmp(es + 1, 'lt', true, w, kv(es + 1, lo)));
  }
  return lowHalves(r, es);
}
/** the scalar forms (sqadd b0, b1, b2): the vector operation's lane 0 */
function scalarLane0(x: A64Block, d: Operand, e: Expr, es: number): void {
  const l = es === 3 ? lane('i64', 'i64x2.extract_lane', [0], e) : zext32(lane('i32', `${SHAPES[es]}.extract_lane${es < 2 ? '_u' : ''}`, [0], e));
  writeBits(x, d, l);
}
function saturating(sub: boolean, signed: boolean): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    const es = esizeOf(x);
    const r = satArith(x, es, sub, signed, readV(x, n), readV(x, m));
    if (isVec(d)) return result(x, d, r);
    scalarLane0(x, d, r, es);
  };
}
/** sqxtn/uqxtn/sqxtun (and the `2` forms) */
function satXtn(srcSigned: boolean, dstSigned: boolean): Semantics {
  return (x, i) => placeNarrow(x, i.operands[0], satNarrow(x, readV(x, i.operands[1]), esizeOf(x), srcSigned, dstSigned));
}
/** shift right and narrow: shrn, rshrn, and the saturating sqshrn uqshrn sqshrun (r: rounding) */
function shiftNarrow(round: boolean, sat?: { srcSigned: boolean; dstSigned: boolean }): Semantics {
  return (x, i) => {
    const [d, n, amt] = i.operands;
    const es = 31 - Math.clz32(x.field(22, 19)); // the narrow element size
    const s = Number((amt as { value: bigint }).value);
    const signed = sat?.srcSigned ?? false;
    const w = round ? rshr(x, es + 1, signed, readV(x, n), s) : shr(es + 1, signed, readV(x, n), s);
    placeNarrow(x, d, sat ? satNarrow(x, w, es, sat.srcSigned, sat.dstSigned) : lowHalves(w, es));
  };
}
/** shifts right by an immediate: sshr/ushr, rounding srshr/urshr, accumulating ssra/usra/srsra/ursra */
function shiftRight(signed: boolean, round: boolean, accumulate: boolean): Semantics {
  return (x, i) => {
    const [d, n, amt] = i.operands;
    const es = 31 - Math.clz32(x.field(22, 19));
    const s = Number((amt as { value: bigint }).value);
    const r = round ? rshr(x, es, signed, readV(x, n), s) : shr(es, signed, readV(x, n), s);
    const out = accumulate ? v(`${SHAPES[es]}.add`, readV(x, d), r) : r;
    if (isVec(d)) return result(x, d, out);
    writeBits(x, d, lane('i64', 'i64x2.extract_lane', [0], out)); // scalar: d registers only
  };
}
/** sli/sri: shift n and insert it, keeping the bits of d the shift leaves empty */
function shiftInsert(left: boolean): Semantics {
  return (x, i) => {
    const [d, n, amt] = i.operands;
    const es = 31 - Math.clz32(x.field(22, 19));
    const s = Number((amt as { value: bigint }).value);
    const bits = BigInt(8 << es);
    const ones = maxU(es);
    const moved = left ? (s ? v(`${SHAPES[es]}.shl`, readV(x, n), i32(s)) : readV(x, n)) : shr(es, false, readV(x, n), s);
    const keep = left ? (1n << BigInt(s)) - 1n : BigInt.asUintN(Number(bits), ~(ones >> BigInt(s)));
    const out = v('v128.or', moved, v('v128.and', readV(x, d), kv(es, keep)));
    if (isVec(d)) return result(x, d, out);
    writeBits(x, d, lane('i64', 'i64x2.extract_lane', [0], out));
  };
}
/** sqshl/uqshl/sqshlu #s: a left shift that saturates when bits (or the sign) would be lost */
function shiftLeftSat(signed: boolean, unsignedResult: boolean): Semantics {
  return (x, i) => {
    const [d, n, amt] = i.operands;
    const es = 31 - Math.clz32(x.field(22, 19));
    const sh = SHAPES[es];
    const s = Number((amt as { value: bigint }).value);
    const a = x.b.tmp(readV(x, n));
    const r = x.b.tmp(v(`${sh}.shl`, a, i32(s)));
    const lost = v('v128.not', v(`${sh}.eq`, v(`${sh}.shr_${signed && !unsignedResult ? 's' : 'u'}`, r, i32(s)), a));
    let out: Expr;
    if (!signed) out = v('v128.or', r, lost);
    else if (unsignedResult) out = v('v128.andnot', v('v128.or', r, lost), v(`${sh}.lt_s`, a, ZERO)); // negative gives 0
    else out = v('v128.bitselect', v('v128.xor', v(`${sh}.shr_s`, a, i32((8 << es) - 1)), kv(es, maxS(es))), r, lost);
    if (isVec(d)) return result(x, d, out);
    scalarLane0(x, d, out, es);
  };
}
/** sqdmulh/sqrdmulh: the high half of 2*a*b (rounded), saturated: only MIN * MIN overflows */
function doublingMulHigh(round: boolean): Semantics {
  return (x, i) => {
    const [d, n] = i.operands;
    const es = esizeOf(x);
    const sh = SHAPES[es];
    const wide = SHAPES[es + 1];
    const a = x.b.tmp(readV(x, n));
    const b = x.b.tmp(third(x, i));
    const half = (h: 'low' | 'high') => {
      let p = v(`${wide}.extmul_${h}_${sh}_s`, a, b);
      if (round) p = v(`${wide}.add`, p, kv(es + 1, 1n << BigInt((8 << es) - 2)));
      return v(`${wide}.shr_s`, p, i32((8 << es) - 1));
    };
    // the low halves of the shifted wide products, in order
    const bytes = Array.from({ length: 16 }, (_, j) => {
      const e = j >> es;
      const k = j & ((1 << es) - 1);
      return (e < 8 >> es ? 0 : 16) + (e % (8 >> es)) * (2 << es) + k;
    });
    const r = shuffle(half('low'), half('high'), bytes);
    const min = kv(es, minS(es));
    const ovf = v('v128.and', v(`${sh}.eq`, a, min), v(`${sh}.eq`, b, min));
    const out = v('v128.bitselect', kv(es, maxS(es)), r, ovf);
    if (isVec(d)) return result(x, d, out);
    scalarLane0(x, d, out, es);
  };
}
/** smull/umull/smlal/umlal/smlsl/umlsl (and `2`, and by element): widening products, accumulated */
function mulLong(signed: boolean, accumulate: 0 | 1 | -1): Semantics {
  return (x, i) => {
    const [d, n] = i.operands;
    const es = esizeOf(x);
    const wide = SHAPES[es + 1];
    const p = v(`${wide}.extmul_${q(x) ? 'high' : 'low'}_${SHAPES[es]}_${signed ? 's' : 'u'}`, readV(x, n), third(x, i));
    x.b.setSlot(must(d).slot, accumulate ? v(`${wide}.${accumulate > 0 ? 'add' : 'sub'}`, readV(x, d), p) : p);
  };
}
/** |a - b| as max - min, lane-wise */
const absDiff = (es: number, signed: boolean, a: Expr, b: Expr) =>
  v(`${SHAPES[es]}.sub`, v(`${SHAPES[es]}.max_${signed ? 's' : 'u'}`, a, b), v(`${SHAPES[es]}.min_${signed ? 's' : 'u'}`, a, b));
/** sabd/uabd, saba/uaba */
function abd(signed: boolean, accumulate: boolean): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    const es = esizeOf(x);
    const r = absDiff(es, signed, readV(x, n), readV(x, m));
    result(x, d, accumulate ? v(`${SHAPES[es]}.add`, readV(x, d), r) : r);
  };
}
/** sabdl/uabdl/sabal/uabal (and `2`): the widened absolute differences */
function abdLong(signed: boolean, accumulate: boolean): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    const es = esizeOf(x) + 1;
    const ext = (e: Expr) => v(`${SHAPES[es]}.extend_${q(x) ? 'high' : 'low'}_${SHAPES[es - 1]}_${signed ? 's' : 'u'}`, e);
    const r = absDiff(es, true, ext(readV(x, n)), ext(readV(x, m)));
    x.b.setSlot(must(d).slot, accumulate ? v(`${SHAPES[es]}.add`, readV(x, d), r) : r);
  };
}
/** shadd/uhadd/srhadd/urhadd/shsub/uhsub: (a ± b (+1)) >> 1 without the overflow */
function halving(kind: 'add' | 'radd' | 'sub', signed: boolean): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    const es = esizeOf(x);
    const sh = SHAPES[es];
    const a = x.b.tmp(readV(x, n));
    const b = x.b.tmp(readV(x, m));
    const h = (e: Expr) => v(`${sh}.shr_${signed ? 's' : 'u'}`, e, i32(1));
    const one = kv(es, 1n);
    // the bit lost from each half: a&b&1 (add), (a|b)&1 (rounding add), ~a&b&1 (sub: a borrow)
    const lost = kind === 'add' ? v('v128.and', v('v128.and', a, b), one) : kind === 'radd' ? v('v128.and', v('v128.or', a, b), one) : v('v128.and', v('v128.andnot', b, a), one);
    result(x, d, kind === 'sub' ? v(`${sh}.sub`, v(`${sh}.sub`, h(a), h(b)), lost) : v(`${sh}.add`, v(`${sh}.add`, h(a), h(b)), lost));
  };
}
/** abs/neg and the saturating sqabs/sqneg (MIN gives MAX) */
function absNeg(name: 'abs' | 'neg', sat: boolean): Semantics {
  return (x, i) => {
    const [d, n] = i.operands;
    const es = esizeOf(x);
    const sh = SHAPES[es];
    const a = x.b.tmp(readV(x, n));
    let r = v(`${sh}.${name}`, a);
    if (sat) r = v('v128.bitselect', kv(es, maxS(es)), r, v(`${sh}.eq`, a, kv(es, minS(es))));
    if (isVec(d)) return result(x, d, r);
    writeBits(x, d, lane('i64', 'i64x2.extract_lane', [0], r)); // scalar abs d0, d1
  };
}
/** saddlp/uaddlp, sadalp/uadalp: sums of adjacent pairs, widened (and accumulated) */
function addPairsLong(signed: boolean, accumulate: boolean): Semantics {
  return (x, i) => {
    const [d, n] = i.operands;
    const es = esizeOf(x);
    const wide = SHAPES[es + 1];
    const a = x.b.tmp(readV(x, n));
    let r: Expr;
    if (es < 2) r = v(`${wide}.extadd_pairwise_${SHAPES[es]}_${signed ? 's' : 'u'}`, a);
    else {
      const part = (odd: number) => v(`i64x2.extend_low_i32x4_${signed ? 's' : 'u'}`, shuffle(a, a, [0, 1, 2, 3, 8, 9, 10, 11].map((b) => b + 4 * odd).concat([0, 0, 0, 0, 0, 0, 0, 0])));
      r = v('i64x2.add', part(0), part(1));
    }
    result(x, d, accumulate ? v(`${wide}.add`, readV(x, d), r) : r);
  };
}
/** smaxv/sminv/saddlv/uaddlv: across the lanes, lane by lane (the widening sums grow past the element) */
function acrossLanes(kind: 'max_s' | 'min_s' | 'addl_s' | 'addl_u'): Semantics {
  return (x, i) => {
    const [d, n] = i.operands;
    const es = esizeOf(x);
    if (kind === 'max_s' || kind === 'min_s') return across(kind)(x, i);
    const lanes = (q(x) ? 16 : 8) >> es;
    const a = x.b.tmp(readV(x, n));
    const signed = kind === 'addl_s';
    const el = (k: number) => (es === 2 ? (signed ? op('i64', 'i64.extend_s', lane('i32', 'i32x4.extract_lane', [k], a)) : zext32(lane('i32', 'i32x4.extract_lane', [k], a))) : op('i64', 'i64.extend_s', lane('i32', `${SHAPES[es]}.extract_lane_${signed ? 's' : 'u'}`, [k], a)));
    let sum = el(0);
    for (let k = 1; k < lanes; k++) sum = add(sum, el(k));
    writeBits(x, d, and(sum, i64(maxU(es + 1))));
  };
}
/** cmtst: all ones where a & b is not zero */
const cmtst: Semantics = (x, i) => {
  const [d, n, m] = i.operands;
  const es = esizeOf(x);
  const r = v(`${SHAPES[es]}.ne`, v('v128.and', readV(x, n), readV(x, m)), ZERO);
  if (isVec(d)) return result(x, d, r);
  writeBits(x, d, lane('i64', 'i64x2.extract_lane', [0], r));
};
/** sshl/ushl: each lane shifted by the signed low byte of m's lane: left if positive, right if negative */
function shiftByReg(signed: boolean): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    const es = esizeOf(x);
    const sh = SHAPES[es];
    const bits = 8 << es;
    const lanes = (isVec(d) ? (q(x) ? 16 : 8) : 8) >> es;
    const a = x.b.tmp(readV(x, n));
    const c = x.b.tmp(readV(x, m));
    let acc: Expr = ZERO;
    for (let k = 0; k < lanes; k++) {
      // lanes as i64 (sign- or zero-extended), the count as a signed byte
      const el = es === 3 ? lane('i64', 'i64x2.extract_lane', [k], a) : es === 2 ? op('i64', signed ? 'i64.extend_s' : 'i64.extend_u', lane('i32', 'i32x4.extract_lane', [k], a)) : op('i64', 'i64.extend_s', lane('i32', `${sh}.extract_lane_${signed ? 's' : 'u'}`, [k], a));
      const e = x.b.tmp(el);
      const cnt = x.b.tmp(op('i64', 'i64.extend_s', op('i32', 'i32.extend8_s', lane('i32', 'i8x16.extract_lane_u', [k << es], c))));
      const left = op('i64', 'i64.shl', e, cnt);
      const right = op('i64', signed ? 'i64.shr_s' : 'i64.shr_u', e, op('i64', 'i64.sub', i64(0), cnt));
      const big = i64(bits);
      // counts of the element size or more shift everything out (right, signed: the sign remains)
      const lres = x.select(op('i32', 'i64.lt_s', cnt, big), left, i64(0));
      const rres = x.select(op('i32', 'i64.gt_s', cnt, i64(-bits)), right, signed ? op('i64', 'i64.shr_s', e, i64(63)) : i64(0));
      const r = x.b.tmp(x.select(op('i32', 'i64.ge_s', cnt, i64(0)), lres, rres));
      acc = x.b.tmp(lane('v128', `${sh}.replace_lane`, [k], acc, es === 3 ? r : wrap(r)));
    }
    if (isVec(d)) return result(x, d, acc);
    writeBits(x, d, lane('i64', 'i64x2.extract_lane', [0], acc));
  };
}
/** clz/cls/rbit, lane by lane */
function bitCount(kind: 'clz' | 'cls' | 'rbit'): Semantics {
  return (x, i) => {
    const [d, n] = i.operands;
    const es = kind === 'rbit' ? 0 : esizeOf(x); // rbit's size field tells it from mvn
    const sh = SHAPES[es];
    const bits = 8 << es;
    const lanes = (q(x) ? 16 : 8) >> es;
    const a = x.b.tmp(readV(x, n));
    let acc: Expr = ZERO;
    for (let k = 0; k < lanes; k++) {
      const e = x.b.tmp(lane('i32', `${sh}.extract_lane${es < 2 ? '_u' : ''}`, [k], a));
      let r: Expr;
      if (kind === 'rbit') {
        // bytes only: reverse the 8 bits
        let b: Expr = i32(0);
        for (let j = 0; j < 8; j++) b = op('i32', 'i32.or', b, op('i32', 'i32.shl', op('i32', 'i32.and', op('i32', 'i32.shr_u', e, i32(j)), i32(1)), i32(7 - j)));
        r = b;
      } else if (kind === 'clz') r = op('i32', 'i32.sub', op('i32', 'i32.clz', e), i32(32 - bits));
      else {
        // sign-extended, cls is clz(v ^ (v >> 1)) - 1 over 32 bits, less the 32 - bits extension
        const se = x.b.tmp(op('i32', 'i32.shr_s', op('i32', 'i32.shl', e, i32(32 - bits)), i32(32 - bits)));
        r = op('i32', 'i32.sub', op('i32', 'i32.clz', op('i32', 'i32.xor', se, op('i32', 'i32.shr_s', se, i32(1)))), i32(33 - bits));
      }
      acc = x.b.tmp(lane('v128', `${sh}.replace_lane`, [k], acc, r));
    }
    result(x, d, acc);
  };
}

// ---- FP: pairwise, across, compares, conversions between sizes ----

/** faddp/fmaxp/fminp/fmaxnmp/fminnmp: vector (pairs of n:m), or scalar (the two lanes of n) */
function fpairwise(name: string): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    if (!m) {
      const t = FT(d);
      const a = x.b.tmp(readV(x, n));
      const el = (k: number) => lane(t, `${t}x${t === 'f64' ? 2 : 4}.extract_lane`, [k], a);
      return fwriteS(x, d, fbin(new FK(x, t), name, el(0), el(1)));
    }
    const [evens, odds] = pairsOf(x, readV(x, n), readV(x, m), x.field(22, 22) ? 8 : 4);
    result(x, d, fbin(new FK(x, fshape(x)), name, evens, odds));
  };
}
/** fmaxv/fminv/fmaxnmv/fminnmv s0, v1.4s: Arm reduces by halves, (0 op 1) op (2 op 3) */
function facross(name: string): Semantics {
  return (x, i) => {
    const [d, n] = i.operands;
    const k = new FK(x, 'f32');
    const a = x.b.tmp(readV(x, n));
    const el = (j: number) => lane('f32', 'f32x4.extract_lane', [j], a);
    fwriteS(x, d, fbin(k, name, fbin(k, name, el(0), el(1)), fbin(k, name, el(2), el(3))));
  };
}
/** fcmeq/fcmge/fcmgt (and against zero: fcmle/fcmlt): all ones where true; a NaN compares false */
function fcmpV(name: string): Semantics {
  return (x, i) => {
    const [d, n, m] = i.operands;
    result(x, d, v(`${fshape(x)}.${name}`, readV(x, n), m.kind === 'imm' ? ZERO : readV(x, m)));
  };
}
/** fcvtl: the low (fcvtl2: high) two singles to doubles */
const fcvtl: Semantics = (x, i) => {
  const [d, n] = i.operands;
  const src = q(x) ? shuffle(readV(x, n), ZERO, [8, 9, 10, 11, 12, 13, 14, 15, 0, 0, 0, 0, 0, 0, 0, 0]) : readV(x, n);
  x.b.setSlot(must(d).slot, v('f64x2.promote_low_f32x4', src));
};
/** fcvtn: two doubles to singles, into the low (fcvtn2: high) half */
const fcvtn: Semantics = (x, i) => placeNarrow(x, i.operands[0], v('f32x4.demote_f64x2_zero', readV(x, i.operands[1])));

const SECOND_HALF = ['addhn', 'subhn', 'raddhn', 'rsubhn', 'rshrn', 'sqxtn', 'uqxtn', 'sqxtun', 'sqshrn', 'uqshrn', 'sqshrun', 'sqrshrn', 'uqrshrn', 'sqrshrun', 'smull', 'umull', 'smlal', 'umlal', 'smlsl', 'umlsl', 'sabdl', 'uabdl', 'sabal', 'uabal', 'fcvtl', 'fcvtn', 'shll', 'uaddw', 'saddw', 'usubw', 'ssubw', 'uaddl', 'saddl', 'usubl', 'ssubl', 'ushll', 'sshll', 'uxtl', 'sxtl', 'shrn', 'xtn'];

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
  addhn: highNarrow('add'), subhn: highNarrow('sub'), raddhn: highNarrow('add', true), rsubhn: highNarrow('sub', true),
  ushr: shiftRight(false, false, false), sshr: shiftRight(true, false, false), shl: shlImm, shrn: shiftNarrow(false), xtn,
  ld1: ldstN(true, 1), st1: ldstN(false, 1), ld2: ldstN(true, 2), st2: ldstN(false, 2), ld3: ldstN(true, 3), st3: ldstN(false, 3), ld4: ldstN(true, 4), st4: ldstN(false, 4),
  uaddw: widen('add', false, false), saddw: widen('add', true, false), usubw: widen('sub', false, false), ssubw: widen('sub', true, false),
  uaddl: widen('add', false, true), saddl: widen('add', true, true), usubl: widen('sub', false, true), ssubl: widen('sub', true, true),
  shll: shllBySize, ushll: shll(false), sshll: shll(true), uxtl: shll(false), sxtl: shll(true),
  fadd: farith('add'), fsub: farith('sub'), fmul: farith('mul'), fdiv: farith('div'),
  fmax: farith('max'), fmin: farith('min'), fmaxnm: farith('maxnm'), fminnm: farith('minnm'), fmulx: farith('mulx'), fabd: farith('abd'),
  fnmul: (x: A64Block, i: Insn) => { farith('mul')(x, i); const d = i.operands[0]; fwriteS(x, d, op(FT(d), `${FT(d)}.neg`, freadS(x, d))); },
  fsqrt: funary('sqrt'), fabs: funary('abs'), fneg: funary('neg'),
  frintm: funary('floor'), frintp: funary('ceil'), frintz: funary('trunc'), frintn: funary('nearest'), frinti: funary('nearest'), frintx: funary('nearest'), frinta: funary('away'),
  fmadd: fmadd(false, false), fmsub: fmadd(false, true), fnmadd: fmadd(true, false), fnmsub: fmadd(true, true),
  fcmp, fcmpe: fcmp, fcsel, fcvt,
  fmla: fmlaVec(false), fmls: fmlaVec(true),
  scvtf: cvtf(true), ucvtf: cvtf(false),
  fcvtzs: fcvt2int(true), fcvtzu: fcvt2int(false),
  fcvtms: fcvt2int(true, 'floor'), fcvtmu: fcvt2int(false, 'floor'), fcvtps: fcvt2int(true, 'ceil'), fcvtpu: fcvt2int(false, 'ceil'),
  fcvtns: fcvt2int(true, 'nearest'), fcvtnu: fcvt2int(false, 'nearest'), fcvtas: fcvt2int(true, 'away'), fcvtau: fcvt2int(false, 'away'),
  faddp: fpairwise('add'), fmaxp: fpairwise('max'), fminp: fpairwise('min'), fmaxnmp: fpairwise('maxnm'), fminnmp: fpairwise('minnm'),
  fmaxv: facross('max'), fminv: facross('min'), fmaxnmv: facross('maxnm'), fminnmv: facross('minnm'),
  fcmeq: fcmpV('eq'), fcmge: fcmpV('ge'), fcmgt: fcmpV('gt'), fcmle: fcmpV('le'), fcmlt: fcmpV('lt'), fcvtl, fcvtn,
  ld1r: ldRep, ld2r: ldRep, ld3r: ldRep, ld4r: ldRep,
  tbl: table(false), tbx: table(true), zip1: interleave('zip', false), zip2: interleave('zip', true), trn1: interleave('trn', false), trn2: interleave('trn', true),
  sqadd: saturating(false, true), uqadd: saturating(false, false), sqsub: saturating(true, true), uqsub: saturating(true, false),
  sqxtn: satXtn(true, true), uqxtn: satXtn(false, false), sqxtun: satXtn(true, false),
  rshrn: shiftNarrow(true), sqshrn: shiftNarrow(false, { srcSigned: true, dstSigned: true }), uqshrn: shiftNarrow(false, { srcSigned: false, dstSigned: false }),
  sqshrun: shiftNarrow(false, { srcSigned: true, dstSigned: false }), sqrshrn: shiftNarrow(true, { srcSigned: true, dstSigned: true }),
  uqrshrn: shiftNarrow(true, { srcSigned: false, dstSigned: false }), sqrshrun: shiftNarrow(true, { srcSigned: true, dstSigned: false }),
  srshr: shiftRight(true, true, false), urshr: shiftRight(false, true, false), ssra: shiftRight(true, false, true), usra: shiftRight(false, false, true),
  srsra: shiftRight(true, true, true), ursra: shiftRight(false, true, true), sli: shiftInsert(true), sri: shiftInsert(false),
  sqshl: shiftLeftSat(true, false), uqshl: shiftLeftSat(false, false), sqshlu: shiftLeftSat(true, true),
  sqdmulh: doublingMulHigh(false), sqrdmulh: doublingMulHigh(true),
  smull: mulLong(true, 0), umull: mulLong(false, 0), smlal: mulLong(true, 1), umlal: mulLong(false, 1), smlsl: mulLong(true, -1), umlsl: mulLong(false, -1),
  sabd: abd(true, false), uabd: abd(false, false), saba: abd(true, true), uaba: abd(false, true),
  sabdl: abdLong(true, false), uabdl: abdLong(false, false), sabal: abdLong(true, true), uabal: abdLong(false, true),
  shadd: halving('add', true), uhadd: halving('add', false), srhadd: halving('radd', true), urhadd: halving('radd', false), shsub: halving('sub', true), uhsub: halving('sub', false),
  smax: same3((_x, a, b, s) => v(`${s}.max_s`, a, b)), smin: same3((_x, a, b, s) => v(`${s}.min_s`, a, b)),
  smaxp: pairwise('max_s'), sminp: pairwise('min_s'), smaxv: acrossLanes('max_s'), sminv: acrossLanes('min_s'), saddlv: acrossLanes('addl_s'), uaddlv: acrossLanes('addl_u'),
  abs: absNeg('abs', false), neg: absNeg('neg', false), sqabs: absNeg('abs', true), sqneg: absNeg('neg', true),
  saddlp: addPairsLong(true, false), uaddlp: addPairsLong(false, false), sadalp: addPairsLong(true, true), uadalp: addPairsLong(false, true),
  cmtst, sshl: shiftByReg(true), ushl: shiftByReg(false), clz: bitCount('clz'), cls: bitCount('cls'), rbit: bitCount('rbit'),
});
// the `2` forms (uaddw2, xtn2 ...) differ only in Q, which the implementations read
for (const n of SECOND_HALF) VECTOR[`${n}2`] = VECTOR[n];
