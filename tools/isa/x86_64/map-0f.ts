// Two- and three-byte legacy opcode maps: 0F (SDM Table A-3), 0F38, 0F3A.
// Mandatory prefixes select through pfx(np, 66, f3, f2).
import { e, mod, reg, rm, pfx, pfxSize, w, table, type Node, type Table } from './spec.js';
import { CC } from './map-onebyte.js';

const t: Table = table();
const t38: Table = table();
const t3a: Table = table();

/** packed-single / packed-double / scalar-single / scalar-double family of one opcode */
const psd = (m: string, acc = 'rw,r'): Node =>
  pfx(e(m + 'ps', 'Vo,Wo', { acc }), e(m + 'pd', 'Vo,Wo', { acc }), e(m + 'ss', 'Vo,Wd', { acc }), e(m + 'sd', 'Vo,Wq', { acc }));
/** integer op with an MMX (np) and an SSE2 (66) form */
const mx = (m: string, ops = ''): Node => pfx(e(m, ops ? ops.replace(/V/g, 'P').replace(/W/g, 'Q').replace(/o/g, 'q') : 'Pq,Qq'), e(m, ops || 'Vo,Wo'));
const x66 = (m: string, ops = 'Vo,Wo', acc?: string): Node => pfx(undefined, e(m, ops, { acc }));
const PRED = ['eq', 'lt', 'le', 'unord', 'neq', 'nlt', 'nle', 'ord'];

