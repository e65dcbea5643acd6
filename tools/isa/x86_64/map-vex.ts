// VEX (c4/c5) and EVEX (62) opcode maps 1 (0F), 2 (0F38), 3 (0F3A). Only the vector forms
// compilers and glibc/musl emit (AVX, AVX2, BMI, AVX-512 F/BW/VL string kernels, mask ops).
import { e, pfx, reg, mod, w, l, table, SZ_Y, type Node, type Table, type EntryOpts } from './spec.js';

type M = Table;
const mk = (): M => table();
const v1 = mk(), v2 = mk(), v3 = mk();
const x1 = mk(), x2 = mk(), x3 = mk();
export const VEX_MAPS: (Table | undefined)[] = [undefined, v1, v2, v3];
export const EVEX_MAPS: (Table | undefined)[] = [undefined, x1, x2, x3];

const p66 = (n: Node): Node => pfx(undefined, n);
const NDS = 'Vx,Hx,Wx';
/** only with VEX.L = 0 (128-bit or scalar-register forms) */
const l0 = (n: Node): Node => l(n);
/** only with VEX.L = 1 (256-bit lane operations) */
const l1 = (n: Node): Node => l(undefined, n);

// ---- map 1: float moves and arithmetic
const mov = { acc: 'w,r' };
v1[0x10] = pfx(e('vmovups', 'Vx,Wx', mov), e('vmovupd', 'Vx,Wx', mov), mod(e('vmovss', 'Vo,Md', mov), e('vmovss', 'Vo,Ho,Uo')), mod(e('vmovsd', 'Vo,Mq', mov), e('vmovsd', 'Vo,Ho,Uo')));
v1[0x11] = pfx(e('vmovups', 'Wx,Vx', mov), e('vmovupd', 'Wx,Vx', mov), mod(e('vmovss', 'Md,Vo', mov), e('vmovss', 'Uo,Ho,Vo')), mod(e('vmovsd', 'Mq,Vo', mov), e('vmovsd', 'Uo,Ho,Vo')));
v1[0x12] = pfx(l0(mod(e('vmovlps', 'Vo,Ho,Mq'), e('vmovhlps', 'Vo,Ho,Uo'))), l0(mod(e('vmovlpd', 'Vo,Ho,Mq'), undefined)), e('vmovsldup', 'Vx,Wx', mov), e('vmovddup', 'Vx,Wx', mov));
v1[0x13] = pfx(l0(mod(e('vmovlps', 'Mq,Vo', mov), undefined)), l0(mod(e('vmovlpd', 'Mq,Vo', mov), undefined)));
v1[0x14] = pfx(e('vunpcklps', NDS), e('vunpcklpd', NDS));
v1[0x15] = pfx(e('vunpckhps', NDS), e('vunpckhpd', NDS));
v1[0x16] = pfx(l0(mod(e('vmovhps', 'Vo,Ho,Mq'), e('vmovlhps', 'Vo,Ho,Uo'))), l0(mod(e('vmovhpd', 'Vo,Ho,Mq'), undefined)), e('vmovshdup', 'Vx,Wx', mov));
v1[0x17] = pfx(l0(mod(e('vmovhps', 'Mq,Vo', mov), undefined)), l0(mod(e('vmovhpd', 'Mq,Vo', mov), undefined)));
v1[0x28] = pfx(e('vmovaps', 'Vx,Wx', mov), e('vmovapd', 'Vx,Wx', mov));
v1[0x29] = pfx(e('vmovaps', 'Wx,Vx', mov), e('vmovapd', 'Wx,Vx', mov));
v1[0x2a] = pfx(undefined, undefined, e('vcvtsi2ss', 'Vo,Ho,Ey'), e('vcvtsi2sd', 'Vo,Ho,Ey'));
v1[0x2b] = pfx(mod(e('vmovntps', 'Mx,Vx', mov), undefined), mod(e('vmovntpd', 'Mx,Vx', mov), undefined));
v1[0x2c] = pfx(undefined, undefined, e('vcvttss2si', 'Gy,Wd', mov), e('vcvttsd2si', 'Gy,Wq', mov));
v1[0x2d] = pfx(undefined, undefined, e('vcvtss2si', 'Gy,Wd', mov), e('vcvtsd2si', 'Gy,Wq', mov));
v1[0x2e] = pfx(e('vucomiss', 'Vo,Wd', { acc: 'r,r' }), e('vucomisd', 'Vo,Wq', { acc: 'r,r' }));
v1[0x2f] = pfx(e('vcomiss', 'Vo,Wd', { acc: 'r,r' }), e('vcomisd', 'Vo,Wq', { acc: 'r,r' }));
v1[0x50] = pfx(e('vmovmskps', 'Gd,Ux', mov), e('vmovmskpd', 'Gd,Ux', mov));
const fp = (op: number, m: string, scalar = true): void => {
  v1[op] = pfx(e(`v${m}ps`, NDS), e(`v${m}pd`, NDS), scalar ? e(`v${m}ss`, 'Vo,Ho,Wd') : undefined, scalar ? e(`v${m}sd`, 'Vo,Ho,Wq') : undefined);
};
fp(0x54, 'and', false);
fp(0x55, 'andn', false);
fp(0x56, 'or', false);
fp(0x57, 'xor', false);
fp(0x58, 'add');
fp(0x59, 'mul');
fp(0x5c, 'sub');
fp(0x5d, 'min');
fp(0x5e, 'div');
fp(0x5f, 'max');
v1[0x51] = pfx(e('vsqrtps', 'Vx,Wx', mov), e('vsqrtpd', 'Vx,Wx', mov), e('vsqrtss', 'Vo,Ho,Wd'), e('vsqrtsd', 'Vo,Ho,Wq'));
v1[0x5a] = pfx(e('vcvtps2pd', 'Vx,Wh', mov), e('vcvtpd2ps', 'Vo,Wx', mov), e('vcvtss2sd', 'Vo,Ho,Wd'), e('vcvtsd2ss', 'Vo,Ho,Wq'));
v1[0x5b] = pfx(e('vcvtdq2ps', 'Vx,Wx', mov), e('vcvtps2dq', 'Vx,Wx', mov), e('vcvttps2dq', 'Vx,Wx', mov));
v1[0xc6] = pfx(e('vshufps', 'Vx,Hx,Wx,Ib'), e('vshufpd', 'Vx,Hx,Wx,Ib'));
const VPRED = ['eq', 'lt', 'le', 'unord', 'neq', 'nlt', 'nle', 'ord', 'eq_uq', 'nge', 'ngt', 'false', 'neq_oq', 'ge', 'gt', 'true',
  'eq_os', 'lt_oq', 'le_oq', 'unord_s', 'neq_us', 'nlt_uq', 'nle_uq', 'ord_s', 'eq_us', 'nge_uq', 'ngt_uq', 'false_os', 'neq_os', 'ge_oq', 'gt_oq', 'true_us'];
