// Loads and stores: literal, pairs, single registers (unsigned offset, unscaled, pre/post
// index, register offset, unprivileged), exclusives and acquire/release, LSE atomics, and
// the Advanced SIMD multiple-structure forms (ld1..ld4, st1..st4).
import type { Access, Insn, Operand } from '../types.js';
import { bits, fpreg, gpr, imm, insn, mem, memIdx, sext, vreg, wname, xname } from './common.js';

const SUFFIX = ['b', 'h', '', ''];

export function loadStore(w: number, a: number): Insn | undefined {
  const op = bits(w, 29, 27);
  const v = (w >>> 26) & 1;
  if (op === 1 && ((w >>> 24) & 3) === 0 && !v) return exclusive(w, a);
  if (op === 3 && ((w >>> 24) & 3) === 0) return literal(w, a, v);
  if (op === 5) return pair(w, a, v);
  if (op === 7) return single(w, a, v);
  if (op === 1 && v && ((w >>> 31) & 1) === 0) return simdStructures(w, a);
  return undefined;
}

function literal(w: number, a: number, v: number): Insn | undefined {
  const opc = bits(w, 31, 30);
  const t = a + sext(bits(w, 23, 5), 19) * 4;
  const rt = w & 31;
  if (v) {
    if (opc === 3) return undefined;
    const size = 4 << opc;
    return insn(a, 'ldr', [fpreg(rt, size, 'w'), { kind: 'mem', scale: 1, disp: BigInt(t), size, access: 'r' }]);
  }
  if (opc === 3) return insn(a, 'prfm', [imm(rt), imm(t)]);
  const size = opc === 0 ? 4 : opc === 1 ? 8 : 4;
  return insn(a, opc === 2 ? 'ldrsw' : 'ldr', [gpr(opc === 0 ? 0 : 1, rt, 'w'), { kind: 'mem', scale: 1, disp: BigInt(t), size, access: 'r' }]);
}

function pair(w: number, a: number, v: number): Insn | undefined {
  const opc = bits(w, 31, 30);
  const mode = bits(w, 25, 23); // 0 no-allocate, 1 post, 2 offset, 3 pre
  const l = (w >>> 22) & 1;
  if (mode > 3 || opc === 3) return undefined;
  const rt = w & 31;
  const rt2 = bits(w, 14, 10);
  const rn = bits(w, 9, 5);
  let size: number;
  let name: string;
  if (v) {
    size = 4 << opc;
    name = l ? 'ldp' : 'stp';
  } else if (opc === 1) {
    if (!l || mode === 0) return undefined; // stgp is MTE: not in user code we read
    size = 4;
    name = 'ldpsw';
  } else {
    size = opc === 0 ? 4 : 8;
    name = l ? 'ldp' : 'stp';
  }
  if (mode === 0) name = l ? 'ldnp' : 'stnp';
  const acc: Access = l ? 'w' : 'r';
  const reg = (n: number) => (v ? fpreg(n, size, acc) : gpr(name === 'ldpsw' ? 1 : size === 8 ? 1 : 0, n, acc));
  if (l && rt === rt2 && !v) return undefined; // unpredictable
  const off = sext(bits(w, 21, 15), 7) * size;
  const m = mem(rn, off, size * 2, l ? 'r' : 'w', mode === 1 ? 'post' : mode === 3 ? 'pre' : undefined);
  return insn(a, name, [reg(rt), reg(rt2), m]);
}

