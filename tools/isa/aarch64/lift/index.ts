// aarch64 front end: lifts one basic block of decoded instructions into IR.
import type { BlockIR, Ty } from '../../../ir/index.js';
import { liftInsns } from '../../lift.js';
import type { Insn } from '../../types.js';
import { A64Block, Unsupported } from './context.js';
import { CONTROL } from './control.js';
import { INTEGER } from './integer.js';
import { fpr, VECTOR } from './simd.js';
import type { Semantics } from './table.js';

export { A64_SLOTS, VREGS, XREGS } from './context.js';

const GENERAL = new Map<string, Semantics>(Object.entries({ ...CONTROL, ...INTEGER }));
const SIMD = new Map<string, Semantics>(Object.entries(VECTOR));

/** FP/SIMD forms first when an operand is a vector register (ldr q0, mov v0.16b, fmov x0, d1) */
function semanticsOf(i: Insn): Semantics | undefined {
  if (i.operands.some((o) => fpr(o))) return SIMD.get(i.mnemonic);
  return GENERAL.get(i.mnemonic);
}

export function canLift(i: Insn): boolean {
  return semanticsOf(i) !== undefined;
}

/** lifts `insns` (a block: at most its last instruction transfers control); see the x86_64 liftBlock */
export function liftBlock(insns: Insn[], temps: Ty[], liveOut: number): BlockIR {
  const x = new A64Block(temps, insns[0].address, liveOut);
  return liftInsns(x, insns, semanticsOf, Unsupported);
}
