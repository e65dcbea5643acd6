// Floating point (scalar) and the Advanced SIMD groups glibc's string, memory and math
// code uses. Vector registers are named v0..v31 (size 16, or 8 for the 64-bit
// arrangements); capstone's arrangement suffixes (.16b, .4s, [1]) are not operands.
import type { Access, Insn, Operand } from '../types.js';
import { bits, COND_READS, fpreg, gpr, imm, insn, NZCV, vreg } from './common.js';

const FP_SIZE = [4, 8, 0, 2]; // ftype → bytes (2 = half)

export function simdFp(w: number, a: number): Insn | undefined {
  const top = bits(w, 31, 24);
  if ((top & 0x5f) === 0x1e) return (w >>> 21) & 1 ? fpScalar(w, a) : fixedPoint(w, a);
  if ((top & 0x5f) === 0x1f) return fp3(w, a);
  const b23 = (w >>> 23) & 1;
  const b10 = (w >>> 10) & 1;
  if ((top & 0x9f) === 0x0e) return simdVector(w, a);
  if ((top & 0x9f) === 0x0f) return b10 ? (b23 ? undefined : simdShiftImm(w, a)) : byElement(w, a, false);
  if ((top & 0xdf) === 0x5e) return simdScalar(w, a);
  if ((top & 0xdf) === 0x5f) return b10 ? (b23 ? undefined : simdScalarShift(w, a)) : byElement(w, a, true);
  return undefined;
}

// ---- scalar floating point

const CVT_GP: Record<number, string> = {
  0b00000: 'fcvtns', 0b00001: 'fcvtnu', 0b00010: 'scvtf', 0b00011: 'ucvtf', 0b00100: 'fcvtas', 0b00101: 'fcvtau',
  0b01000: 'fcvtps', 0b01001: 'fcvtpu', 0b10000: 'fcvtms', 0b10001: 'fcvtmu', 0b11000: 'fcvtzs', 0b11001: 'fcvtzu',
};
const FP1 = ['fmov', 'fabs', 'fneg', 'fsqrt', '', '', '', '', 'frintn', 'frintp', 'frintm', 'frintz', 'frinta', '', 'frintx', 'frinti'];
const FP2 = ['fmul', 'fdiv', 'fadd', 'fsub', 'fmax', 'fmin', 'fmaxnm', 'fminnm', 'fnmul'];