v1[0xc2] = pfx(
  e('vcmpps', NDS, { pred: VPRED.map((p) => `vcmp${p}ps`) }),
  e('vcmppd', NDS, { pred: VPRED.map((p) => `vcmp${p}pd`) }),
  e('vcmpss', 'Vo,Ho,Wd', { pred: VPRED.map((p) => `vcmp${p}ss`) }),
  e('vcmpsd', 'Vo,Ho,Wq', { pred: VPRED.map((p) => `vcmp${p}sd`) }),
);
v1[0x77] = pfx(l(e('vzeroupper'), e('vzeroall')));

// ---- map 1: integer ops (66), VEX names; byte/word ones are the same under EVEX
const INT60 = ['vpunpcklbw', 'vpunpcklwd', 'vpunpckldq', 'vpacksswb', 'vpcmpgtb', 'vpcmpgtw', 'vpcmpgtd', 'vpackuswb', 'vpunpckhbw', 'vpunpckhwd', 'vpunpckhdq', 'vpackssdw', 'vpunpcklqdq', 'vpunpckhqdq'];
INT60.forEach((m, i) => (v1[0x60 + i] = p66(e(m, NDS))));
const INTD0: (string | undefined)[] = [undefined, 'vpsrlw', 'vpsrld', 'vpsrlq', 'vpaddq', 'vpmullw', undefined, undefined, 'vpsubusb', 'vpsubusw', 'vpminub', 'vpand', 'vpaddusb', 'vpaddusw', 'vpmaxub', 'vpandn',
  'vpavgb', 'vpsraw', 'vpsrad', 'vpavgw', 'vpmulhuw', 'vpmulhw', undefined, undefined, 'vpsubsb', 'vpsubsw', 'vpminsw', 'vpor', 'vpaddsb', 'vpaddsw', 'vpmaxsw', 'vpxor',
  undefined, 'vpsllw', 'vpslld', 'vpsllq', 'vpmuludq', 'vpmaddwd', 'vpsadbw', undefined, 'vpsubb', 'vpsubw', 'vpsubd', 'vpsubq', 'vpaddb', 'vpaddw', 'vpaddd'];