t[0x01] = mod(
  reg(e('sgdt', 'M10'), e('sidt', 'M10'), e('lgdt', 'M10'), e('lidt', 'M10'), e('smsw', 'Mw'), undefined, e('lmsw', 'Mw'), e('invlpg', 'Mb')),
  reg(
    undefined,
    rm(e('monitor', '', { modrm: true }), e('mwait', '', { modrm: true })),
    rm(e('xgetbv', '', { modrm: true }), e('xsetbv', '', { modrm: true }), undefined, undefined, undefined, e('xend', '', { modrm: true }), e('xtest', '', { modrm: true })),
    undefined,
    undefined,
    undefined,
    undefined,
    rm(e('swapgs', '', { modrm: true }), e('rdtscp', '', { modrm: true })),
  ),
);
t[0x05] = e('syscall', '', { flow: 'syscall' });
t[0x06] = e('clts');
t[0x07] = e('sysret|sysret|sysretq', '', { flow: 'ret' });
t[0x0b] = e('ud2', '', { flow: 'trap' });
t[0x0d] = mod(reg(e('prefetch', 'Mb'), e('prefetchw', 'Mb'), e('prefetchwt1', 'Mb')), undefined);
t[0x10] = pfx(e('movups', 'Vo,Wo', { acc: 'w,r' }), e('movupd', 'Vo,Wo', { acc: 'w,r' }), e('movss', 'Vo,Wd', { acc: 'w,r' }), e('movsd', 'Vo,Wq', { acc: 'w,r' }));
t[0x11] = pfx(e('movups', 'Wo,Vo', { acc: 'w,r' }), e('movupd', 'Wo,Vo', { acc: 'w,r' }), e('movss', 'Wd,Vo', { acc: 'w,r' }), e('movsd', 'Wq,Vo', { acc: 'w,r' }));
t[0x12] = pfx(
  mod(e('movlps', 'Vo,Mq'), e('movhlps', 'Vo,Uo')),
  mod(e('movlpd', 'Vo,Mq'), undefined),
  e('movsldup', 'Vo,Wo', { acc: 'w,r' }),
  e('movddup', 'Vo,Wq', { acc: 'w,r' }),
);
t[0x13] = pfx(mod(e('movlps', 'Mq,Vo', { acc: 'w,r' }), undefined), mod(e('movlpd', 'Mq,Vo', { acc: 'w,r' }), undefined));
t[0x14] = pfx(e('unpcklps', 'Vo,Wo'), e('unpcklpd', 'Vo,Wo'));
t[0x15] = pfx(e('unpckhps', 'Vo,Wo'), e('unpckhpd', 'Vo,Wo'));
t[0x16] = pfx(mod(e('movhps', 'Vo,Mq'), e('movlhps', 'Vo,Uo')), mod(e('movhpd', 'Vo,Mq'), undefined), e('movshdup', 'Vo,Wo', { acc: 'w,r' }));
t[0x17] = pfx(mod(e('movhps', 'Mq,Vo', { acc: 'w,r' }), undefined), mod(e('movhpd', 'Mq,Vo', { acc: 'w,r' }), undefined));
t[0x18] = mod(reg(e('prefetchnta', 'Mb'), e('prefetcht0', 'Mb'), e('prefetcht1', 'Mb'), e('prefetcht2', 'Mb')), undefined);
// 0f 19-1f: hint nops; f3 0f 1e carries CET (endbr64, rdssp)
// (0f 1a/1b are MPX bnd* instructions: not decoded)
// capstone rejects the register forms once a 66/f2/f3 prefix is present
const hintNop = (): Node => mod(e('nop', 'Ev', { acc: '-' }), undefined);
for (const o of [0x19, 0x1f]) t[o] = pfxSize(e('nop', 'Ev', { acc: '-' }), hintNop(), hintNop(), hintNop());
// capstone: 0f 1c-1e register forms without f3 are invalid
t[0x1d] = pfxSize(hintNop(), hintNop(), hintNop(), hintNop());
const cldemote = mod(reg(e('cldemote', 'Mb')), undefined);
t[0x1c] = pfxSize(cldemote, hintNop(), mod(reg(e('cldemote', 'Mb')), undefined));
t[0x1e] = pfxSize(
  hintNop(),
  mod(e('nop', 'Ev', { acc: '-' }), undefined),
  mod(e('nop', 'Ev', { acc: '-' }), reg(undefined, e('rdsspd|rdsspd|rdsspq', 'Ry', { acc: 'w' }), undefined, undefined, undefined, undefined, undefined, rm(undefined, undefined, e('endbr64', '', { modrm: true }), e('endbr32', '', { modrm: true })))),
);
t[0x20] = e('mov', 'Rq,cq', { acc: 'w,r' });
t[0x21] = e('mov', 'Rq,dq', { acc: 'w,r' });
t[0x22] = e('mov', 'cq,Rq', { acc: 'w,r' });
t[0x23] = e('mov', 'dq,Rq', { acc: 'w,r' });
t[0x28] = pfx(e('movaps', 'Vo,Wo', { acc: 'w,r' }), e('movapd', 'Vo,Wo', { acc: 'w,r' }));
t[0x29] = pfx(e('movaps', 'Wo,Vo', { acc: 'w,r' }), e('movapd', 'Wo,Vo', { acc: 'w,r' }));
t[0x2a] = pfx(e('cvtpi2ps', 'Vo,Qq'), e('cvtpi2pd', 'Vo,Qq'), e('cvtsi2ss', 'Vo,Ey'), e('cvtsi2sd', 'Vo,Ey'));
t[0x2b] = pfx(
  mod(e('movntps', 'Mo,Vo', { acc: 'w,r' }), undefined),
  mod(e('movntpd', 'Mo,Vo', { acc: 'w,r' }), undefined),
  mod(e('movntss', 'Md,Vo', { acc: 'w,r' }), undefined), // AMD SSE4a
  mod(e('movntsd', 'Mq,Vo', { acc: 'w,r' }), undefined),
);
t[0x2c] = pfx(e('cvttps2pi', 'Pq,Wq'), e('cvttpd2pi', 'Pq,Wo'), e('cvttss2si', 'Gy,Wd', { acc: 'w,r' }), e('cvttsd2si', 'Gy,Wq', { acc: 'w,r' }));
t[0x2d] = pfx(e('cvtps2pi', 'Pq,Wq'), e('cvtpd2pi', 'Pq,Wo'), e('cvtss2si', 'Gy,Wd', { acc: 'w,r' }), e('cvtsd2si', 'Gy,Wq', { acc: 'w,r' }));
t[0x2e] = pfx(e('ucomiss', 'Vo,Wd', { acc: 'r,r' }), e('ucomisd', 'Vo,Wq', { acc: 'r,r' }));
t[0x2f] = pfx(e('comiss', 'Vo,Wd', { acc: 'r,r' }), e('comisd', 'Vo,Wq', { acc: 'r,r' }));
t[0x30] = e('wrmsr');
t[0x31] = e('rdtsc');
t[0x32] = e('rdmsr');
t[0x33] = e('rdpmc');
t[0x34] = e('sysenter', '', { flow: 'syscall' });
t[0x35] = e('sysexit|sysexit|sysexitq', '', { flow: 'ret' });
CC.forEach((c, i) => {
  t[0x40 + i] = e('cmov' + c, 'Gv,Ev', { acc: 'rw,r' });
  t[0x80 + i] = e('j' + c, 'Jz', { flow: 'cjump' });
  t[0x90 + i] = e('set' + c, 'Eb', { acc: 'w', modrm: true });
});
t[0x50] = pfx(e('movmskps', 'Gd,Uo', { acc: 'w,r' }), e('movmskpd', 'Gd,Uo', { acc: 'w,r' }));
t[0x51] = psd('sqrt', 'w,r');
t[0x52] = pfx(e('rsqrtps', 'Vo,Wo'), undefined, e('rsqrtss', 'Vo,Wd'));
t[0x53] = pfx(e('rcpps', 'Vo,Wo'), undefined, e('rcpss', 'Vo,Wd'));
t[0x54] = pfx(e('andps', 'Vo,Wo'), e('andpd', 'Vo,Wo'));
t[0x55] = pfx(e('andnps', 'Vo,Wo'), e('andnpd', 'Vo,Wo'));
t[0x56] = pfx(e('orps', 'Vo,Wo'), e('orpd', 'Vo,Wo'));
t[0x57] = pfx(e('xorps', 'Vo,Wo'), e('xorpd', 'Vo,Wo'));
t[0x58] = psd('add');
t[0x59] = psd('mul');
t[0x5a] = pfx(e('cvtps2pd', 'Vo,Wq', { acc: 'w,r' }), e('cvtpd2ps', 'Vo,Wo', { acc: 'w,r' }), e('cvtss2sd', 'Vo,Wd', { acc: 'w,r' }), e('cvtsd2ss', 'Vo,Wq', { acc: 'w,r' }));
t[0x5b] = pfx(e('cvtdq2ps', 'Vo,Wo', { acc: 'w,r' }), e('cvtps2dq', 'Vo,Wo', { acc: 'w,r' }), e('cvttps2dq', 'Vo,Wo', { acc: 'w,r' }));
t[0x5c] = psd('sub');
t[0x5d] = psd('min');
t[0x5e] = psd('div');
t[0x5f] = psd('max');
// (the MMX forms of 60-62 read only 32 bits of memory)
['punpcklbw', 'punpcklwd', 'punpckldq', 'packsswb', 'pcmpgtb', 'pcmpgtw', 'pcmpgtd', 'packuswb', 'punpckhbw', 'punpckhwd', 'punpckhdq', 'packssdw'].forEach(
  (m, i) => (t[0x60 + i] = i < 3 ? pfx(e(m, 'Pq,Qd'), e(m, 'Vo,Wo')) : mx(m)),
);
t[0x6c] = x66('punpcklqdq');
t[0x6d] = x66('punpckhqdq');
// movd/movq: capstone names the REX.W form movq
t[0x6e] = pfx(e('movd|movd|movq', 'Pq,Ey', { acc: 'w,r' }), e('movd|movd|movq', 'Vo,Ey', { acc: 'w,r' }));
t[0x6f] = pfx(e('movq', 'Pq,Qq', { acc: 'w,r' }), e('movdqa', 'Vo,Wo', { acc: 'w,r' }), e('movdqu', 'Vo,Wo', { acc: 'w,r' }));
t[0x70] = pfx(e('pshufw', 'Pq,Qq,Ib', { acc: 'w,r' }), e('pshufd', 'Vo,Wo,Ib', { acc: 'w,r' }), e('pshufhw', 'Vo,Wo,Ib', { acc: 'w,r' }), e('pshuflw', 'Vo,Wo,Ib', { acc: 'w,r' }));
const shiftImm = (l: (string | undefined)[]): Node =>
  mod(undefined, reg(...l.map((m) => (m ? pfx(m.endsWith('dq') ? undefined : e(m, 'Qq,Ib'), e(m, 'Uo,Ib')) : undefined))));