function fpScalar(w: number, a: number): Insn | undefined {
  if ((w >>> 29) & 1) return undefined;
  const sf = w >>> 31;
  const rd = w & 31;
  const rn = bits(w, 9, 5);
  const rm = bits(w, 20, 16);
  const op = bits(w, 15, 10);
  if (op === 0 && sf && bits(w, 23, 22) === 2 && (rm === 0b01110 || rm === 0b01111)) {
    // fmov to or from the upper half of a vector register: fmov x0, v1.d[1] / fmov v1.d[1], x0
    return rm === 14 ? insn(a, 'fmov', [gpr(1, rd, 'w'), vreg(rn, 16, 'r'), imm(1)]) : insn(a, 'fmov', [vreg(rd, 16, 'rw'), imm(1), gpr(1, rn, 'r')]);
  }
  const size = FP_SIZE[bits(w, 23, 22)];
  if (!size) return undefined;
  if (op === 0) {
    // conversions between general and FP registers
    const k = bits(w, 20, 16);
    if (k === 0b00110 || k === 0b00111) {
      if ((sf ? 8 : 4) !== size && size !== 2) return undefined;
      return k === 6 ? insn(a, 'fmov', [gpr(sf, rd, 'w'), fpreg(rn, size, 'r')]) : insn(a, 'fmov', [fpreg(rd, size, 'w'), gpr(sf, rn, 'r')]);
    }
    const m = CVT_GP[k];
    if (!m) return undefined;
    return m.endsWith('cvtf') ? insn(a, m, [fpreg(rd, size, 'w'), gpr(sf, rn, 'r')]) : insn(a, m, [gpr(sf, rd, 'w'), fpreg(rn, size, 'r')]);
  }
  if (sf) return undefined;
  if ((op & 0x1f) === 0x10) {
    // 1 source
    const opc = bits(w, 20, 15);
    if (opc >= 4 && opc <= 7) {
      const to = FP_SIZE[opc & 3];
      if (!to || to === size) return undefined;
      return insn(a, 'fcvt', [fpreg(rd, to, 'w'), fpreg(rn, size, 'r')]);
    }
    const m = FP1[opc];
    if (!m) return undefined;
    return insn(a, m, [fpreg(rd, size, 'w'), fpreg(rn, size, 'r')]);
  }
  if ((op & 0xf) === 8) {
    // compare
    const opc2 = w & 31;
    const e = opc2 & 0x10 ? 'fcmpe' : 'fcmp';
    if ((opc2 & 7) !== 0 || bits(w, 15, 14) !== 0) return undefined;
    return insn(a, e, opc2 & 8 ? [fpreg(rn, size, 'r'), imm(0)] : [fpreg(rn, size, 'r'), fpreg(rm, size, 'r')], 'seq', 0, NZCV);
  }
  if ((op & 7) === 4) {
    if (bits(w, 9, 5) !== 0) return undefined;
    return insn(a, 'fmov', [fpreg(rd, size, 'w'), imm(bits(w, 20, 13))]);
  }
  const kind = op & 3;
  const cond = bits(w, 15, 12);
  if (kind === 1) return insn(a, (w >>> 4) & 1 ? 'fccmpe' : 'fccmp', [fpreg(rn, size, 'r'), fpreg(rm, size, 'r'), imm(w & 15), imm(cond)], 'seq', COND_READS[cond], NZCV);
  if (kind === 3) return insn(a, 'fcsel', [fpreg(rd, size, 'w'), fpreg(rn, size, 'r'), fpreg(rm, size, 'r'), imm(cond)], 'seq', COND_READS[cond]);
  if (kind === 2) {
    const m = FP2[op >> 2];
    if (!m) return undefined;
    return insn(a, m, [fpreg(rd, size, 'w'), fpreg(rn, size, 'r'), fpreg(rm, size, 'r')]);
  }
  return undefined;
}

function fixedPoint(w: number, a: number): Insn | undefined {
  const sf = w >>> 31;
  const size = FP_SIZE[bits(w, 23, 22)];
  const k = bits(w, 20, 16);
  const scale = 64 - bits(w, 15, 10);
  if (!size || (w >>> 29) & 1 || (!sf && scale > 32)) return undefined;
  const m = { 0b00010: 'scvtf', 0b00011: 'ucvtf', 0b11000: 'fcvtzs', 0b11001: 'fcvtzu' }[k];
  if (!m) return undefined;
  const rd = w & 31;
  const rn = bits(w, 9, 5);
  return m.endsWith('cvtf') ? insn(a, m, [fpreg(rd, size, 'w'), gpr(sf, rn, 'r'), imm(scale)]) : insn(a, m, [gpr(sf, rd, 'w'), fpreg(rn, size, 'r'), imm(scale)]);
}

function fp3(w: number, a: number): Insn | undefined {
  if ((w >>> 29) & 7) return undefined;
  const size = FP_SIZE[bits(w, 23, 22)];
  if (!size) return undefined;
  const m = ['fmadd', 'fmsub', 'fnmadd', 'fnmsub'][(((w >>> 21) & 1) << 1) | ((w >>> 15) & 1)];
  return insn(a, m, [fpreg(w & 31, size, 'w'), fpreg(bits(w, 9, 5), size, 'r'), fpreg(bits(w, 20, 16), size, 'r'), fpreg(bits(w, 14, 10), size, 'r')]);
}

// ---- Advanced SIMD, vector forms

