// Data processing, register: shifted/extended add/sub, logical, adc/sbc, conditional
// compare/select, 1- and 2-source, 3-source multiplies.
import type { Insn, Operand } from '../types.js';
import { bits, COND_READS, gpr, imm, insn, NZCV } from './common.js';
import { FLAG_CF } from '../types.js';

const EXTEND = ['uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'];
const LOGIC = ['and', 'bic', 'orr', 'orn', 'eor', 'eon', 'ands', 'bics'];
const ADDSUB = ['add', 'adds', 'sub', 'subs'];
const CSEL = ['csel', 'csinc', 'csinv', 'csneg'];
const SRC2: Record<number, string> = { 2: 'udiv', 3: 'sdiv', 8: 'lsl', 9: 'lsr', 10: 'asr', 11: 'ror', 16: 'crc32b', 17: 'crc32h', 18: 'crc32w', 19: 'crc32x', 20: 'crc32cb', 21: 'crc32ch', 22: 'crc32cw', 23: 'crc32cx' };
const SRC1 = ['rbit', 'rev16', 'rev', 'rev', 'clz', 'cls'];
// 3-source: op31:o0 → [name, alias when Ra is zr, 64-bit sources?]
const MUL3: Record<number, [string, string, number]> = {
  0: ['madd', 'mul', 1], 1: ['msub', 'mneg', 1], 2: ['smaddl', 'smull', 0], 3: ['smsubl', 'smnegl', 0], 4: ['smulh', 'smulh', 1],
  10: ['umaddl', 'umull', 0], 11: ['umsubl', 'umnegl', 0], 12: ['umulh', 'umulh', 1],
};

