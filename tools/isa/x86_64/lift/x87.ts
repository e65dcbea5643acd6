// x87 instructions: each one is a call into the vkernel's exact 80-bit FPU.
import { i32, op, type Expr } from '../../../ir/index.js';
import type { Insn } from '../../types.js';
import { FLAG_AF, FLAG_CF, FLAG_OF, FLAG_PF, FLAG_SF, FLAG_ZF } from '../../types.js';
import { wrap, type X86Block } from './context.js';
import type { Semantics } from './table.js';
import { X87_OPS } from './x87-ops.js';

const FCMOV: Record<string, string> = { fcmovb: 'b', fcmove: 'e', fcmovbe: 'be', fcmovu: 'p', fcmovnb: 'ae', fcmovne: 'ne', fcmovnbe: 'a', fcmovnu: 'np' };

function x87(index: number, name: string): Semantics {
  return (x: X86Block, i: Insn) => {
    let arg = 0;
    let addr: Expr = i32(0);
    const regs: number[] = [];
    for (const o of i.operands) {
      if (o.kind === 'mem') {
        arg |= 0x1000 | (o.size & 0xff);
        addr = x.addr(x.ea(o));
      } else if (o.kind === 'reg' && /^st\(\d\)$/.test(o.reg)) regs.push(Number(o.reg[3]));
    }
    if (regs.length === 2) arg |= regs[0] === 0 ? regs[1] : regs[0] | 0x100;
    else if (regs.length === 1) arg |= regs[0];
    else if (!(arg & 0x1000)) arg |= 1; // fxch, fcom, faddp... without operands use st(1)
    let argE: Expr = i32(arg);
    const cc = FCMOV[name];
    if (cc) argE = op('i32', 'i32.or', argE, op('i32', 'i32.shl', x.cond(cc), i32(9)));
    const r = x.b.call('i64', 'x87', i32(index), argE, addr);
    if (name === 'fnstsw' && i.operands[0]?.kind === 'reg') x.setReg('ax', r);
    if (/^f(u?)comip?$/.test(name)) {
      const bit = (n: number) => wrap(op('i64', 'i64.and', op('i64', 'i64.shr_u', r, { k: 'const', ty: 'i64', v: BigInt(n) }), { k: 'const', ty: 'i64', v: 1n }));
      x.setFlagValues([
        [FLAG_CF, bit(0)],
        [FLAG_PF, bit(2)],
        [FLAG_ZF, bit(6)],
        [FLAG_OF, i32(0)],
        [FLAG_SF, i32(0)],
        [FLAG_AF, i32(0)],
      ]);
    }
  };
}

export const X87: Record<string, Semantics> = Object.fromEntries(X87_OPS.map((name, k) => [name, x87(k, name)]));
X87.fstsw = X87.fnstsw;
X87.fstcw = X87.fnstcw;
X87.finit = X87.fninit;
X87.fclex = X87.fnclex;
X87.fwait = X87.wait;
// capstone's spellings of the popping compares
X87.fucompi = X87.fucomip;
X87.fcompi = X87.fcomip;