INTD0.forEach((m, i) => {
  if (m) v1[0xd0 + i] = p66(e(m, /^vps[rl][la][wdq]$/.test(m) ? 'Vx,Hx,Wo' : NDS));
});
v1[0x74] = p66(e('vpcmpeqb', NDS));
v1[0x75] = p66(e('vpcmpeqw', NDS));
v1[0x76] = p66(e('vpcmpeqd', NDS));
v1[0x6e] = p66(l0(e('vmovd|vmovd|vmovq', 'Vo,Ey', mov)));
v1[0x7e] = pfx(undefined, l0(e('vmovd|vmovd|vmovq', 'Ey,Vo', mov)), l0(e('vmovq', 'Vo,Wq', mov)));
v1[0xd6] = p66(l0(e('vmovq', 'Wq,Vo', mov)));
v1[0x6f] = pfx(undefined, e('vmovdqa', 'Vx,Wx', mov), e('vmovdqu', 'Vx,Wx', mov));
v1[0x7f] = pfx(undefined, e('vmovdqa', 'Wx,Vx', mov), e('vmovdqu', 'Wx,Vx', mov));
v1[0x70] = pfx(undefined, e('vpshufd', 'Vx,Wx,Ib', mov), e('vpshufhw', 'Vx,Wx,Ib', mov), e('vpshuflw', 'Vx,Wx,Ib', mov));
const vshift = (l8: (string | undefined)[]): Node => p66(mod(undefined, reg(...l8.map((m) => (m ? e(m, 'Hx,Ux,Ib', { acc: 'w,r' }) : undefined)))));
v1[0x71] = vshift([undefined, undefined, 'vpsrlw', undefined, 'vpsraw', undefined, 'vpsllw']);
v1[0x72] = vshift([undefined, undefined, 'vpsrld', undefined, 'vpsrad', undefined, 'vpslld']);
v1[0x73] = vshift([undefined, undefined, 'vpsrlq', 'vpsrldq', undefined, undefined, 'vpsllq', 'vpslldq']);
v1[0xc4] = p66(l0(w(e('vpinsrw', 'Vo,Ho,ew,Ib'), undefined)));
v1[0xc5] = p66(l0(mod(undefined, e('vpextrw', 'Gd,Uo,Ib', mov))));
v1[0xd7] = p66(mod(undefined, e('vpmovmskb', 'Gd,Ux', mov)));
v1[0xe6] = pfx(undefined, e('vcvttpd2dq', 'Vo,Wx', mov), e('vcvtdq2pd', 'Vx,Wh', mov), e('vcvtpd2dq', 'Vo,Wx', mov));
v1[0xe7] = p66(mod(e('vmovntdq', 'Mx,Vx', mov), undefined));
v1[0xf0] = pfx(undefined, undefined, undefined, mod(e('vlddqu', 'Vx,Mx', mov), undefined));
v1[0xf7] = p66(mod(undefined, e('vmaskmovdqu', 'Vo,Uo')));

// ---- map 1: opmask instructions; the register width is chosen by pp and W
/** k-op named by (pp, W): np W0 = w, np W1 = q, 66 W0 = b, 66 W1 = d */
const kop = (m: string, ops: string): Node =>
  pfx(w(e(m + 'w', ops), e(m + 'q', ops)), w(e(m + 'b', ops), e(m + 'd', ops)));
v1[0x41] = l(undefined, kop('kand', 'k,N,K'));
v1[0x42] = l(undefined, kop('kandn', 'k,N,K'));
v1[0x44] = l(kop('knot', 'k,K'));
v1[0x45] = l(undefined, kop('kor', 'k,N,K'));
v1[0x46] = l(undefined, kop('kxnor', 'k,N,K'));
v1[0x47] = l(undefined, kop('kxor', 'k,N,K'));
v1[0x4a] = l(undefined, kop('kadd', 'k,N,K'));
v1[0x4b] = l(undefined, pfx(w(e('kunpckwd', 'k,N,K'), e('kunpckdq', 'k,N,K')), w(e('kunpckbw', 'k,N,K'), undefined)));
v1[0x90] = l(kop('kmov', 'k,Kq'));
v1[0x91] = l(mod(kop('kmov', 'Kq,k'), undefined));
v1[0x92] = l(pfx(w(e('kmovw', 'k,Rd'), undefined), w(e('kmovb', 'k,Rd'), undefined), undefined, w(e('kmovd', 'k,Rd'), e('kmovq', 'k,Rq'))));
v1[0x93] = l(pfx(w(e('kmovw', 'Gd,K'), undefined), w(e('kmovb', 'Gd,K'), undefined), undefined, w(e('kmovd', 'Gd,K'), e('kmovq', 'Gq,K'))));
v1[0x98] = l(kop('kortest', 'k,K'));
v1[0x99] = l(kop('ktest', 'k,K'));