const SAME_U0: Record<number, string> = { 1: 'sqadd', 5: 'sqsub', 6: 'cmgt', 7: 'cmge', 8: 'sshl', 12: 'smax', 13: 'smin', 16: 'add', 17: 'cmtst', 19: 'mul', 20: 'smaxp', 21: 'sminp', 23: 'addp', 0: 'shadd', 2: 'srhadd', 4: 'shsub', 14: 'sabd', 15: 'saba', 18: 'mla', 22: 'sqdmulh' };
const SAME_U1: Record<number, string> = { 1: 'uqadd', 5: 'uqsub', 6: 'cmhi', 7: 'cmhs', 8: 'ushl', 12: 'umax', 13: 'umin', 16: 'sub', 17: 'cmeq', 19: 'pmul', 20: 'umaxp', 21: 'uminp', 0: 'uhadd', 4: 'uhsub', 14: 'uabd', 15: 'uaba', 18: 'mls', 2: 'urhadd', 22: 'sqrdmulh' };
const LOGIC_U0 = ['and', 'bic', 'orr', 'orn'];
const LOGIC_U1 = ['eor', 'bsl', 'bit', 'bif'];
// FP three-same (size<1> selects the second half of the table): [U][a:opcode]
const FSAME: Record<number, string> = { 0x1a: 'fadd', 0x3a: 'fsub', 0x1b: 'fmulx', 0x1c: 'fcmeq', 0x1e: 'fmax', 0x3e: 'fmin', 0x19: 'fmla', 0x39: 'fmls', 0x18: 'fmaxnm', 0x38: 'fminnm' };
const FSAME_U1: Record<number, string> = { 0x1a: 'faddp', 0x3a: 'fabd', 0x1b: 'fmul', 0x1c: 'fcmge', 0x3c: 'fcmgt', 0x1f: 'fdiv', 0x1e: 'fmaxp', 0x3e: 'fminp', 0x18: 'fmaxnmp', 0x38: 'fminnmp' };
const MISC_U0: Record<number, string> = { 0: 'rev64', 1: 'rev16', 5: 'cnt', 8: 'cmgt', 9: 'cmeq', 10: 'cmlt', 11: 'abs', 18: 'xtn', 20: 'sqxtn', 2: 'saddlp', 4: 'cls', 6: 'sadalp', 7: 'sqabs' };
const MISC_U1: Record<number, string> = { 0: 'rev32', 5: 'not', 8: 'cmge', 9: 'cmle', 11: 'neg', 18: 'sqxtun', 20: 'uqxtn', 2: 'uaddlp', 4: 'clz', 19: 'shll', 6: 'uadalp', 7: 'sqneg' };
const ACROSS: Record<number, string> = { 0x03: 'saddlv', 0x0a: 'smaxv', 0x1a: 'sminv', 0x1b: 'addv', 0x23: 'uaddlv', 0x2a: 'umaxv', 0x3a: 'uminv' };
const DIFF: Record<number, string> = { 0: 'addl', 1: 'addw', 2: 'subl', 3: 'subw', 12: 'mull', 8: 'mlal', 10: 'mlsl', 4: 'addhn', 6: 'subhn', 7: 'abdl', 5: 'abal' };
const PERM = ['', 'uzp1', 'trn1', 'zip1', '', 'uzp2', 'trn2', 'zip2'];

const v = (n: number, q: number, acc: Access) => vreg(n, q ? 16 : 8, acc);

/** two-register miscellaneous, floating point: U:size<1>:opcode → mnemonic */
const FP_MISC: Record<number, string> = {
  [0b0011000]: 'frintn', [0b0011001]: 'frintm', [0b0011010]: 'fcvtns', [0b0011011]: 'fcvtms', [0b0011100]: 'fcvtas', [0b0011101]: 'scvtf',
  [0b0111000]: 'frintp', [0b0111001]: 'frintz', [0b0111010]: 'fcvtps', [0b0111011]: 'fcvtzs', [0b0101111]: 'fabs',
  [0b1011000]: 'frinta', [0b1011001]: 'frintx', [0b1011010]: 'fcvtnu', [0b1011011]: 'fcvtmu', [0b1011100]: 'fcvtau', [0b1011101]: 'ucvtf',
  [0b1111001]: 'frinti', [0b1111010]: 'fcvtpu', [0b1111011]: 'fcvtzu', [0b1101111]: 'fneg', [0b1111111]: 'fsqrt',
};

/** the FP compares against zero (two-register miscellaneous, same key as FP_MISC) */
const FP_ZERO_CMP: Record<number, string> = { [0b0101100]: 'fcmgt', [0b0101101]: 'fcmeq', [0b0101110]: 'fcmlt', [0b1101100]: 'fcmge', [0b1101101]: 'fcmle' };