/** mnemonic and register for size (log2 bytes), V and opc of the single-register forms */
function singleKind(size: number, v: number, opc: number): { ld: boolean; bytes: number; reg: (n: number, acc: Access) => Operand; base: string; sfx: string } | undefined {
  if (v) {
    const bytes = 1 << (size | ((opc & 2) << 1));
    if (bytes > 16 || (opc & 2 && size !== 0)) return undefined;
    return { ld: (opc & 1) === 1, bytes, reg: (n, acc) => fpreg(n, bytes, acc), base: '', sfx: '' };
  }
  const bytes = 1 << size;
  if (opc === 0 || opc === 1) return { ld: opc === 1, bytes, reg: (n, acc) => gpr(size === 3 ? 1 : 0, n, acc), base: '', sfx: SUFFIX[size] };
  if (size === 3) return opc === 2 ? { ld: true, bytes, reg: (n) => imm(n), base: 'prfm', sfx: '' } : undefined;
  if (size === 2 && opc === 3) return undefined;
  // sign-extending loads: opc 2 → 64-bit target, 3 → 32-bit
  return { ld: true, bytes, reg: (n, acc) => gpr(opc === 2 ? 1 : 0, n, acc), base: 'ldrs', sfx: size === 2 ? 'w' : SUFFIX[size] };
}

const EXTENDS = ['', '', 'uxtw', 'lsl', '', '', 'sxtw', 'sxtx'];

function single(w: number, a: number, v: number): Insn | undefined {
  const size = bits(w, 31, 30);
  const opc = bits(w, 23, 22);
  const rt = w & 31;
  const rn = bits(w, 9, 5);
  const k = singleKind(size, v, opc);
  const unsignedOffset = ((w >>> 24) & 1) === 1;
  if (!unsignedOffset && ((w >>> 21) & 1) === 1) {
    const kind = bits(w, 11, 10);
    if (kind === 2) return registerOffset(w, a, k);
    if (kind === 0 && !v) return atomic(w, a);
    return undefined;
  }
  if (!k) return undefined;
  const prfm = k.base === 'prfm';
  const stem = (l: boolean, u = '') => (prfm ? `prf${u}m` : k.base ? `ldrs${u ? 'u' : ''}`.replace('ldrsu', 'ldurs') + k.sfx : `${l ? 'ld' : 'st'}${u ? 'ur' : 'r'}${k.sfx}`);
  const acc: Access = k.ld ? 'w' : 'r';
  const macc: Access = k.ld ? 'r' : 'w';
  if (unsignedOffset) {
    const off = bits(w, 21, 10) * k.bytes;
    return insn(a, stem(k.ld), [k.reg(rt, acc), mem(rn, off, prfm ? 0 : k.bytes, prfm ? '' : macc)]);
  }
  const imm9 = sext(bits(w, 20, 12), 9);
  switch (bits(w, 11, 10)) {
    case 0:
      return insn(a, stem(k.ld, 'u'), [k.reg(rt, acc), mem(rn, imm9, prfm ? 0 : k.bytes, prfm ? '' : macc)]);
    case 1:
    case 3: {
      if (prfm) return undefined;
      const pre = bits(w, 11, 10) === 3;
      return insn(a, stem(k.ld), [k.reg(rt, acc), mem(rn, imm9, k.bytes, macc, pre ? 'pre' : 'post')]);
    }
    case 2: {
      if (v || prfm) return undefined;
      const name = k.base ? `ldtrs${k.sfx}` : `${k.ld ? 'ld' : 'st'}tr${k.sfx}`;
      return insn(a, name, [k.reg(rt, acc), mem(rn, imm9, k.bytes, macc)]);
    }
  }
  return undefined;
}

function registerOffset(w: number, a: number, k: ReturnType<typeof singleKind>): Insn | undefined {
  if (!k) return undefined;
  const option = bits(w, 15, 13);
  const ext = EXTENDS[option];
  if (!ext) return undefined;
  const s = (w >>> 12) & 1;
  const rm = bits(w, 20, 16);
  const rt = w & 31;
  const rn = bits(w, 9, 5);
  const prfm = k.base === 'prfm';
  const name = prfm ? 'prfm' : k.base ? `ldrs${k.sfx}` : `${k.ld ? 'ld' : 'st'}r${k.sfx}`;
  const shift = s ? Math.log2(k.bytes) : 0;
  // lsl (uxtx) is the plain 64-bit index: the scale says the shift
  const m = memIdx(rn, option & 1 ? xname(rm) : wname(rm), ext === 'lsl' ? undefined : ext, shift, prfm ? 0 : k.bytes, prfm ? '' : k.ld ? 'r' : 'w');
  return insn(a, name, [k.reg(rt, k.ld ? 'w' : 'r'), m]);
}