// ---- map 2 (0F38)
['vpshufb', 'vphaddw', 'vphaddd', 'vphaddsw', 'vpmaddubsw', 'vphsubw', 'vphsubd', 'vphsubsw', 'vpsignb', 'vpsignw', 'vpsignd', 'vpmulhrsw'].forEach(
  (m, i) => (v2[i] = p66(e(m, NDS))),
);
v2[0x0c] = p66(e('vpermilps', NDS));
v2[0x0d] = p66(e('vpermilpd', NDS));
v2[0x16] = p66(l1(w(e('vpermps', NDS), undefined)));
v2[0x17] = p66(e('vptest', 'Vx,Wx', { acc: 'r,r' }));
v2[0x18] = p66(e('vbroadcastss', 'Vx,Wd', mov));
v2[0x19] = p66(l1(w(e('vbroadcastsd', 'Vx,Wq', mov), undefined)));
v2[0x1a] = p66(l1(w(mod(e('vbroadcastf128', 'Vx,Mo', mov), undefined), undefined)));
v2[0x1c] = p66(e('vpabsb', 'Vx,Wx', mov));
v2[0x1d] = p66(e('vpabsw', 'Vx,Wx', mov));
v2[0x1e] = p66(e('vpabsd', 'Vx,Wx', mov));
const vext = (p: string, base: number): void => {
  const sz = ['h', 'r', 'e', 'h', 'r', 'h'];
  ['bw', 'bd', 'bq', 'wd', 'wq', 'dq'].forEach((s, i) => (v2[base + i] = p66(e(p + s, `Vx,W${sz[i]}`, mov))));
};
vext('vpmovsx', 0x20);
vext('vpmovzx', 0x30);
v2[0x28] = p66(e('vpmuldq', NDS));
v2[0x29] = p66(e('vpcmpeqq', NDS));
v2[0x2a] = p66(mod(e('vmovntdqa', 'Vx,Mx', mov), undefined));
v2[0x2b] = p66(e('vpackusdw', NDS));
v2[0x36] = p66(l1(w(e('vpermd', NDS), undefined)));
v2[0x37] = p66(e('vpcmpgtq', NDS));
['vpminsb', 'vpminsd', 'vpminuw', 'vpminud', 'vpmaxsb', 'vpmaxsd', 'vpmaxuw', 'vpmaxud', 'vpmulld'].forEach((m, i) => (v2[0x38 + i] = p66(e(m, NDS))));
v2[0x45] = p66(w(e('vpsrlvd', NDS), e('vpsrlvq', NDS)));
v2[0x46] = p66(w(e('vpsravd', NDS), undefined));
v2[0x47] = p66(w(e('vpsllvd', NDS), e('vpsllvq', NDS)));
v2[0x58] = p66(e('vpbroadcastd', 'Vx,Wd', mov));
v2[0x59] = p66(e('vpbroadcastq', 'Vx,Wq', mov));
v2[0x5a] = p66(l1(w(mod(e('vbroadcasti128', 'Vx,Mo', mov), undefined), undefined)));
v2[0x78] = p66(e('vpbroadcastb', 'Vx,Wb', mov));
v2[0x79] = p66(e('vpbroadcastw', 'Vx,Ww', mov));
v2[0x8c] = p66(mod(w(e('vpmaskmovd', 'Vx,Hx,Mx'), e('vpmaskmovq', 'Vx,Hx,Mx')), undefined));
v2[0x8e] = p66(mod(w(e('vpmaskmovd', 'Mx,Hx,Vx'), e('vpmaskmovq', 'Mx,Hx,Vx')), undefined));
// FMA3: three orderings (132, 213, 231) of eight operations; W picks single/double
const FMA = ['vfmaddsub', 'vfmsubadd', 'vfmadd', 'vfmadd', 'vfmsub', 'vfmsub', 'vfnmadd', 'vfnmadd', 'vfnmsub', 'vfnmsub'];
for (const [base, order] of [[0x96, '132'], [0xa6, '213'], [0xb6, '231']] as [number, string][])
  FMA.forEach((m, i) => {
    // odd opcodes from 0x99 on are the scalar forms
    const scalar = i >= 3 && i % 2 === 1;
    v2[base + i] = p66(
      scalar
        ? w(e(`${m}${order}ss`, 'Vo,Ho,Wd'), e(`${m}${order}sd`, 'Vo,Ho,Wq'))
        : w(e(`${m}${order}ps`, NDS), e(`${m}${order}pd`, NDS)),
    );
  });