t[0x71] = shiftImm([undefined, undefined, 'psrlw', undefined, 'psraw', undefined, 'psllw']);
t[0x72] = shiftImm([undefined, undefined, 'psrld', undefined, 'psrad', undefined, 'pslld']);
t[0x73] = shiftImm([undefined, undefined, 'psrlq', 'psrldq', undefined, undefined, 'psllq', 'pslldq']);
t[0x74] = mx('pcmpeqb');
t[0x75] = mx('pcmpeqw');
t[0x76] = mx('pcmpeqd');
t[0x77] = pfx(e('emms'));
t[0x7c] = pfx(undefined, e('haddpd', 'Vo,Wo'), undefined, e('haddps', 'Vo,Wo'));
t[0x7d] = pfx(undefined, e('hsubpd', 'Vo,Wo'), undefined, e('hsubps', 'Vo,Wo'));
t[0x7e] = pfx(e('movd|movd|movq', 'Ey,Pq', { acc: 'w,r' }), e('movd|movd|movq', 'Ey,Vo', { acc: 'w,r' }), e('movq', 'Vo,Wq', { acc: 'w,r' }));
t[0x7f] = pfx(e('movq', 'Qq,Pq', { acc: 'w,r' }), e('movdqa', 'Wo,Vo', { acc: 'w,r' }), e('movdqu', 'Wo,Vo', { acc: 'w,r' }));
t[0xa0] = e('push', 's', { d64: true });
t[0xa1] = e('pop', 's', { d64: true, acc: 'w' });
t[0xa2] = e('cpuid');
t[0xa3] = e('bt', 'Ev,Gv', { acc: 'r,r' });
t[0xa4] = e('shld', 'Ev,Gv,Ib', { acc: 'rw,r' });
t[0xa5] = e('shld', 'Ev,Gv,C', { acc: 'rw,r' });
t[0xa8] = e('push', 's', { d64: true });
t[0xa9] = e('pop', 's', { d64: true, acc: 'w' });
t[0xab] = e('bts', 'Ev,Gv', { acc: 'rw,r' });
t[0xac] = e('shrd', 'Ev,Gv,Ib', { acc: 'rw,r' });
t[0xad] = e('shrd', 'Ev,Gv,C', { acc: 'rw,r' });
t[0xae] = pfx(
  mod(
    reg(e('fxsave', 'M512'), e('fxrstor', 'M512'), e('ldmxcsr', 'Md'), e('stmxcsr', 'Md', { acc: 'w' }), e('xsave', 'M0'), e('xrstor', 'M0'), e('xsaveopt', 'M0'), e('clflush', 'Mb')),
    reg(undefined, undefined, undefined, undefined, undefined, rm(e('lfence', '', { modrm: true })), rm(e('mfence', '', { modrm: true })), rm(e('sfence', '', { modrm: true }))),
  ),
  mod(reg(undefined, undefined, undefined, undefined, undefined, undefined, e('clwb', 'Mb'), e('clflushopt', 'Mb')), undefined),
  mod(
    undefined,
    reg(e('rdfsbase', 'Ry', { acc: 'w' }), e('rdgsbase', 'Ry', { acc: 'w' }), e('wrfsbase', 'Ry'), e('wrgsbase', 'Ry'), undefined, e('incsspd|incsspd|incsspq', 'Ry')),
  ),
);
t[0xaf] = e('imul', 'Gv,Ev', { acc: 'rw,r' });
t[0xb0] = e('cmpxchg', 'Eb,Gb', { acc: 'rw,r' });
t[0xb1] = e('cmpxchg', 'Ev,Gv', { acc: 'rw,r' });
t[0xb3] = e('btr', 'Ev,Gv', { acc: 'rw,r' });
t[0xb6] = e('movzx', 'Gv,Eb', { acc: 'w,r' });
t[0xb7] = e('movzx', 'Gv,Ew', { acc: 'w,r' });
t[0xb8] = pfx(undefined, undefined, e('popcnt', 'Gv,Ev', { acc: 'w,r' }));
t[0xb9] = e('ud1', '', { flow: 'trap' }); // capstone stops after the opcode (no ModRM), as for ud0
t[0xba] = reg(undefined, undefined, undefined, undefined, e('bt', 'Ev,Ib', { acc: 'r,r' }), e('bts', 'Ev,Ib'), e('btr', 'Ev,Ib'), e('btc', 'Ev,Ib'));
t[0xbb] = e('btc', 'Ev,Gv', { acc: 'rw,r' });
t[0xbc] = pfx(e('bsf', 'Gv,Ev', { acc: 'w,r' }), e('bsf', 'Gv,Ev', { acc: 'w,r' }), e('tzcnt', 'Gv,Ev', { acc: 'w,r' }));
t[0xbd] = pfx(e('bsr', 'Gv,Ev', { acc: 'w,r' }), e('bsr', 'Gv,Ev', { acc: 'w,r' }), e('lzcnt', 'Gv,Ev', { acc: 'w,r' }));
t[0xbe] = e('movsx', 'Gv,Eb', { acc: 'w,r' });
t[0xbf] = e('movsx', 'Gv,Ew', { acc: 'w,r' });
t[0xc0] = e('xadd', 'Eb,Gb', { acc: 'rw,rw' });
t[0xc1] = e('xadd', 'Ev,Gv', { acc: 'rw,rw' });
t[0xc2] = pfx(
  e('cmpps', 'Vo,Wo', { pred: PRED.map((p) => `cmp${p}ps`) }),
  e('cmppd', 'Vo,Wo', { pred: PRED.map((p) => `cmp${p}pd`) }),
  e('cmpss', 'Vo,Wd', { pred: PRED.map((p) => `cmp${p}ss`) }),
  e('cmpsd', 'Vo,Wq', { pred: PRED.map((p) => `cmp${p}sd`) }),
);
t[0xc3] = pfx(mod(e('movnti', 'My,Gy', { acc: 'w,r' }), undefined));
t[0xc4] = pfx(e('pinsrw', 'Pq,ew,Ib'), e('pinsrw', 'Vo,ew,Ib'));
t[0xc5] = pfx(mod(undefined, e('pextrw', 'Gd,Qq,Ib', { acc: 'w,r' })), mod(undefined, e('pextrw', 'Gd,Uo,Ib', { acc: 'w,r' })));
t[0xc6] = pfx(e('shufps', 'Vo,Wo,Ib'), e('shufpd', 'Vo,Wo,Ib'));
t[0xc7] = mod(
  reg(
    undefined,
    w(e('cmpxchg8b', 'Mq'), e('cmpxchg16b', 'Mo')),
    undefined,
    pfx(e('xrstors', 'M0')),
    pfx(e('xsavec', 'M0')),
    pfx(e('xsaves', 'M0')),
    pfx(e('vmptrld', 'Mq'), e('vmclear', 'Mq'), e('vmxon', 'Mq')),
    pfx(e('vmptrst', 'Mq')),
  ),
  reg(undefined, undefined, undefined, undefined, undefined, undefined, pfx(e('rdrand', 'Rv', { acc: 'w' }), e('rdrand', 'Rv', { acc: 'w' })), pfx(e('rdseed', 'Rv', { acc: 'w' }), e('rdseed', 'Rv', { acc: 'w' }), e('rdpid', 'Rq', { acc: 'w' }))),
);
for (let r = 0; r < 8; r++) t[0xc8 + r] = e('bswap', 'Zv', { acc: 'rw' });
t[0xd0] = pfx(undefined, e('addsubpd', 'Vo,Wo'), undefined, e('addsubps', 'Vo,Wo'));
const D0 = [undefined, 'psrlw', 'psrld', 'psrlq', 'paddq', 'pmullw', undefined, undefined, 'psubusb', 'psubusw', 'pminub', 'pand', 'paddusb', 'paddusw', 'pmaxub', 'pandn',
  'pavgb', 'psraw', 'psrad', 'pavgw', 'pmulhuw', 'pmulhw', undefined, undefined, 'psubsb', 'psubsw', 'pminsw', 'por', 'paddsb', 'paddsw', 'pmaxsw', 'pxor',
  undefined, 'psllw', 'pslld', 'psllq', 'pmuludq', 'pmaddwd', 'psadbw', undefined, 'psubb', 'psubw', 'psubd', 'psubq', 'paddb', 'paddw', 'paddd'];