function simdVector(w: number, a: number): Insn | undefined {
  const q = (w >>> 30) & 1;
  const u = (w >>> 29) & 1;
  const size = bits(w, 23, 22);
  const rd = w & 31;
  const rn = bits(w, 9, 5);
  const rm = bits(w, 20, 16);
  const b24 = (w >>> 24) & 1;
  if (b24) return undefined;
  if ((w >>> 21) & 1) {
    if ((w >>> 10) & 1) {
      // three same
      const opcode = bits(w, 15, 11);
      if (opcode === 3) {
        const m = (u ? LOGIC_U1 : LOGIC_U0)[size];
        if (m === 'orr' && rn === rm) return insn(a, 'mov', [v(rd, q, 'w'), v(rn, q, 'r')]);
        const acc: Access = u && size ? 'rw' : 'w';
        return insn(a, m, [v(rd, q, acc), v(rn, q, 'r'), v(rm, q, 'r')]);
      }
      if (opcode >= 0x18) {
        const m = (u ? FSAME_U1 : FSAME)[((size >> 1) << 5) | opcode];
        if (!m || (!q && size & 1)) return undefined;
        return insn(a, m, [v(rd, q, m === 'fmla' || m === 'fmls' ? 'rw' : 'w'), v(rn, q, 'r'), v(rm, q, 'r')]);
      }
      const m = (u ? SAME_U1 : SAME_U0)[opcode];
      if (!m || (size === 3 && !q)) return undefined;
      if (opcode === 22 && (size === 0 || size === 3)) return undefined; // sq(r)dmulh: h and s only
      return insn(a, m, [v(rd, q, m === 'mla' || m === 'mls' || m.endsWith('aba') ? 'rw' : 'w'), v(rn, q, 'r'), v(rm, q, 'r')]);
    }
    const k = bits(w, 11, 10);
    if (k === 2 && bits(w, 20, 17) === 0) {
      const opcode = bits(w, 16, 12);
      // floating-point forms: size<1> picks the pair, size<0> (sz) the element size
      const key = (u << 6) | ((size >> 1) << 5) | opcode;
      const z = FP_ZERO_CMP[key];
      if (z) return !q && size & 1 ? undefined : insn(a, z, [v(rd, q, 'w'), v(rn, q, 'r'), imm(0)]);
      if (!u && !(size & 2) && (opcode === 0x16 || opcode === 0x17)) {
        // fcvtn: doubles to singles into the low (fcvtn2: high) half; fcvtl: the low (fcvtl2: high) singles to doubles
        if (!(size & 1)) return undefined; // half precision
        const name = (opcode === 0x16 ? 'fcvtn' : 'fcvtl') + (q ? '2' : '');
        return opcode === 0x16 ? insn(a, name, [v(rd, q, q ? 'rw' : 'w'), v(rn, 1, 'r')]) : insn(a, name, [v(rd, 1, 'w'), v(rn, q, 'r')]);
      }
      const fm = FP_MISC[key];
      if (fm) return !q && size & 1 ? undefined : insn(a, fm, [v(rd, q, 'w'), v(rn, q, 'r')]);
      const m = (u ? MISC_U1 : MISC_U0)[opcode];
      if (!m) return undefined;
      if (m === 'not') return size === 0 ? insn(a, 'mvn', [v(rd, q, 'w'), v(rn, q, 'r')]) : size === 1 ? insn(a, 'rbit', [v(rd, q, 'w'), v(rn, q, 'r')]) : undefined;
      if (m === 'xtn' || m === 'sqxtn' || m === 'sqxtun' || m === 'uqxtn') return insn(a, q ? `${m}2` : m, [v(rd, q, q ? 'rw' : 'w'), v(rn, 1, 'r')]);
      if (m === 'shll') return insn(a, q ? 'shll2' : 'shll', [v(rd, 1, 'w'), v(rn, q, 'r'), imm(8 << size)]);
      const zero = opcode >= 8 && opcode <= 10;
      return insn(a, m, zero ? [v(rd, q, 'w'), v(rn, q, 'r'), imm(0)] : [v(rd, q, 'w'), v(rn, q, 'r')]);
    }
    if (k === 2 && bits(w, 20, 17) === 8) {
      const op5 = bits(w, 16, 12);
      if (u && (op5 === 0x0c || op5 === 0x0f)) {
        // fmaxnmv/fminnmv/fmaxv/fminv: single precision, four lanes only
        if (!q || size & 1) return undefined;
        const fm = `${size & 2 ? 'fmin' : 'fmax'}${op5 === 0x0c ? 'nm' : ''}v`;
        return insn(a, fm, [fpreg(rd, 4, 'w'), v(rn, q, 'r')]);
      }
      const m = ACROSS[(u << 5) | op5];
      if (!m) return undefined;
      const wide = m.endsWith('lv');
      return insn(a, m, [fpreg(rd, (1 << size) * (wide ? 2 : 1), 'w'), v(rn, q, 'r')]);
    }
    if (k === 0) {
      const m = DIFF[bits(w, 15, 12)];
      if (!m) return undefined;
      const name = (m.endsWith('hn') ? (u ? 'r' : '') + m : (u ? 'u' : 's') + m) + (q ? '2' : '');
      if (m.endsWith('hn')) return insn(a, name, [v(rd, q, q ? 'rw' : 'w'), v(rn, 1, 'r'), v(rm, 1, 'r')]);
      const acc: Access = m.startsWith('ml') || m === 'abal' ? 'rw' : 'w';
      return insn(a, name, [v(rd, 1, acc), v(rn, m.endsWith('w') ? 1 : q, 'r'), v(rm, q, 'r')]);
    }
    return undefined;
  }
  if (bits(w, 28, 24) === 0x0e && bits(w, 23, 21) === 0 && (w >>> 10) & 1 && ((w >>> 15) & 1) === 0) return copy(w, a);
  if (!u && ((w >>> 10) & 3) === 2 && ((w >>> 15) & 1) === 0 && size >= 0) {
    const p = PERM[bits(w, 14, 12)];
    if (p) return insn(a, p, [v(rd, q, 'w'), v(rn, q, 'r'), v(rm, q, 'r')]);
  }
  if (!u && ((w >>> 10) & 3) === 0 && size === 0 && ((w >>> 15) & 1) === 0) {
    const len = bits(w, 14, 13) + 1;
    const regs: Operand[] = [];
    for (let i = 0; i < len; i++) regs.push(vreg((rn + i) % 32, 16, 'r'));
    return insn(a, (w >>> 12) & 1 ? 'tbx' : 'tbl', [v(rd, q, (w >>> 12) & 1 ? 'rw' : 'w'), ...regs, v(rm, q, 'r')]);
  }
  if (u && size === 0 && ((w >>> 10) & 1) === 0 && ((w >>> 15) & 1) === 0) {
    const i4 = bits(w, 14, 11);
    if (!q && i4 & 8) return undefined;
    return insn(a, 'ext', [v(rd, q, 'w'), v(rn, q, 'r'), v(rm, q, 'r'), imm(i4)]);
  }
  return undefined;
}