v2[0x0e] = p66(e('vtestps', 'Vx,Wx', { acc: 'r,r' }));
v2[0x0f] = p66(e('vtestpd', 'Vx,Wx', { acc: 'r,r' }));
v2[0x2c] = p66(mod(e('vmaskmovps', 'Vx,Hx,Mx'), undefined));
v2[0x2d] = p66(mod(e('vmaskmovpd', 'Vx,Hx,Mx'), undefined));
v2[0x2e] = p66(mod(e('vmaskmovps', 'Mx,Hx,Vx', mov), undefined));
v2[0x2f] = p66(mod(e('vmaskmovpd', 'Mx,Hx,Vx', mov), undefined));
v2[0xdb] = p66(l0(e('vaesimc', 'Vo,Wo', mov)));
v2[0xdc] = p66(e('vaesenc', NDS));
v2[0xdd] = p66(e('vaesenclast', NDS));
v2[0xde] = p66(e('vaesdec', NDS));
v2[0xdf] = p66(e('vaesdeclast', NDS));
// BMI1/BMI2: general-register VEX instructions (L must be 0)
const g = { acc: 'w,r,r' };
v2[0xf2] = l(pfx(e('andn', 'Gy,By,Ey', g)));
v2[0xf3] = l(pfx(reg(undefined, e('blsr', 'By,Ey', mov), e('blsmsk', 'By,Ey', mov), e('blsi', 'By,Ey', mov))));
v2[0xf5] = l(pfx(e('bzhi', 'Gy,Ey,By', g), undefined, e('pext', 'Gy,By,Ey', g), e('pdep', 'Gy,By,Ey', g)));
v2[0xf6] = l(pfx(undefined, undefined, undefined, e('mulx', 'Gy,By,Ey', g)));
v2[0xf7] = l(pfx(e('bextr', 'Gy,Ey,By', g), e('shlx', 'Gy,Ey,By', g), e('sarx', 'Gy,Ey,By', g), e('shrx', 'Gy,Ey,By', g)));

// ---- map 3 (0F3A)
v3[0x00] = p66(l1(w(undefined, e('vpermq', 'Vx,Wx,Ib', mov))));
v3[0x01] = p66(l1(w(undefined, e('vpermpd', 'Vx,Wx,Ib', mov))));
v3[0x02] = p66(e('vpblendd', 'Vx,Hx,Wx,Ib'));
v3[0x04] = p66(e('vpermilps', 'Vx,Wx,Ib', mov));
v3[0x05] = p66(e('vpermilpd', 'Vx,Wx,Ib', mov));
v3[0x06] = p66(l1(w(e('vperm2f128', 'Vx,Hx,Wx,Ib'), undefined)));
v3[0x08] = p66(e('vroundps', 'Vx,Wx,Ib', mov));
v3[0x09] = p66(e('vroundpd', 'Vx,Wx,Ib', mov));
v3[0x0a] = p66(e('vroundss', 'Vo,Ho,Wd,Ib'));
v3[0x0b] = p66(e('vroundsd', 'Vo,Ho,Wq,Ib'));
v3[0x40] = p66(e('vdpps', 'Vx,Hx,Wx,Ib'));
v3[0x41] = p66(l0(e('vdppd', 'Vo,Ho,Wo,Ib')));
v3[0x42] = p66(e('vmpsadbw', 'Vx,Hx,Wx,Ib'));
v3[0x21] = p66(l0(e('vinsertps', 'Vo,Ho,Wd,Ib')));
v3[0xdf] = p66(l0(e('vaeskeygenassist', 'Vo,Wo,Ib', mov)));
v3[0x0c] = p66(e('vblendps', 'Vx,Hx,Wx,Ib'));
v3[0x0d] = p66(e('vblendpd', 'Vx,Hx,Wx,Ib'));
v3[0x0e] = p66(e('vpblendw', 'Vx,Hx,Wx,Ib'));
v3[0x0f] = p66(e('vpalignr', 'Vx,Hx,Wx,Ib'));
v3[0x14] = p66(l0(e('vpextrb', 'eb,Vo,Ib', mov)));
v3[0x15] = p66(l0(e('vpextrw', 'ew,Vo,Ib', mov)));
v3[0x16] = p66(l0(w(e('vpextrd', 'Ed,Vo,Ib', mov), e('vpextrq', 'Eq,Vo,Ib', mov))));
v3[0x17] = p66(l0(e('vextractps', 'Ed,Vo,Ib', mov)));
v3[0x18] = p66(l1(w(e('vinsertf128', 'Vx,Hx,Wo,Ib'), undefined)));
v3[0x19] = p66(l1(w(e('vextractf128', 'Wo,Vx,Ib', mov), undefined)));
v3[0x20] = p66(l0(e('vpinsrb', 'Vo,Ho,eb,Ib')));
v3[0x22] = p66(l0(w(e('vpinsrd', 'Vo,Ho,Ed,Ib'), e('vpinsrq', 'Vo,Ho,Eq,Ib'))));
v3[0x38] = p66(l1(w(e('vinserti128', 'Vx,Hx,Wo,Ib'), undefined)));
v3[0x39] = p66(l1(w(e('vextracti128', 'Wo,Vx,Ib', mov), undefined)));
v3[0x44] = p66(e('vpclmulqdq', 'Vx,Hx,Wx,Ib'));
v3[0x46] = p66(l1(w(e('vperm2i128', 'Vx,Hx,Wx,Ib'), undefined)));
v3[0x4a] = p66(w(e('vblendvps', 'Vx,Hx,Wx,Lx'), undefined));
v3[0x4b] = p66(w(e('vblendvpd', 'Vx,Hx,Wx,Lx'), undefined));
v3[0x4c] = p66(w(e('vpblendvb', 'Vx,Hx,Wx,Lx'), undefined));
v3[0x60] = p66(l0(e('vpcmpestrm', 'Vo,Wo,Ib', { acc: 'r,r,r' })));
v3[0x61] = p66(l0(e('vpcmpestri', 'Vo,Wo,Ib', { acc: 'r,r,r' })));
v3[0x62] = p66(l0(e('vpcmpistrm', 'Vo,Wo,Ib', { acc: 'r,r,r' })));
v3[0x63] = p66(l0(e('vpcmpistri', 'Vo,Wo,Ib', { acc: 'r,r,r' })));
v3[0xf0] = l(pfx(undefined, undefined, undefined, e('rorx', 'Gy,Ey,Ib', mov)));