export function dpReg(w: number, a: number): Insn | undefined {
  const sf = w >>> 31;
  const rd = w & 31;
  const rn = (w >>> 5) & 31;
  const rm = bits(w, 20, 16);
  if (((w >>> 28) & 1) === 0) {
    const imm6 = bits(w, 15, 10);
    const shift = bits(w, 23, 22);
    if (((w >>> 24) & 1) === 0) {
      if (!sf && imm6 >= 32) return undefined;
      // logical, shifted register
      const opc = (bits(w, 30, 29) << 1) | ((w >>> 21) & 1);
      const fl = opc >= 6 ? NZCV : 0;
      const ops = shifted(sf, rd, rn, rm, shift, imm6);
      if (opc >= 6 && rd === 31 && opc === 6) return insn(a, 'tst', ops.slice(1), 'seq', 0, fl);
      if (opc === 2 && rn === 31 && imm6 === 0) return insn(a, 'mov', [ops[0], ops[2]]);
      if (opc === 3 && rn === 31) return insn(a, 'mvn', [ops[0], ...ops.slice(2)]);
      return insn(a, LOGIC[opc], ops, 'seq', 0, fl);
    }
    const op = bits(w, 30, 29);
    const s = op & 1;
    const fl = s ? NZCV : 0;
    if (((w >>> 21) & 1) === 0) {
      if (shift === 3 || (!sf && imm6 >= 32)) return undefined;
      const ops = shifted(sf, rd, rn, rm, shift, imm6);
      if (s && rd === 31) return insn(a, op === 3 ? 'cmp' : 'cmn', ops.slice(1), 'seq', 0, fl);
      if (op >= 2 && rn === 31) return insn(a, op === 3 ? 'negs' : 'neg', [ops[0], ...ops.slice(2)], 'seq', 0, fl);
      return insn(a, ADDSUB[op], ops, 'seq', 0, fl);
    }
    // extended register
    const option = bits(w, 15, 13);
    const i3 = bits(w, 12, 10);
    if (shift !== 0 || i3 > 4) return undefined;
    const index = gpr(sf && (option & 3) === 3 ? 1 : 0, rm, 'r');
    index.extend = EXTEND[option];
    const ops: Operand[] = [gpr(sf, rd, 'w', !s), gpr(sf, rn, 'r', true), index, imm(i3)];
    if (s && rd === 31) return insn(a, op === 3 ? 'cmp' : 'cmn', ops.slice(1), 'seq', 0, fl);
    return insn(a, ADDSUB[op], ops, 'seq', 0, fl);
  }
  switch (bits(w, 24, 21)) {
    case 0: {
      if (bits(w, 15, 10) !== 0) return undefined;
      const op = bits(w, 30, 29);
      const fl = op & 1 ? NZCV : 0;
      if (op >= 2 && rn === 31) return insn(a, op === 3 ? 'ngcs' : 'ngc', [gpr(sf, rd, 'w'), gpr(sf, rm, 'r')], 'seq', FLAG_CF, fl);
      return insn(a, ['adc', 'adcs', 'sbc', 'sbcs'][op], [gpr(sf, rd, 'w'), gpr(sf, rn, 'r'), gpr(sf, rm, 'r')], 'seq', FLAG_CF, fl);
    }
    case 2: {
      // conditional compare: S must be set, o2/o3 clear
      if (((w >>> 29) & 1) === 0 || (w >>> 10) & 1 || (w >>> 4) & 1) return undefined;
      const cond = bits(w, 15, 12);
      const second = (w >>> 11) & 1 ? imm(rm) : gpr(sf, rm, 'r');
      return insn(a, (w >>> 30) & 1 ? 'ccmp' : 'ccmn', [gpr(sf, rn, 'r'), second, imm(w & 15), imm(cond)], 'seq', COND_READS[cond], NZCV);
    }
    case 4: {
      if ((w >>> 29) & 1 || (w >>> 11) & 1) return undefined;
      const op = (((w >>> 30) & 1) << 1) | ((w >>> 10) & 1);
      const cond = bits(w, 15, 12);
      const fr = COND_READS[cond];
      const inv = cond ^ 1;
      const d = gpr(sf, rd, 'w');
      if (op !== 0 && rm === rn && cond < 14) {
        // aliases print the inverted condition
        if (rn === 31 && op !== 3) return insn(a, op === 1 ? 'cset' : 'csetm', [d, imm(inv)], 'seq', fr);
        return insn(a, op === 1 ? 'cinc' : op === 2 ? 'cinv' : 'cneg', [d, gpr(sf, rn, 'r'), imm(inv)], 'seq', fr);
      }
      return insn(a, CSEL[op], [d, gpr(sf, rn, 'r'), gpr(sf, rm, 'r'), imm(cond)], 'seq', fr);
    }
    case 6: {
      const op = bits(w, 15, 10);
      if ((w >>> 30) & 1) {
        if ((w >>> 29) & 1 || rm !== 0 || op > 5) return undefined;
        if (op === 3 && !sf) return undefined;
        return insn(a, op === 2 && sf ? 'rev32' : SRC1[op], [gpr(sf, rd, 'w'), gpr(sf, rn, 'r')]);
      }
      const m = SRC2[op];
      if (!m || (w >>> 29) & 1) return undefined;
      if (op >= 16) {
        const x = (op & 3) === 3;
        if (x !== !!sf) return undefined;
        return insn(a, m, [gpr(0, rd, 'w'), gpr(0, rn, 'r'), gpr(x ? 1 : 0, rm, 'r')]);
      }
      return insn(a, m, [gpr(sf, rd, 'w'), gpr(sf, rn, 'r'), gpr(sf, rm, 'r')]);
    }
  }
  if (((w >>> 24) & 1) === 0) return undefined;
  // 3-source
  if (bits(w, 30, 29) !== 0) return undefined;
  const k = (bits(w, 23, 21) << 1) | ((w >>> 15) & 1);
  const e = MUL3[k];
  if (!e || (k !== 0 && k !== 1 && !sf)) return undefined;
  const ra = bits(w, 14, 10);
  const srcSf = e[2] ? sf : 0;
  if (k === 4 || k === 12) {
    if (ra !== 31) return undefined;
    return insn(a, e[0], [gpr(1, rd, 'w'), gpr(1, rn, 'r'), gpr(1, rm, 'r')]);
  }
  const ops: Operand[] = [gpr(sf, rd, 'w'), gpr(srcSf, rn, 'r'), gpr(srcSf, rm, 'r')];
  if (ra === 31) return insn(a, e[1], ops);
  ops.push(gpr(sf, ra, 'r'));
  return insn(a, e[0], ops);
}

function shifted(sf: number, rd: number, rn: number, rm: number, shift: number, amount: number): Operand[] {
  const ops: Operand[] = [gpr(sf, rd, 'w'), gpr(sf, rn, 'r'), gpr(sf, rm, 'r')];
  if (amount !== 0 || shift !== 0) ops.push(imm(amount));
  return ops;
}