function copy(w: number, a: number): Insn | undefined {
  const q = (w >>> 30) & 1;
  const op = (w >>> 29) & 1;
  const imm5 = bits(w, 20, 16);
  const imm4 = bits(w, 14, 11);
  const rd = w & 31;
  const rn = bits(w, 9, 5);
  const lsb = imm5 & -imm5;
  if (!lsb || lsb > 8) return undefined;
  const esize = lsb; // bytes
  const index = imm5 >> (Math.log2(lsb) + 1);
  if (op) {
    if (!q) return undefined;
    return insn(a, 'mov', [vreg(rd, 16, 'rw'), imm(index), vreg(rn, 16, 'r'), imm(imm4 >> Math.log2(esize))]);
  }
  switch (imm4) {
    case 0:
      if (esize === 8 && !q) return undefined;
      return insn(a, 'dup', [v(rd, q, 'w'), vreg(rn, 16, 'r'), imm(index)]);
    case 1:
      if (esize === 8 && !q) return undefined;
      return insn(a, 'dup', [v(rd, q, 'w'), gpr(esize === 8 ? 1 : 0, rn, 'r')]);
    case 3:
      if (!q) return undefined;
      return insn(a, 'mov', [vreg(rd, 16, 'rw'), imm(index), gpr(esize === 8 ? 1 : 0, rn, 'r')]);
    case 5:
      if (esize === 8 || (esize === 4 && !q)) return undefined;
      return insn(a, 'smov', [gpr(q, rd, 'w'), vreg(rn, 16, 'r'), imm(index)]);
    case 7: {
      if ((esize === 8) !== !!q) return undefined;
      return insn(a, esize >= 4 ? 'mov' : 'umov', [gpr(q, rd, 'w'), vreg(rn, 16, 'r'), imm(index)]);
    }
  }
  return undefined;
}