D0.forEach((m, i) => {
  if (m) t[0xd0 + i] = mx(m);
});
t[0xd6] = pfx(undefined, e('movq', 'Wq,Vo', { acc: 'w,r' }), mod(undefined, e('movq2dq', 'Vo,Qq')), mod(undefined, e('movdq2q', 'Pq,Uo')));
t[0xd7] = pfx(mod(undefined, e('pmovmskb', 'Gd,Qq', { acc: 'w,r' })), mod(undefined, e('pmovmskb', 'Gd,Uo', { acc: 'w,r' })));
t[0xe6] = pfx(undefined, e('cvttpd2dq', 'Vo,Wo', { acc: 'w,r' }), e('cvtdq2pd', 'Vo,Wq', { acc: 'w,r' }), e('cvtpd2dq', 'Vo,Wo', { acc: 'w,r' }));
t[0xe7] = pfx(mod(e('movntq', 'Mq,Pq', { acc: 'w,r' }), undefined), mod(e('movntdq', 'Mo,Vo', { acc: 'w,r' }), undefined));
t[0xf0] = pfx(undefined, undefined, undefined, mod(e('lddqu', 'Vo,Mo', { acc: 'w,r' }), undefined));
t[0xf7] = pfx(mod(undefined, e('maskmovq', 'Pq,Qq')), mod(undefined, e('maskmovdqu', 'Vo,Uo')));
t[0xff] = e('ud0', '', { flow: 'trap' });

