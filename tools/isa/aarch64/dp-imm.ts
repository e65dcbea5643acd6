// Data processing, immediate: adr/adrp, add/sub, logical bitmask, move wide, bitfield, extract.
import type { Insn } from '../types.js';
import { bitmask, bits, gpr, imm, insn, NZCV, sext } from './common.js';

const ADDSUB = ['add', 'adds', 'sub', 'subs'];
const LOGIC = ['and', 'orr', 'eor', 'ands'];

export function dpImm(w: number, a: number): Insn | undefined {
  const sf = w >>> 31;
  const rd = w & 31;
  const rn = (w >>> 5) & 31;
  switch ((w >>> 23) & 7) {
    case 0:
    case 1: {
      // adr/adrp: immhi:immlo, pages of 4 KiB for adrp
      const off = sext((bits(w, 23, 5) << 2) | bits(w, 30, 29), 21);
      if (sf) {
        const t = Math.floor(a / 4096) * 4096 + off * 4096;
        return insn(a, 'adrp', [gpr(1, rd, 'w'), imm(t)]);
      }
      return insn(a, 'adr', [gpr(1, rd, 'w'), imm(a + off)]);
    }
    case 2: {
      const op = bits(w, 30, 29); // op:S
      const sh = (w >>> 22) & 1;
      const v = bits(w, 21, 10) << (sh * 12);
      const s = op & 1;
      if (s && rd === 31) return insn(a, op === 3 ? 'cmp' : 'cmn', [gpr(sf, rn, 'r', true), imm(v)], 'seq', 0, NZCV);
      // mov to/from sp is add #0 with sp on either side
      if (op === 0 && v === 0 && (rd === 31 || rn === 31)) return insn(a, 'mov', [gpr(sf, rd, 'w', true), gpr(sf, rn, 'r', true)]);
      return insn(a, ADDSUB[op], [gpr(sf, rd, 'w', !s), gpr(sf, rn, 'r', true), imm(v)], 'seq', 0, s ? NZCV : 0);
    }
    case 4: {
      const n = (w >>> 22) & 1;
      const v = bitmask(sf, n, bits(w, 21, 16), bits(w, 15, 10));
      if (v === undefined) return undefined;
      const opc = bits(w, 30, 29);
      if (opc === 3) {
        if (rd === 31) return insn(a, 'tst', [gpr(sf, rn, 'r'), imm(v)], 'seq', 0, NZCV);
        return insn(a, 'ands', [gpr(sf, rd, 'w'), gpr(sf, rn, 'r'), imm(v)], 'seq', 0, NZCV);
      }
      if (opc === 1 && rn === 31 && movAlias(sf, n, bits(w, 15, 10), bits(w, 21, 16))) return insn(a, 'mov', [gpr(sf, rd, 'w', true), imm(v)]);
      return insn(a, LOGIC[opc], [gpr(sf, rd, 'w', true), gpr(sf, rn, 'r'), imm(v)]);
    }
    case 5: {
      const opc = bits(w, 30, 29);
      const hw = bits(w, 22, 21);
      if (opc === 1 || (!sf && hw >= 2)) return undefined;
      const i16 = bits(w, 20, 5);
      const v = BigInt(i16) << BigInt(hw * 16);
      if (opc === 3) return insn(a, 'movk', [gpr(sf, rd, 'rw'), imm(v)]);
      if (opc === 2) return insn(a, i16 === 0 && hw !== 0 ? 'movz' : 'mov', [gpr(sf, rd, 'w'), imm(v)]);
      const nv = sf ? ~v & 0xffffffffffffffffn : ~v & 0xffffffffn;
      const asMov = !(i16 === 0 && hw !== 0) && (sf || i16 !== 0xffff);
      return insn(a, asMov ? 'mov' : 'movn', [gpr(sf, rd, 'w'), imm(asMov ? nv : v)]);
    }
    case 6:
      return bitfield(w, a, sf, rd, rn);
    case 7: {
      if (bits(w, 30, 29) !== 0 || ((w >>> 22) & 1) !== sf || (w >>> 21) & 1) return undefined;
      const rm = bits(w, 20, 16);
      const lsb = bits(w, 15, 10);
      if (!sf && lsb >= 32) return undefined;
      if (rn === rm) return insn(a, 'ror', [gpr(sf, rd, 'w'), gpr(sf, rn, 'r'), imm(lsb)]);
      return insn(a, 'extr', [gpr(sf, rd, 'w'), gpr(sf, rn, 'r'), gpr(sf, rm, 'r'), imm(lsb)]);
    }
  }
  return undefined;
}

/**
 * Whether orr-from-zr prints as `mov`: the Arm ARM's rule (not when movz/movn could say
 * it), which capstone applies to the 32-bit form only; the 64-bit form stays `orr`.
 */
function movAlias(sf: number, n: number, imms: number, immr: number): boolean {
  if (sf) return false;
  if (n !== 0 || imms & 0x20) return true;
  if (imms < 16) return !((-immr & 15) <= 15 - imms);
  if (imms >= 32 - 15) return !((immr & 15) <= imms - (32 - 15));
  return true;
}

function bitfield(w: number, a: number, sf: number, rd: number, rn: number): Insn | undefined {
  const opc = bits(w, 30, 29);
  const n = (w >>> 22) & 1;
  const immr = bits(w, 21, 16);
  const imms = bits(w, 15, 10);
  if (opc === 3 || n !== sf || (!sf && (immr >= 32 || imms >= 32))) return undefined;
  const width = sf ? 64 : 32;
  const ones = width - 1;
  const d = gpr(sf, rd, opc === 1 ? 'rw' : 'w');
  const s = gpr(sf, rn, 'r');
  // the sub-field forms print lsb and width: lsb = -immr mod width for the insert forms
  const ins = () => [d, s, imm((width - immr) & ones), imm(imms + 1)];
  const ext = () => [d, s, imm(immr), imm(imms - immr + 1)];
  if (opc === 0) {
    if (imms === ones) return insn(a, 'asr', [d, s, imm(immr)]);
    if (imms < immr) return insn(a, 'sbfiz', ins());
    if (immr === 0 && (imms === 7 || imms === 15 || (sf && imms === 31))) {
      return insn(a, imms === 7 ? 'sxtb' : imms === 15 ? 'sxth' : 'sxtw', [d, gpr(0, rn, 'r')]);
    }
    return insn(a, 'sbfx', ext());
  }
  if (opc === 2) {
    if (imms !== ones && imms + 1 === immr) return insn(a, 'lsl', [d, s, imm(ones - imms)]);
    if (imms === ones) return insn(a, 'lsr', [d, s, imm(immr)]);
    if (imms < immr) return insn(a, 'ubfiz', ins());
    if (!sf && immr === 0 && (imms === 7 || imms === 15)) return insn(a, imms === 7 ? 'uxtb' : 'uxth', [d, s]);
    return insn(a, 'ubfx', ext());
  }
  if (imms < immr) return insn(a, rn === 31 ? 'bfc' : 'bfi', rn === 31 ? [d, imm((width - immr) & ones), imm(imms + 1)] : ins());
  return insn(a, 'bfxil', ext());
}