function modifiedImmediate(w: number, a: number): Insn | undefined {
  const q = (w >>> 30) & 1;
  const op = (w >>> 29) & 1;
  const cmode = bits(w, 15, 12);
  const rd = w & 31;
  const i8 = (bits(w, 18, 16) << 5) | bits(w, 9, 5);
  if ((w >>> 11) & 1) return undefined;
  let m: string;
  if (cmode === 15) {
    if (op && !q) return undefined;
    return insn(a, 'fmov', [v(rd, q, 'w'), imm(i8)]);
  }
  if (cmode === 14) m = 'movi';
  else if ((cmode & 8) === 0 || (cmode & 12) === 8) m = cmode & 1 ? (op ? 'bic' : 'orr') : op ? 'mvni' : 'movi';
  else m = op ? 'mvni' : 'movi';
  if (m === 'movi' && op && cmode === 14) return q ? insn(a, 'movi', [vreg(rd, 16, 'w'), imm(i8)]) : insn(a, 'movi', [fpreg(rd, 8, 'w'), imm(i8)]);
  return insn(a, m, [v(rd, q, m === 'orr' || m === 'bic' ? 'rw' : 'w'), imm(i8)]);
}

const SHIFT_U0: Record<number, string> = { 0: 'sshr', 2: 'ssra', 4: 'srshr', 10: 'shl', 16: 'shrn', 17: 'rshrn', 20: 'sshll', 18: 'sqshrn', 19: 'sqrshrn', 14: 'sqshl' };
const SHIFT_U1: Record<number, string> = { 0: 'ushr', 2: 'usra', 4: 'urshr', 8: 'sri', 10: 'sli', 20: 'ushll', 16: 'sqshrun', 17: 'sqrshrun', 18: 'uqshrn', 19: 'uqrshrn', 12: 'sqshlu', 14: 'uqshl' };

function simdShiftImm(w: number, a: number): Insn | undefined {
  const immh = bits(w, 22, 19);
  if (immh === 0) return modifiedImmediate(w, a);
  const q = (w >>> 30) & 1;
  const u = (w >>> 29) & 1;
  const opcode = bits(w, 15, 11);
  const rd = w & 31;
  const rn = bits(w, 9, 5);
  const esize = 8 << (31 - Math.clz32(immh)); // bits
  const immhb = bits(w, 22, 16);
  const m = (u ? SHIFT_U1 : SHIFT_U0)[opcode];
  if (!m || (esize === 64 && !q && opcode < 16)) return undefined;
  const left = m === 'shl' || m === 'sli' || m.endsWith('shll') || m.endsWith('qshl') || m === 'sqshlu';
  if (opcode >= 16) {
    if (esize === 64) return undefined;
    if (m.endsWith('shll')) {
      // capstone prints the shift-by-0 forms as ushll/sshll, not the uxtl/sxtl aliases
      const sh = immhb - esize;
      return insn(a, m + (q ? '2' : ''), [v(rd, 1, 'w'), v(rn, q, 'r'), imm(sh)]);
    }
    // narrowing: the element size named by immh is the result's
    return insn(a, m + (q ? '2' : ''), [v(rd, q, q ? 'rw' : 'w'), v(rn, 1, 'r'), imm(2 * esize - immhb)]);
  }
  const sh = left ? immhb - esize : 2 * esize - immhb;
  const acc: Access = m.endsWith('sra') || m === 'sri' || m === 'sli' ? 'rw' : 'w';
  return insn(a, m, [v(rd, q, acc), v(rn, q, 'r'), imm(sh)]);
}

