// Register names, operand constructors and the Insn builder shared by the encoding groups.
// Names are capstone's; every string is built once here, never per instruction.
import type { Access, Flow, ImmOperand, Insn, MemOperand, Operand, RegOperand } from '../types.js';
import { FLAG_CF, FLAG_OF, FLAG_SF, FLAG_ZF } from '../types.js';

const names = (p: string, zr: string, sp: string) => {
  const zrs = Array.from({ length: 32 }, (_, i) => (i === 31 ? zr : `${p}${i}`));
  const sps = zrs.slice();
  sps[31] = sp;
  return [zrs, sps];
};
const [XZR, XSP] = names('x', 'xzr', 'sp');
const [WZR, WSP] = names('w', 'wzr', 'wsp');
const VN = Array.from({ length: 32 }, (_, i) => `v${i}`);
/** FP/SIMD scalar views by size in bytes */
const FPV: Record<number, string[]> = {};
for (const [sz, p] of [[1, 'b'], [2, 'h'], [4, 's'], [8, 'd'], [16, 'q']] as const) FPV[sz] = Array.from({ length: 32 }, (_, i) => `${p}${i}`);

export const NZCV = FLAG_SF | FLAG_ZF | FLAG_CF | FLAG_OF;
export const CONDS = ['eq', 'ne', 'hs', 'lo', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'];
/** NZCV bits each condition reads (pairs share the test; al/nv read nothing) */
export const COND_READS = [FLAG_ZF, FLAG_ZF, FLAG_CF, FLAG_CF, FLAG_SF, FLAG_SF, FLAG_OF, FLAG_OF,
  FLAG_CF | FLAG_ZF, FLAG_CF | FLAG_ZF, FLAG_SF | FLAG_OF, FLAG_SF | FLAG_OF, FLAG_ZF | FLAG_SF | FLAG_OF, FLAG_ZF | FLAG_SF | FLAG_OF, 0, 0];

/** General register `n` (31 = zero register, or the stack pointer when `sp`). */
export function gpr(sf: number, n: number, acc: Access, sp = false): RegOperand {
  return { kind: 'reg', reg: sf ? (sp ? XSP : XZR)[n] : (sp ? WSP : WZR)[n], size: sf ? 8 : 4, access: acc };
}
export const xreg = (n: number, acc: Access, sp = false) => gpr(1, n, acc, sp);
/** Whole vector register (size 16, or 8 for the 64-bit arrangements). */
export function vreg(n: number, size: number, acc: Access): RegOperand {
  return { kind: 'reg', reg: VN[n], size, access: acc };
}
/** FP/SIMD scalar view: b, h, s, d or q register by size in bytes. */
export function fpreg(n: number, size: number, acc: Access): RegOperand {
  return { kind: 'reg', reg: FPV[size][n], size, access: acc };
}
export function imm(value: bigint | number, size = 8): ImmOperand {
  return { kind: 'imm', value: typeof value === 'bigint' ? value : BigInt(value), size };
}
export function mem(base: number, disp: number | bigint, size: number, acc: Access, writeback?: 'pre' | 'post'): MemOperand {
  const m: MemOperand = { kind: 'mem', base: XSP[base], scale: 1, disp: typeof disp === 'bigint' ? disp : BigInt(disp), size, access: acc };
  if (writeback) m.writeback = writeback;
  return m;
}
export function memIdx(base: number, index: string, extend: string | undefined, shift: number, size: number, acc: Access): MemOperand {
  const m: MemOperand = { kind: 'mem', base: XSP[base], index, scale: 1 << shift, disp: 0n, size, access: acc };
  if (extend) m.extend = extend;
  return m;
}
export const xname = (n: number) => XZR[n];
export const wname = (n: number) => WZR[n];

export function insn(address: number, mnemonic: string, operands: Operand[], flow: Flow = 'seq', flagsRead = 0, flagsWritten = 0, target?: number): Insn {
  const d: Insn = { address, length: 4, mnemonic, operands, flow, flagsRead, flagsWritten };
  if (target !== undefined) d.target = target;
  return d;
}

/** Sign-extend the low `bits` of `v`. */
export const sext = (v: number, bits: number) => (v << (32 - bits)) >> (32 - bits);
/** Bits hi..lo of `w` (inclusive). */
export const bits = (w: number, hi: number, lo: number) => (w >>> lo) & ((1 << (hi - lo + 1)) - 1) >>> 0;

/** DecodeBitMasks for the logical immediates (Arm ARM shared pseudocode): the immediate, or undefined if reserved. */
export function bitmask(sf: number, n: number, immr: number, imms: number): bigint | undefined {
  const combined = (n << 6) | (~imms & 0x3f);
  if (combined === 0) return undefined;
  const len = 31 - Math.clz32(combined);
  if (len < 1 || (sf === 0 && n === 1)) return undefined;
  const esize = 1 << len;
  const levels = esize - 1;
  const s = imms & levels;
  const r = immr & levels;
  if (s === levels) return undefined;
  const ones = (1n << BigInt(s + 1)) - 1n;
  const emask = esize === 64 ? (1n << 64n) - 1n : (1n << BigInt(esize)) - 1n;
  let elem = r === 0 ? ones : ((ones >> BigInt(r)) | (ones << BigInt(esize - r))) & emask;
  const width = sf ? 64 : 32;
  let out = 0n;
  for (let i = 0; i < width; i += esize) out |= elem << BigInt(i);
  elem = out;
  return elem;
}
