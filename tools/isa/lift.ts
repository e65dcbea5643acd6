// The loop every front end shares: lift a block's instructions one by one with the
// architecture's semantics; an instruction the translator cannot handle ends the block with
// a fault that names it (the guest gets SIGILL there, if it ever gets there).
import type { BlockIR, Stmt, Terminator } from '../ir/index.js';
import type { Insn } from './types.js';

/** what the loop needs of a front end's block context */
export interface LiftContext {
  insn: Insn;
  end?: Terminator;
  b: { stmts: Stmt[] };
  /** folds the flags a later block may read into their slot */
  finishFlags(): void;
}

export function liftInsns<C extends LiftContext>(x: C, insns: Insn[], semanticsOf: (i: Insn) => ((x: C, i: Insn) => void) | undefined, unsupported: new (...a: never[]) => Error): BlockIR {
  const start = insns[0].address;
  for (const i of insns) {
    x.insn = i;
    const sem = semanticsOf(i);
    if (!sem) {
      x.end = { k: 'fault', pc: i.address, signal: 4, reason: `instruction '${i.mnemonic}' is not supported yet` };
      break;
    }
    try {
      sem(x, i);
    } catch (e) {
      if (!(e instanceof unsupported)) throw e;
      x.end = { k: 'fault', pc: i.address, signal: 4, reason: `'${i.mnemonic}' with ${e.message} is not supported yet` };
      break;
    }
    if (x.end) break;
  }
  const last = insns[insns.length - 1];
  if (x.end?.k !== 'fault') x.finishFlags();
  return { start, stmts: x.b.stmts, end: x.end ?? { k: 'jump', to: last.address + last.length } };
}