// ---- Advanced SIMD, scalar forms (on d registers mostly)

function simdScalar(w: number, a: number): Insn | undefined {
  const u = (w >>> 29) & 1;
  const size = bits(w, 23, 22);
  const rd = w & 31;
  const rn = bits(w, 9, 5);
  const rm = bits(w, 20, 16);
  if (bits(w, 28, 21) === 0xf0 && (w >>> 10) & 1 && !u && ((w >>> 15) & 1) === 0 && bits(w, 14, 11) === 0) {
    // dup element to scalar: printed as mov b0, v1.b[3]
    const imm5 = bits(w, 20, 16);
    const lsb = imm5 & -imm5;
    if (!lsb) return undefined;
    return insn(a, 'mov', [fpreg(rd, lsb, 'w'), vreg(rn, 16, 'r'), imm(imm5 >> (Math.log2(lsb) + 1))]);
  }
  if (((w >>> 21) & 1) === 0) return undefined;
  const k = bits(w, 11, 10);
  if (k === 2 && bits(w, 20, 17) === 8) {
    const op5 = bits(w, 16, 12);
    if (op5 === 0x1b && !u && size === 3) return insn(a, 'addp', [fpreg(rd, 8, 'w'), vreg(rn, 16, 'r')]);
    // faddp/fmaxp/fminp/fmaxnmp/fminnmp s0, v1.2s (d0, v1.2d): sz picks the size, size<1> max or min
    const fm = u ? { 0x0c: size & 2 ? 'fminnmp' : 'fmaxnmp', 0x0d: size & 2 ? '' : 'faddp', 0x0f: size & 2 ? 'fminp' : 'fmaxp' }[op5] : undefined;
    if (!fm) return undefined;
    const fsz = size & 1 ? 8 : 4;
    return insn(a, fm, [fpreg(rd, fsz, 'w'), vreg(rn, 2 * fsz, 'r')]);
  }
  if (k === 2 && bits(w, 20, 17) === 0) {
    const opcode = bits(w, 16, 12);
    // int <-> fp conversions on the FP register itself: fcvtzs d0, d1 / scvtf d0, d0
    const fsz = (w >>> 22) & 1 ? 8 : 4;
    if (opcode === 0x1b && size >= 2) return insn(a, u ? 'fcvtzu' : 'fcvtzs', [fpreg(rd, fsz, 'w'), fpreg(rn, fsz, 'r')]);
    if (opcode === 0x1d && size < 2) return insn(a, u ? 'ucvtf' : 'scvtf', [fpreg(rd, fsz, 'w'), fpreg(rn, fsz, 'r')]);
    const m = (u ? { 8: 'cmge', 9: 'cmle', 11: 'neg' } : { 8: 'cmgt', 9: 'cmeq', 10: 'cmlt', 11: 'abs' } as Record<number, string>)[opcode];
    if (!m || size !== 3) return undefined;
    return insn(a, m, opcode <= 10 ? [fpreg(rd, 8, 'w'), fpreg(rn, 8, 'r'), imm(0)] : [fpreg(rd, 8, 'w'), fpreg(rn, 8, 'r')]);
  }
  if ((w >>> 10) & 1) {
    const opcode = bits(w, 15, 11);
    if (opcode === 1 || opcode === 5) {
      // sqadd/uqadd/sqsub/uqsub on b, h, s or d registers
      const name = `${u ? 'u' : 's'}q${opcode === 1 ? 'add' : 'sub'}`;
      return insn(a, name, [fpreg(rd, 1 << size, 'w'), fpreg(rn, 1 << size, 'r'), fpreg(rm, 1 << size, 'r')]);
    }
    if ((opcode === 0x1b && !u && !(size & 2)) || (opcode === 0x1a && u && size & 2)) {
      // fmulx, fabd: sz (size<0>) picks single or double
      const fsz = size & 1 ? 8 : 4;
      return insn(a, u ? 'fabd' : 'fmulx', [fpreg(rd, fsz, 'w'), fpreg(rn, fsz, 'r'), fpreg(rm, fsz, 'r')]);
    }
    const m = (u ? { 6: 'cmhi', 7: 'cmhs', 16: 'sub', 17: 'cmeq', 8: 'ushl' } : { 6: 'cmgt', 7: 'cmge', 16: 'add', 17: 'cmtst', 8: 'sshl' } as Record<number, string>)[opcode];
    if (!m || size !== 3) return undefined;
    return insn(a, m, [fpreg(rd, 8, 'w'), fpreg(rn, 8, 'r'), fpreg(rm, 8, 'r')]);
  }
  return undefined;
}

