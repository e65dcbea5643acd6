// x87 escape opcodes d8-df (SDM Tables A-7..A-22): memory forms by ModRM.reg, register forms by reg and rm.
import { e, mod, reg, rm, type Entry, type Node } from './spec.js';

const ARITH = ['fadd', 'fmul', 'fcom', 'fcomp', 'fsub', 'fsubr', 'fdiv', 'fdivr'];
const IARITH = ['fiadd', 'fimul', 'ficom', 'ficomp', 'fisub', 'fisubr', 'fidiv', 'fidivr'];

const mem = (...l: (string | undefined)[]): Node =>
  reg(...l.map((s) => (s ? e(s.split(' ')[0], s.split(' ')[1]) : undefined)));
const regs = (...l: (Node | string | undefined)[]): Node => reg(...l.map((s) => (typeof s === 'string' ? e(s.split(' ')[0], s.split(' ')[1] ?? '') : s)));
const rms = (...l: (string | undefined)[]): Node => rm(...l.map((s) => (s ? e(s) : undefined)));
const all = (s: string): Entry => e(s.split(' ')[0], s.split(' ')[1] ?? '');

export const X87: Node[] = [
  // d8
  mod(
    mem(...ARITH.map((m) => `${m} M4`)),
    regs(...ARITH.map((m) => (m === 'fcom' || m === 'fcomp' ? `${m} F` : `${m} f,F`))),
  ),
  // d9
  mod(
    mem('fld M4', undefined, 'fst M4', 'fstp M4', 'fldenv M28', 'fldcw M2', 'fnstenv M28', 'fnstcw M2'),
    regs(
      'fld F',
      'fxch F',
      rms('fnop'),
      all('fstpnce F,f'), // capstone's name for the undocumented d9 d8+i alias of fstp
      rms('fchs', 'fabs', undefined, undefined, 'ftst', 'fxam'),
      rms('fld1', 'fldl2t', 'fldl2e', 'fldpi', 'fldlg2', 'fldln2', 'fldz'),
      rms('f2xm1', 'fyl2x', 'fptan', 'fpatan', 'fxtract', 'fprem1', 'fdecstp', 'fincstp'),
      rms('fprem', 'fyl2xp1', 'fsqrt', 'fsincos', 'frndint', 'fscale', 'fsin', 'fcos'),
    ),
  ),
  // da
  mod(
    mem(...IARITH.map((m) => `${m} M4`)),
    regs('fcmovb f,F', 'fcmove f,F', 'fcmovbe f,F', 'fcmovu f,F', undefined, rms(undefined, 'fucompp')),
  ),
  // db
  mod(
    mem('fild M4', 'fisttp M4', 'fist M4', 'fistp M4', undefined, 'fld M10', undefined, 'fstp M10'),
    regs('fcmovnb f,F', 'fcmovne f,F', 'fcmovnbe f,F', 'fcmovnu f,F', rms(undefined, undefined, 'fnclex', 'fninit'), 'fucomi f,F', 'fcomi f,F'),
  ),
  // dc: register forms have st(i) as destination
  mod(mem(...ARITH.map((m) => `${m} M8`)), regs('fadd F,f', 'fmul F,f', undefined, undefined, 'fsubr F,f', 'fsub F,f', 'fdivr F,f', 'fdiv F,f')),
  // dd
  mod(
    mem('fld M8', 'fisttp M8', 'fst M8', 'fstp M8', 'frstor M108', undefined, 'fnsave M108', 'fnstsw M2'),
    regs('ffree F', undefined, 'fst F', 'fstp F', 'fucom F', 'fucomp F'),
  ),
  // de
  mod(
    mem(...IARITH.map((m) => `${m} M2`)),
    regs('faddp F', 'fmulp F', undefined, rms(undefined, 'fcompp'), 'fsubrp F', 'fsubp F', 'fdivrp F', 'fdivp F'),
  ),
  // df: capstone spells the popping unordered compare "fucompi"
  mod(
    mem('fild M2', 'fisttp M2', 'fist M2', 'fistp M2', 'fbld M10', 'fild M8', 'fbstp M10', 'fistp M8'),
    regs('ffreep F', undefined, undefined, undefined, rm(e('fnstsw', 'Aw')), 'fucompi F', 'fcompi F'),
  ),
];