// ---- EVEX: AVX-512 F/BW/VL as glibc's *-evex and *-avx512 kernels use it
// capstone accepts the 0F38/0F3A VEX vector forms only with VEX.W = 0 unless a W1 form exists
function w0(n: Node | undefined): Node | undefined {
  if (!n) return n;
  if (n.node === 'e') return n.ops.some((o) => o.size === SZ_Y) ? n : w(n, undefined);
  if (n.node === 'w') return n;
  return { node: n.node, tag: n.tag, sub: n.sub.map(w0), keep66: n.keep66 };
}
for (const m of [v2, v3]) for (let i = 0; i < 256; i++) m[i] = w0(m[i]);

/** EVEX op whose name ends in d or q by W (vpxord/vpxorq, vmovdqa32/64) */
const dq = (m: string, ops: string, o: EntryOpts = {}, sfx: [string, string] = ['d', 'q'], bcst = true): Node =>
  w(e(m + sfx[0], ops, { ...o, elem: bcst ? 4 : undefined }), e(m + sfx[1], ops, { ...o, elem: bcst ? 8 : undefined }));
x1[0x10] = pfx(w(e('vmovups', 'Vx,Wx', mov), undefined), w(undefined, e('vmovupd', 'Vx,Wx', mov)));
x1[0x11] = pfx(w(e('vmovups', 'Wx,Vx', mov), undefined), w(undefined, e('vmovupd', 'Wx,Vx', mov)));
x1[0x28] = pfx(w(e('vmovaps', 'Vx,Wx', mov), undefined), w(undefined, e('vmovapd', 'Vx,Wx', mov)));
x1[0x29] = pfx(w(e('vmovaps', 'Wx,Vx', mov), undefined), w(undefined, e('vmovapd', 'Wx,Vx', mov)));
x1[0x6f] = pfx(undefined, dq('vmovdqa', 'Vx,Wx', mov, ['32', '64'], false), dq('vmovdqu', 'Vx,Wx', mov, ['32', '64'], false), dq('vmovdqu', 'Vx,Wx', mov, ['8', '16'], false));
x1[0x7f] = pfx(undefined, dq('vmovdqa', 'Wx,Vx', mov, ['32', '64'], false), dq('vmovdqu', 'Wx,Vx', mov, ['32', '64'], false), dq('vmovdqu', 'Wx,Vx', mov, ['8', '16'], false));
x1[0xe7] = p66(mod(w(e('vmovntdq', 'Mx,Vx', mov), undefined), undefined));
x1[0x2b] = pfx(mod(w(e('vmovntps', 'Mx,Vx', mov), undefined), undefined), mod(w(undefined, e('vmovntpd', 'Mx,Vx', mov)), undefined));
// compares write a mask register
x1[0x64] = p66(e('vpcmpgtb', 'k,Hx,Wx'));
x1[0x65] = p66(e('vpcmpgtw', 'k,Hx,Wx'));
x1[0x66] = p66(w(e('vpcmpgtd', 'k,Hx,Wx', { elem: 4 }), undefined));
x1[0x74] = p66(e('vpcmpeqb', 'k,Hx,Wx'));
x1[0x75] = p66(e('vpcmpeqw', 'k,Hx,Wx'));
x1[0x76] = p66(w(e('vpcmpeqd', 'k,Hx,Wx', { elem: 4 }), undefined));
for (const [op, m] of [[0xda, 'vpminub'], [0xde, 'vpmaxub'], [0xea, 'vpminsw'], [0xee, 'vpmaxsw'], [0xf8, 'vpsubb'], [0xf9, 'vpsubw'], [0xfc, 'vpaddb'], [0xfd, 'vpaddw'],
  [0xd8, 'vpsubusb'], [0xd9, 'vpsubusw'], [0xdc, 'vpaddusb'], [0xdd, 'vpaddusw'], [0xe0, 'vpavgb'], [0xe3, 'vpavgw'], [0x60, 'vpunpcklbw'], [0x61, 'vpunpcklwd'], [0x68, 'vpunpckhbw'],
  [0x69, 'vpunpckhwd'], [0x63, 'vpacksswb'], [0x67, 'vpackuswb'], [0xd5, 'vpmullw'], [0xe5, 'vpmulhw'], [0xe4, 'vpmulhuw']] as [number, string][])
  x1[op] = p66(e(m, NDS));
