// The vkernel's x87 unit against values whose bits are known: additions across a huge
// exponent gap, where the smaller operand only matters as a rounding (sticky) bit.
import { describe, expect, it } from 'vitest';
import { X87_OPS } from '../tools/isa/x86_64/lift/x87-ops.js';
import { X87 } from '../tools/vkernel/x87.js';

const op = (name: string) => X87_OPS.indexOf(name as (typeof X87_OPS)[number]);
const MEM = 0x1000;

/** st(0) after `ops`, stored as an 80-bit value: [significand, sign and exponent] */
function run(controlWord: number, ops: [string, number?][]): [bigint, number] {
  const view = new DataView(new ArrayBuffer(64));
  view.setFloat64(0, 1e-100, true);
  view.setUint16(32, controlWord, true);
  const fpu = new X87();
  const mem = { view };
  fpu.exec(mem, op('fldcw'), MEM | 16, 32);
  for (const [name, arg] of ops) fpu.exec(mem, op(name), arg ?? 0, 0);
  fpu.exec(mem, op('fstp'), MEM | 80, 16);
  return [view.getBigUint64(16, true), view.getUint16(24, true)];
}

describe('x87', () => {
  it('1 + 1e-100 is 1 when rounding to nearest, and -1 + 1e-100 is -1 rounding down (the tiny operand is only a sticky bit)', () => {
    expect(run(0x037f, [['fld1'], ['fadd', MEM | 64]])).toEqual([0x8000000000000000n, 0x3fff]);
    expect(run(0x077f, [['fld1'], ['fchs'], ['fadd', MEM | 64]])).toEqual([0x8000000000000000n, 0xbfff]);
    // rounding up, 1 + tiny is the next value above 1
    expect(run(0x0b7f, [['fld1'], ['fadd', MEM | 64]])).toEqual([0x8000000000000001n, 0x3fff]);
  });
});
