// aarch64 forms an address in two steps: adrp xN, page; add xN, xN, #low12. Code discovery
// and the analyzer's sweep both follow such pairs to find the code addresses a program takes.
import type { Insn } from '../types.js';

/** Fed instructions in order, names the address each completed adrp + add pair forms. */
export class PageAddresses {
  /** the page each register got from its last adrp */
  private pages = new Map<string, number>();

  /** the address `i` completes (an add onto a register's page), else undefined */
  next(i: Insn): number | undefined {
    const [d, src, lo] = i.operands;
    if (i.mnemonic === 'adrp' && d?.kind === 'reg' && src?.kind === 'imm') {
      this.pages.set(d.reg, Number(src.value));
      return undefined;
    }
    let at: number | undefined;
    if (i.mnemonic === 'add' && d?.kind === 'reg' && src?.kind === 'reg' && lo?.kind === 'imm' && this.pages.has(src.reg)) at = this.pages.get(src.reg)! + Number(lo.value);
    if (d?.kind === 'reg') this.pages.delete(d.reg);
    return at;
  }
}