x1[0xfa] = p66(w(e('vpsubd', NDS, { elem: 4 }), undefined));
x1[0xfb] = p66(w(undefined, e('vpsubq', NDS, { elem: 8 })));
x1[0xfe] = p66(w(e('vpaddd', NDS, { elem: 4 }), undefined));
x1[0xd4] = p66(w(undefined, e('vpaddq', NDS, { elem: 8 })));
x1[0xdb] = p66(dq('vpand', NDS));
x1[0xdf] = p66(dq('vpandn', NDS));
x1[0xeb] = p66(dq('vpor', NDS));
x1[0xef] = p66(dq('vpxor', NDS));
x1[0x62] = p66(w(e('vpunpckldq', NDS, { elem: 4 }), undefined));
x1[0x6a] = p66(w(e('vpunpckhdq', NDS, { elem: 4 }), undefined));
x1[0x6c] = p66(w(undefined, e('vpunpcklqdq', NDS, { elem: 8 })));
x1[0x6d] = p66(w(undefined, e('vpunpckhqdq', NDS, { elem: 8 })));
x1[0x6e] = p66(l0(e('vmovd|vmovd|vmovq', 'Vo,Ey', mov)));
x1[0x7e] = pfx(undefined, l0(e('vmovd|vmovd|vmovq', 'Ey,Vo', mov)), l0(w(undefined, e('vmovq', 'Vo,Wq', mov))));
x1[0xd6] = p66(l0(w(undefined, e('vmovq', 'Wq,Vo', mov))));
x1[0x70] = pfx(undefined, w(e('vpshufd', 'Vx,Wx,Ib', { ...mov, elem: 4 }), undefined), e('vpshufhw', 'Vx,Wx,Ib', mov), e('vpshuflw', 'Vx,Wx,Ib', mov));
x1[0x73] = p66(reg(undefined, undefined, w(undefined, e('vpsrlq', 'Hx,Wx,Ib', { ...mov, elem: 8 })), w(e('vpsrldq', 'Hx,Wx,Ib', mov), undefined), undefined, undefined, w(undefined, e('vpsllq', 'Hx,Wx,Ib', { ...mov, elem: 8 })), w(e('vpslldq', 'Hx,Wx,Ib', mov), undefined)));
x1[0x72] = p66(reg(undefined, undefined, w(e('vpsrld', 'Hx,Wx,Ib', { ...mov, elem: 4 }), undefined), undefined, dq('vpsra', 'Hx,Wx,Ib', mov), undefined, w(e('vpslld', 'Hx,Wx,Ib', { ...mov, elem: 4 }), undefined)));
x1[0x71] = p66(reg(undefined, undefined, e('vpsrlw', 'Hx,Wx,Ib', mov), undefined, e('vpsraw', 'Hx,Wx,Ib', mov), undefined, e('vpsllw', 'Hx,Wx,Ib', mov)));
x1[0x54] = pfx(w(e('vandps', NDS, { elem: 4 }), undefined), w(undefined, e('vandpd', NDS, { elem: 8 })));
x1[0x57] = pfx(w(e('vxorps', NDS, { elem: 4 }), undefined), w(undefined, e('vxorpd', NDS, { elem: 8 })));

