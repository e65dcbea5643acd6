// x86_64 front end: lifts one basic block of decoded instructions into IR.
import type { BlockIR, Ty } from '../../../ir/index.js';
import { liftInsns } from '../../lift.js';
import type { Insn } from '../../types.js';
import { Unsupported, X86Block } from './context.js';
import { DATA } from './data.js';
import { INTEGER } from './integer.js';
import { VECTOR } from './vector.js';
import { X87 } from './x87.js';
import type { Semantics } from './table.js';

export { X86_SLOTS, XMMS } from './context.js';

const TABLE = new Map<string, Semantics>(Object.entries({ ...DATA, ...INTEGER, ...VECTOR, ...X87 }));

/** `lock` changes nothing for a single-threaded guest */
function semanticsOf(mnemonic: string): Semantics | undefined {
  return TABLE.get(mnemonic) ?? (mnemonic.startsWith('lock ') ? TABLE.get(mnemonic.slice(5)) : undefined);
}

export function canLift(i: Insn): boolean {
  return semanticsOf(i.mnemonic) !== undefined;
}

/**
 * Lifts `insns` (a block: straight-line, at most its last instruction transfers control)
 * that continues at `fallthrough` when the last one does not. `liveOut` lists the flags
 * a successor may read.
 */
export function liftBlock(insns: Insn[], temps: Ty[], liveOut: number): BlockIR {
  const x = new X86Block(temps, insns[0].address, liveOut);
  return liftInsns(x, insns, (i) => semanticsOf(i.mnemonic), Unsupported);
}