// 0F 38
['pshufb', 'phaddw', 'phaddd', 'phaddsw', 'pmaddubsw', 'phsubw', 'phsubd', 'phsubsw', 'psignb', 'psignw', 'psignd', 'pmulhrsw'].forEach((m, i) => (t38[i] = mx(m)));
t38[0x10] = x66('pblendvb', 'Vo,Wo,0');
t38[0x14] = x66('blendvps', 'Vo,Wo,0');
t38[0x15] = x66('blendvpd', 'Vo,Wo,0');
t38[0x17] = x66('ptest', 'Vo,Wo', 'r,r');
t38[0x1c] = mx('pabsb');
t38[0x1d] = mx('pabsw');
t38[0x1e] = mx('pabsd');
const ext = (p: string, base: number): void => {
  const sz = ['q', 'd', 'w', 'q', 'd', 'q'];
  ['bw', 'bd', 'bq', 'wd', 'wq', 'dq'].forEach((s, i) => (t38[base + i] = x66(p + s, `Vo,W${sz[i]}`, 'w,r')));
};
ext('pmovsx', 0x20);
ext('pmovzx', 0x30);
t38[0x28] = x66('pmuldq');
t38[0x29] = x66('pcmpeqq');
t38[0x2a] = pfx(undefined, mod(e('movntdqa', 'Vo,Mo', { acc: 'w,r' }), undefined));
t38[0x2b] = x66('packusdw');
t38[0x37] = x66('pcmpgtq');
['pminsb', 'pminsd', 'pminuw', 'pminud', 'pmaxsb', 'pmaxsd', 'pmaxuw', 'pmaxud', 'pmulld', 'phminposuw'].forEach((m, i) => (t38[0x38 + i] = x66(m)));
t38[0xc8] = pfx(e('sha1nexte', 'Vo,Wo'));
t38[0xc9] = pfx(e('sha1msg1', 'Vo,Wo'));
t38[0xca] = pfx(e('sha1msg2', 'Vo,Wo'));
t38[0xcb] = pfx(e('sha256rnds2', 'Vo,Wo,0'));
t38[0xcc] = pfx(e('sha256msg1', 'Vo,Wo'));
t38[0xcd] = pfx(e('sha256msg2', 'Vo,Wo'));
t38[0xdb] = x66('aesimc', 'Vo,Wo', 'w,r');
t38[0xdc] = x66('aesenc');
t38[0xdd] = x66('aesenclast');
t38[0xde] = x66('aesdec');
t38[0xdf] = x66('aesdeclast');
t38[0xf0] = pfx(mod(e('movbe', 'Gv,Mv', { acc: 'w,r' }), undefined), mod(e('movbe', 'Gv,Mv', { acc: 'w,r' }), undefined), undefined, e('crc32', 'Gy,Eb', { acc: 'rw,r' }));
t38[0xf1] = pfx(mod(e('movbe', 'Mv,Gv', { acc: 'w,r' }), undefined), mod(e('movbe', 'Mv,Gv', { acc: 'w,r' }), undefined), undefined, e('crc32', 'Gy,Ev', { acc: 'rw,r' }));

