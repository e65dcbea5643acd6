// The x87 instructions the translator hands to the vkernel's FPU (tools/vkernel/x87.ts),
// by index. The argument word: bits 0-2 the st(i) register, bit 8 "the destination is
// st(i)", bit 9 "the fcmov condition holds", bit 12 "memory operand" with its size in
// bits 0-7.
export const X87_OPS = [
  'fld', 'fild', 'fst', 'fstp', 'fist', 'fistp', 'fisttp', 'fxch',
  'fadd', 'faddp', 'fiadd', 'fsub', 'fsubp', 'fisub', 'fsubr', 'fsubrp', 'fisubr',
  'fmul', 'fmulp', 'fimul', 'fdiv', 'fdivp', 'fidiv', 'fdivr', 'fdivrp', 'fidivr',
  'fchs', 'fabs', 'fsqrt', 'frndint', 'fscale', 'fxtract', 'fprem', 'fprem1',
  'fld1', 'fldz', 'fldpi', 'fldl2e', 'fldl2t', 'fldlg2', 'fldln2',
  'fcom', 'fcomp', 'fucom', 'fucomp', 'ficom', 'ficomp', 'fcompp', 'fucompp', 'ftst', 'fxam',
  'fcomi', 'fcomip', 'fucomi', 'fucomip',
  'fnstsw', 'fnstcw', 'fldcw', 'fninit', 'fnclex', 'wait', 'fnop', 'ffree', 'fincstp', 'fdecstp',
  'fnstenv', 'fldenv',
  'fsin', 'fcos', 'fsincos', 'fptan', 'fpatan', 'f2xm1', 'fyl2x', 'fyl2xp1',
  'fcmovb', 'fcmove', 'fcmovbe', 'fcmovu', 'fcmovnb', 'fcmovne', 'fcmovnbe', 'fcmovnu',
] as const;