const ATOMIC = ['ldadd', 'ldclr', 'ldeor', 'ldset', 'ldsmax', 'ldsmin', 'ldumax', 'ldumin'];

function atomic(w: number, a: number): Insn | undefined {
  const size = bits(w, 31, 30);
  const acq = (w >>> 23) & 1;
  const rel = (w >>> 22) & 1;
  const rs = bits(w, 20, 16);
  const o3 = (w >>> 15) & 1;
  const opc = bits(w, 14, 12);
  const rn = bits(w, 9, 5);
  const rt = w & 31;
  const sf = size === 3 ? 1 : 0;
  const bytes = 1 << size;
  const sfx = SUFFIX[size];
  if (o3) {
    if (opc === 0) return insn(a, `swp${acq ? 'a' : ''}${rel ? 'l' : ''}${sfx}`, [gpr(sf, rs, 'r'), gpr(sf, rt, 'w'), mem(rn, 0, bytes, 'rw')]);
    if (opc === 4 && acq && !rel && rs === 31) return insn(a, `ldapr${sfx}`, [gpr(sf, rt, 'w'), mem(rn, 0, bytes, 'r')]);
    return undefined;
  }
  const op = ATOMIC[opc];
  // with the zero register as destination and no acquire, the store alias (stadd...) is printed
  if (rt === 31 && !acq) return insn(a, `${op.replace(/^ld/, 'st')}${rel ? 'l' : ''}${sfx}`, [gpr(sf, rs, 'r'), mem(rn, 0, bytes, 'rw')]);
  return insn(a, `${op}${acq ? 'a' : ''}${rel ? 'l' : ''}${sfx}`, [gpr(sf, rs, 'r'), gpr(sf, rt, 'w'), mem(rn, 0, bytes, 'rw')]);
}

function exclusive(w: number, a: number): Insn | undefined {
  const size = bits(w, 31, 30);
  const o2 = (w >>> 23) & 1;
  const l = (w >>> 22) & 1;
  const o1 = (w >>> 21) & 1;
  const rs = bits(w, 20, 16);
  const o0 = (w >>> 15) & 1;
  const rt2 = bits(w, 14, 10);
  const rn = bits(w, 9, 5);
  const rt = w & 31;
  const sf = size === 3 ? 1 : 0;
  const bytes = 1 << size;
  const sfx = SUFFIX[size];
  if (!o2 && !o1) {
    if (rt2 !== 31) return undefined;
    if (l) return rs !== 31 ? undefined : insn(a, `ld${o0 ? 'a' : ''}xr${sfx}`, [gpr(sf, rt, 'w'), mem(rn, 0, bytes, 'r')]);
    return insn(a, `st${o0 ? 'l' : ''}xr${sfx}`, [gpr(0, rs, 'w'), gpr(sf, rt, 'r'), mem(rn, 0, bytes, 'w')]);
  }
  if (!o2 && o1) {
    if (size < 2) {
      if (rt2 !== 31 || rs & 1 || rt & 1) return undefined;
      const psf = size & 1;
      const name = `casp${l ? 'a' : ''}${o0 ? 'l' : ''}`;
      return insn(a, name, [gpr(psf, rs, 'rw'), gpr(psf, rs + 1, 'rw'), gpr(psf, rt, 'r'), gpr(psf, rt + 1, 'r'), mem(rn, 0, 8 << psf, 'rw')]);
    }
    if (l) return rs !== 31 ? undefined : insn(a, `ld${o0 ? 'a' : ''}xp`, [gpr(sf, rt, 'w'), gpr(sf, rt2, 'w'), mem(rn, 0, bytes * 2, 'r')]);
    return insn(a, `st${o0 ? 'l' : ''}xp`, [gpr(0, rs, 'w'), gpr(sf, rt, 'r'), gpr(sf, rt2, 'r'), mem(rn, 0, bytes * 2, 'w')]);
  }
  if (o2 && !o1) {
    if (rt2 !== 31 || rs !== 31) return undefined;
    if (l) return insn(a, `ld${o0 ? 'a' : 'la'}r${sfx}`, [gpr(sf, rt, 'w'), mem(rn, 0, bytes, 'r')]);
    return insn(a, `st${o0 ? 'l' : 'll'}r${sfx}`, [gpr(sf, rt, 'r'), mem(rn, 0, bytes, 'w')]);
  }
  if (rt2 !== 31) return undefined;
  return insn(a, `cas${l ? 'a' : ''}${o0 ? 'l' : ''}${sfx}`, [gpr(sf, rs, 'rw'), gpr(sf, rt, 'r'), mem(rn, 0, bytes, 'rw')]);
}

