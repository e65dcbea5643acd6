// The aarch64 (A64) decoder: the top-level encoding groups of the Arm ARM (bits 28:25),
// each in its own file. Mnemonics and operand order are capstone's, aliases included.
import type { Decoder, Insn } from '../types.js';
import { branchSys } from './branch.js';
import { dpImm } from './dp-imm.js';
import { dpReg } from './dp-reg.js';
import { loadStore } from './loadstore.js';
import { simdFp } from './simd-fp.js';
import { sve } from './sve.js';

export function decodeA64(w: number, a: number): Insn | undefined {
  const i = decodeGroup(w, a);
  if (i) i.word = w;
  return i;
}

function decodeGroup(w: number, a: number): Insn | undefined {
  const op0 = (w >>> 25) & 15;
  if ((op0 & 14) === 8) return dpImm(w, a);
  if ((op0 & 14) === 10) return branchSys(w, a);
  if ((op0 & 5) === 4) return loadStore(w, a);
  if ((op0 & 7) === 5) return dpReg(w, a);
  if ((op0 & 7) === 7) return simdFp(w, a);
  if (op0 === 2) return sve(w, a);
  return undefined; // reserved, SME: reported as unknown
}

function decode(code: Uint8Array, offset: number, address: number): Insn | undefined {
  if (offset + 4 > code.length || offset < 0) return undefined;
  const w = (code[offset] | (code[offset + 1] << 8) | (code[offset + 2] << 16) | (code[offset + 3] << 24)) >>> 0;
  return decodeA64(w, address);
}

export const aarch64Decoder: Decoder = {
  arch: 'aarch64',
  decode,
  // the sweep reads adr/adrp/add operands here (PageAddresses), and the fixed-width decoder
  // builds few objects: the full decoding serves
  sweep: decode,
};