// 0F 3A
t3a[0x08] = x66('roundps', 'Vo,Wo,Ib', 'w,r');
t3a[0x09] = x66('roundpd', 'Vo,Wo,Ib', 'w,r');
t3a[0x0a] = x66('roundss', 'Vo,Wd,Ib', 'w,r');
t3a[0x0b] = x66('roundsd', 'Vo,Wq,Ib', 'w,r');
t3a[0x0c] = x66('blendps', 'Vo,Wo,Ib');
t3a[0x0d] = x66('blendpd', 'Vo,Wo,Ib');
t3a[0x0e] = x66('pblendw', 'Vo,Wo,Ib');
t3a[0x0f] = pfx(e('palignr', 'Pq,Qq,Ib'), e('palignr', 'Vo,Wo,Ib'));
t3a[0x14] = x66('pextrb', 'eb,Vo,Ib', 'w,r,r');
t3a[0x15] = x66('pextrw', 'ew,Vo,Ib', 'w,r,r');
t3a[0x16] = pfx(undefined, w(e('pextrd', 'Ed,Vo,Ib', { acc: 'w,r,r' }), e('pextrq', 'Eq,Vo,Ib', { acc: 'w,r,r' })));
t3a[0x17] = x66('extractps', 'Ed,Vo,Ib', 'w,r,r');
t3a[0x20] = x66('pinsrb', 'Vo,eb,Ib');
t3a[0x21] = x66('insertps', 'Vo,Wd,Ib');
t3a[0x22] = pfx(undefined, w(e('pinsrd', 'Vo,Ed,Ib'), e('pinsrq', 'Vo,Eq,Ib')));
t3a[0x40] = x66('dpps', 'Vo,Wo,Ib');
t3a[0x41] = x66('dppd', 'Vo,Wo,Ib');
t3a[0x42] = x66('mpsadbw', 'Vo,Wo,Ib');
t3a[0x44] = x66('pclmulqdq', 'Vo,Wo,Ib');
t3a[0x60] = x66('pcmpestrm', 'Vo,Wo,Ib', 'r,r,r');
t3a[0x61] = x66('pcmpestri', 'Vo,Wo,Ib', 'r,r,r');
t3a[0x62] = x66('pcmpistrm', 'Vo,Wo,Ib', 'r,r,r');
t3a[0x63] = x66('pcmpistri', 'Vo,Wo,Ib', 'r,r,r');
t3a[0xcc] = pfx(e('sha1rnds4', 'Vo,Wo,Ib'));
t3a[0xdf] = x66('aeskeygenassist', 'Vo,Wo,Ib', 'w,r,r');

export const MAP_0F = t;
export const MAP_0F38 = t38;
export const MAP_0F3A = t3a;