// opcode → [structure elements, registers]
const MULTI: Record<number, [number, number]> = { 0: [4, 4], 2: [1, 4], 4: [3, 3], 6: [1, 3], 7: [1, 1], 8: [2, 2], 10: [1, 2] };

function simdStructures(w: number, a: number): Insn | undefined {
  const q = (w >>> 30) & 1;
  const l = (w >>> 22) & 1;
  const post = (w >>> 23) & 1;
  const rm = bits(w, 20, 16);
  const rn = bits(w, 9, 5);
  const rt = w & 31;
  if (((w >>> 24) & 1) === 0) {
    if ((w >>> 21) & 1) return undefined;
    if (!post && rm !== 0) return undefined;
    const e = MULTI[bits(w, 15, 12)];
    if (!e) return undefined;
    const size = bits(w, 11, 10);
    if (size === 3 && !q && e[0] > 1) return undefined;
    const [elems, nregs] = e;
    const bytes = (q ? 16 : 8) * nregs;
    const regs: Operand[] = [];
    for (let i = 0; i < nregs; i++) regs.push(vreg((rt + i) % 32, q ? 16 : 8, l ? 'w' : 'r'));
    const m = mem(rn, 0, bytes, l ? 'r' : 'w', post ? 'post' : undefined);
    const ops: Operand[] = [...regs, m];
    if (post) ops.push(rm === 31 ? imm(bytes) : gpr(1, rm, 'r'));
    return insn(a, `${l ? 'ld' : 'st'}${elems}`, ops);
  }
  // single structure: ld1 {v0.s}[1], ld1r {v0.4s}
  if (!post && rm !== 0) return undefined;
  const r = (w >>> 21) & 1;
  const opcode = bits(w, 15, 13);
  const s = (w >>> 12) & 1;
  const size = bits(w, 11, 10);
  const elems = ((opcode & 1) << 1 | r) + 1;
  let bytes: number;
  let name: string;
  if (opcode >= 6) {
    if (!l || s) return undefined;
    bytes = 1 << size;
    name = `ld${elems}r`;
  } else {
    const sc = opcode >> 1; // 0 b, 1 h, 2 s/d
    if (sc === 1 && size & 1) return undefined;
    if (sc === 2 && (size & 2 || (size === 1 && s))) return undefined;
    bytes = sc === 2 ? (size === 1 ? 8 : 4) : 1 << sc;
    name = `${l ? 'ld' : 'st'}${elems}`;
  }
  const regs: Operand[] = [];
  for (let i = 0; i < elems; i++) regs.push(vreg((rt + i) % 32, 16, l ? 'rw' : 'r'));
  const m = mem(rn, 0, bytes * elems, l ? 'r' : 'w', post ? 'post' : undefined);
  const ops: Operand[] = [...regs, m];
  if (post) ops.push(rm === 31 ? imm(bytes * elems) : gpr(1, rm, 'r'));
  return insn(a, name, ops);
}