function simdScalarShift(w: number, a: number): Insn | undefined {
  const immh = bits(w, 22, 19);
  if (!(immh & 8)) return undefined;
  const u = (w >>> 29) & 1;
  const opcode = bits(w, 15, 11);
  const immhb = bits(w, 22, 16);
  const rd = w & 31;
  const rn = bits(w, 9, 5);
  const m = (u ? { 0: 'ushr', 2: 'usra', 8: 'sri', 10: 'sli' } : { 0: 'sshr', 2: 'ssra', 10: 'shl' } as Record<number, string>)[opcode];
  if (!m) return undefined;
  const left = m === 'shl' || m === 'sli';
  return insn(a, m, [fpreg(rd, 8, m.endsWith('sra') || m === 'sri' || m === 'sli' ? 'rw' : 'w'), fpreg(rn, 8, 'r'), imm(left ? immhb - 64 : 128 - immhb)]);
}

// ---- Advanced SIMD by element (vector and scalar): the third operand is one lane, v[m][idx]

const ELEM_U0: Record<number, string> = { 1: 'fmla', 5: 'fmls', 9: 'fmul', 8: 'mul', 2: 'smlal', 6: 'smlsl', 10: 'smull', 12: 'sqdmulh', 13: 'sqrdmulh' };
const ELEM_U1: Record<number, string> = { 0: 'mla', 4: 'mls', 9: 'fmulx', 2: 'umlal', 6: 'umlsl', 10: 'umull' };

function byElement(w: number, a: number, scalar: boolean): Insn | undefined {
  const q = (w >>> 30) & 1;
  const u = (w >>> 29) & 1;
  const size = bits(w, 23, 22);
  const l = (w >>> 21) & 1;
  const mb = (w >>> 20) & 1;
  const h = (w >>> 11) & 1;
  const rd = w & 31;
  const rn = bits(w, 9, 5);
  const m = (u ? ELEM_U1 : ELEM_U0)[bits(w, 15, 12)];
  if (!m) return undefined;
  const acc: Access = /^(f?ml[as]|[su]ml[as]l)$/.test(m) ? 'rw' : 'w';
  if (m.startsWith('f')) {
    // single: index H:L, Rm M:Rm; double: index H (L zero, and Q set for a vector); half precision not here
    if (size === 2 || (size === 3 && !l && (q || scalar))) {
      const idx = size === 2 ? (h << 1) | l : h;
      const rm = bits(w, 20, 16);
      const es = size === 2 ? 4 : 8;
      if (scalar) return insn(a, m, [fpreg(rd, es, acc), fpreg(rn, es, 'r'), vreg(rm, 16, 'r'), imm(idx)]);
      return insn(a, m, [v(rd, q, acc), v(rn, q, 'r'), vreg(rm, 16, 'r'), imm(idx)]);
    }
    return undefined;
  }
  if (scalar || (size !== 1 && size !== 2)) return undefined;
  // halfwords: index H:L:M, Rm v0-v15; words: index H:L, Rm M:Rm
  const idx = size === 1 ? (h << 2) | (l << 1) | mb : (h << 1) | l;
  const rm = size === 1 ? bits(w, 19, 16) : bits(w, 20, 16);
  if (/^[su]m(ul|l[as])l$/.test(m)) return insn(a, q ? `${m}2` : m, [v(rd, 1, acc), v(rn, q, 'r'), vreg(rm, 16, 'r'), imm(idx)]);
  return insn(a, m, [v(rd, q, acc), v(rn, q, 'r'), vreg(rm, 16, 'r'), imm(idx)]);
}