x2[0x00] = p66(e('vpshufb', NDS));
x2[0x04] = p66(e('vpmaddubsw', NDS));
x2[0x18] = p66(w(e('vbroadcastss', 'Vx,Wd', mov), undefined));
x2[0x19] = p66(w(undefined, e('vbroadcastsd', 'Vx,Wq', mov)));
x2[0x1c] = p66(e('vpabsb', 'Vx,Wx', mov));
x2[0x1d] = p66(e('vpabsw', 'Vx,Wx', mov));
x2[0x26] = pfx(undefined, w(e('vptestmb', 'k,Hx,Wx'), e('vptestmw', 'k,Hx,Wx')), w(e('vptestnmb', 'k,Hx,Wx'), e('vptestnmw', 'k,Hx,Wx')));
x2[0x27] = pfx(undefined, dq('vptestm', 'k,Hx,Wx'), dq('vptestnm', 'k,Hx,Wx'));
x2[0x29] = p66(w(undefined, e('vpcmpeqq', 'k,Hx,Wx', { elem: 8 })));
x2[0x37] = p66(w(undefined, e('vpcmpgtq', 'k,Hx,Wx', { elem: 8 })));
x2[0x30] = p66(e('vpmovzxbw', 'Vx,Wh', mov));
x2[0x20] = p66(e('vpmovsxbw', 'Vx,Wh', mov));
x2[0x38] = p66(e('vpminsb', NDS));
x2[0x39] = p66(dq('vpmins', NDS));
x2[0x3a] = p66(e('vpminuw', NDS));
x2[0x3b] = p66(dq('vpminu', NDS));
x2[0x3c] = p66(e('vpmaxsb', NDS));
x2[0x3d] = p66(dq('vpmaxs', NDS));
x2[0x3e] = p66(e('vpmaxuw', NDS));
x2[0x3f] = p66(dq('vpmaxu', NDS));
x2[0x36] = p66(l(undefined, dq('vperm', NDS), dq('vperm', NDS)));
x2[0x58] = p66(w(e('vpbroadcastd', 'Vx,Wd', mov), undefined));
x2[0x59] = p66(w(undefined, e('vpbroadcastq', 'Vx,Wq', mov)));
x2[0x64] = p66(dq('vpblendm', NDS));
x2[0x66] = p66(w(e('vpblendmb', NDS), e('vpblendmw', NDS)));
x2[0x75] = p66(w(e('vpermi2b', NDS), e('vpermi2w', NDS)));
x2[0x78] = p66(w(e('vpbroadcastb', 'Vx,Wb', mov), undefined));
x2[0x79] = p66(w(e('vpbroadcastw', 'Vx,Ww', mov), undefined));
x2[0x7a] = p66(mod(undefined, w(e('vpbroadcastb', 'Vx,Rd', mov), undefined)));
x2[0x7b] = p66(mod(undefined, w(e('vpbroadcastw', 'Vx,Rd', mov), undefined)));
x2[0x7c] = p66(mod(undefined, w(e('vpbroadcastd', 'Vx,Rd', mov), e('vpbroadcastq', 'Vx,Rq', mov))));
x2[0x7d] = p66(w(e('vpermt2b', NDS), e('vpermt2w', NDS)));
x2[0x8d] = p66(w(e('vpermb', NDS), e('vpermw', NDS)));
x2[0x62] = p66(w(e('vpexpandb', 'Vx,Wx', mov), e('vpexpandw', 'Vx,Wx', mov)));
x2[0x63] = p66(w(e('vpcompressb', 'Wx,Vx', mov), e('vpcompressw', 'Wx,Vx', mov)));

/** EVEX integer compares with a predicate imm8; capstone folds it into the mnemonic */
const EPRED = ['eq', 'lt', 'le', undefined, 'neq', 'nlt', 'nle', undefined];
const vpcmp = (sfx: string): Node => {
  const names = EPRED.map((p) => (p ? `vpcmp${p}${sfx}` : `vpcmp${sfx}`));
  return e(`vpcmp${sfx}`, 'k,Hx,Wx', { pred: names, elem: sfx.endsWith('q') ? 8 : sfx.endsWith('d') ? 4 : undefined });
};
x3[0x3e] = p66(w(vpcmp('ub'), vpcmp('uw')));
x3[0x3f] = p66(w(vpcmp('b'), vpcmp('w')));
x3[0x1e] = p66(w(vpcmp('ud'), vpcmp('uq')));
x3[0x1f] = p66(w(vpcmp('d'), vpcmp('q')));
x3[0x25] = p66(dq('vpternlog', 'Vx,Hx,Wx,Ib'));
x3[0x0f] = p66(e('vpalignr', 'Vx,Hx,Wx,Ib'));
x3[0x00] = p66(l(undefined, w(undefined, e('vpermq', 'Vx,Wx,Ib', { ...mov, elem: 8 })), w(undefined, e('vpermq', 'Vx,Wx,Ib', { ...mov, elem: 8 }))));
x3[0x38] = p66(l(undefined, dq('vinserti', 'Vx,Hx,Wo,Ib', {}, ['32x4', '64x2'], false), dq('vinserti', 'Vx,Hx,Wo,Ib', {}, ['32x4', '64x2'], false)));
x3[0x39] = p66(l(undefined, dq('vextracti', 'Wo,Vx,Ib', mov, ['32x4', '64x2'], false), dq('vextracti', 'Wo,Vx,Ib', mov, ['32x4', '64x2'], false)));
x3[0x3a] = p66(l(undefined, undefined, dq('vinserti', 'Vx,Hx,W32,Ib', {}, ['32x8', '64x4'], false)));
x3[0x3b] = p66(l(undefined, undefined, dq('vextracti', 'W32,Vx,Ib', mov, ['32x8', '64x4'], false)));

for (let i = 0; i < 256; i++) x3[i] = w0(x3[i]);
