// The few SVE instructions glibc's SVE string and memory kernels use (cntb/cntd, ptrue,
// whilelo, contiguous ld1b/st1b, dup from a general register). glibc only takes those
// paths on CPUs that report SVE; recomp's baseline CPU does not, but the decoder still
// has to name them for code discovery and for the capstone agreement test. Scalable
// registers and accesses have size 0 (their length is the CPU's).
import type { Insn, Operand, RegOperand } from '../types.js';
import { bits, gpr, insn, mem, memIdx, NZCV, sext, xname } from './common.js';

const zreg = (n: number, access: RegOperand['access']): RegOperand => ({ kind: 'reg', reg: `z${n}`, size: 0, access });
const preg = (n: number, access: RegOperand['access']): RegOperand => ({ kind: 'reg', reg: `p${n}`, size: 0, access });

export function sve(w: number, a: number): Insn | undefined {
  const top = w >>> 24;
  const rd = w & 31;
  const rn = bits(w, 9, 5);
  // cnt[bhwd] Xd: all elements, multiplier 1 (the only form printed without operands after Xd)
  if (top === 0x04 && bits(w, 21, 20) === 2 && bits(w, 15, 10) === 0x38) {
    if (bits(w, 19, 16) !== 0 || rn !== 31) return undefined;
    return insn(a, `cnt${'bhwd'[bits(w, 23, 22)]}`, [gpr(1, rd, 'w')]);
  }
  if (top === 0x25) {
    // ptrue Pd.T (pattern all)
    if (bits(w, 21, 16) === 0x18 && bits(w, 15, 10) === 0x38 && rn === 31 && ((w >>> 4) & 1) === 0) return insn(a, 'ptrue', [preg(w & 15, 'w')]);
    // while{lt,le,lo,ls} Pd.T, Rn, Rm
    if (((w >>> 21) & 1) === 1 && bits(w, 15, 13) === 0 && (w >>> 10) & 1) {
      const sf = (w >>> 12) & 1;
      const m = ['whilelt', 'whilele', 'whilelo', 'whilels'][(((w >>> 11) & 1) << 1) | ((w >>> 4) & 1)];
      return insn(a, m, [preg(w & 15, 'w'), gpr(sf, rn, 'r'), gpr(sf, bits(w, 20, 16), 'r')], 'seq', 0, NZCV);
    }
    return undefined;
  }
  // dup Zd.T, Rn (printed as mov)
  if (top === 0x05 && bits(w, 21, 10) === 0x80e) return insn(a, 'mov', [zreg(rd, 'w'), gpr(bits(w, 23, 22) === 3 ? 1 : 0, rn, 'r', true)]);
  // ld1b / st1b {Zt.b}, Pg, [Xn, #imm, mul vl] or [Xn, Xm]
  const ld = bits(w, 31, 21) === 0x520; // 1010010 0000
  const st = bits(w, 31, 21) === 0x720; // 1110010 0000
  if (ld || st) {
    const kind = bits(w, 15, 13);
    const pg = preg(bits(w, 12, 10), 'r');
    let m: Operand;
    if (kind === (ld ? 5 : 7) && ((w >>> 20) & 1) === 0) {
      const i = sext(bits(w, 19, 16), 4);
      m = mem(rn, i, 0, ld ? 'r' : 'w');
      if (i) m.extend = 'mul vl';
    } else if (kind === 2) {
      const rm = bits(w, 20, 16);
      if (rm === 31) return undefined;
      m = memIdx(rn, xname(rm), undefined, 0, 0, ld ? 'r' : 'w');
    } else return undefined;
    return insn(a, ld ? 'ld1b' : 'st1b', [zreg(rd, ld ? 'w' : 'r'), pg, m]);
  }
  return undefined;
}
