// x86_64 front end: lifts one basic block of decoded instructions into IR.
import type { BlockIR, Ty } from '../../../ir/index.js';
import type { Insn } from '../../types.js';
import { Unsupported, X86Block } from './context.js';
import { DATA } from './data.js';
import { INTEGER } from './integer.js';
import { VECTOR } from './vector.js';
import { X87 } from './x87.js';
import type { Semantics } from './table.js';

export { X86_SLOTS } from './context.js';

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
  const start = insns[0].address;
  const x = new X86Block(temps, start, liveOut);
  for (const i of insns) {
    x.insn = i;
    const sem = semanticsOf(i.mnemonic);
    if (!sem) {
      x.end = { k: 'fault', pc: i.address, signal: 4, reason: `instruction '${i.mnemonic}' is not supported yet` };
      break;
    }
    try {
      sem(x, i);
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      x.end = { k: 'fault', pc: i.address, signal: 4, reason: `'${i.mnemonic}' with ${e.message} is not supported yet` };
      break;
    }
    if (x.end) break;
  }
  const last = insns[insns.length - 1];
  if (x.end?.k !== 'fault') x.finishFlags();
  return { start, stmts: x.b.stmts, end: x.end ?? { k: 'jump', to: last.address + last.length } };
}
