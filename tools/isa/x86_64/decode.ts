// The decode loop: prefixes, REX/VEX/EVEX, table walk, operands. Tables come from the map files.
import type { Insn, Operand, MemOperand } from '../types.js';
import { gpr, vreg, KREG, ST, MMX, SEG, CR, DR } from './regs.js';
import { State, NONE, RIP } from './modrm.js';
import { K, T_PFX, T_REG, T_MOD, T_RM, T_W, SZ_V, SZ_Z, SZ_Y, SZ_X, SZ_H, SZ_Q4, SZ_8, SZ_64, SZ_AS, type Entry, type Node, type Table } from './spec.js';
import { ONE_BYTE } from './map-onebyte.js';
import { MAP_0F, MAP_0F38, MAP_0F3A } from './map-0f.js';
import { VEX_MAPS, EVEX_MAPS } from './map-vex.js';
import { annotate } from './flags.js';

annotate([ONE_BYTE, MAP_0F, MAP_0F38, MAP_0F3A, ...VEX_MAPS, ...EVEX_MAPS]);

const S = new State();
const XCHG_R8 = ONE_BYTE[0x91] as Entry;
const OSZ_INDEX = [0, 0, 0, 0, 1, 0, 0, 0, 2];

function resolveSize(size: number, osz: number): number {
  if (size >= 0) return size;
  switch (size) {
    case SZ_V:
      return osz;
    case SZ_Z:
      return osz === 2 ? 2 : 4;
    case SZ_Y:
      return S.w ? 8 : 4;
    case SZ_X:
      return S.vl;
    case SZ_H:
      return S.vl >> 1;
    case SZ_Q4:
      return S.vl >> 2;
    case SZ_8:
      return S.vl >> 3;
    case SZ_64:
      return S.opsz ? 2 : 8;
    case SZ_AS:
      return S.adsz ? 4 : 8;
  }
  return 0;
}

function addrReg(n: number): string {
  if (n === RIP) return S.adsz ? 'eip' : 'rip';
  return gpr(S.adsz ? 4 : 8, n, true);
}

function memOperand(size: number, e: Entry): MemOperand {
  let disp = S.disp;
  // EVEX compresses 8-bit displacements by the memory access size (disp8*N).
  if (S.vex === 4 && S.disp8) disp *= S.bcst ? (e.elem ?? (S.w ? 8 : 4)) : size || 1;
  const m: MemOperand = {
    kind: 'mem',
    segment: S.seg === NONE ? undefined : SEG[S.seg],
    base: S.base === NONE ? undefined : addrReg(S.base),
    index: S.index === NONE ? undefined : addrReg(S.index),
    scale: S.scale,
    disp: big(disp),
    size: S.vex === 4 && S.bcst ? (e.elem ?? (S.w ? 8 : 4)) : size,
    access: 'r',
  };
  return m;
}

function walk(n: Node | undefined, legacy: boolean): Entry | undefined {
  for (;;) {
    if (n === undefined) return undefined;
    if (n.node === 'e') return n;
    switch (n.tag) {
      case T_PFX: {
        const next = n.sub[S.pp];
        if (legacy) {
          if (S.pp === 1) S.opsz = n.keep66; // 66 consumed as mandatory prefix
          else if (S.pp >= 2) S.rep = 0; // f3/f2 consumed
        }
        n = next;
        break;
      }
      case T_REG:
        if (!S.readModrm()) return undefined;
        n = n.sub[S.reg];
        break;
      case T_MOD:
        if (!S.readModrm()) return undefined;
        n = n.sub[S.mod === 3 ? 1 : 0];
        break;
      case T_RM:
        if (!S.readModrm()) return undefined;
        n = S.mod === 3 ? n.sub[S.rm] : undefined;
        break;
      case T_W:
        n = n.sub[S.w ? 1 : 0];
        break;
      default: // T_L
        n = n.sub[S.vl === 16 ? 0 : S.vl === 32 ? 1 : 2];
        break;
    }
  }
}

/** Parses VEX (c4/c5) and EVEX (62) prefixes; returns the opcode table or undefined. */
function vexPrefix(b: number): Table | undefined {
  const c = S.code;
  if (S.rex || S.opsz || S.rep || S.lock) return undefined; // #UD with these before VEX
  if (b === 0xc5) {
    if (S.p + 1 >= S.end) return undefined;
    const b1 = c[S.p++];
    S.vex = 2;
    S.r = b1 & 0x80 ? 0 : 8;
    S.vvvv = (~b1 >> 3) & 15;
    S.vl = b1 & 4 ? 32 : 16;
    S.pp = b1 & 3;
    return VEX_MAPS[1];
  }
  if (b === 0xc4) {
    if (S.p + 2 >= S.end) return undefined;
    const b1 = c[S.p++];
    const b2 = c[S.p++];
    S.vex = 3;
    S.r = b1 & 0x80 ? 0 : 8;
    S.x = b1 & 0x40 ? 0 : 8;
    S.b = b1 & 0x20 ? 0 : 8;
    S.w = (b2 & 0x80) !== 0;
    S.vvvv = (~b2 >> 3) & 15;
    S.vl = b2 & 4 ? 32 : 16;
    S.pp = b2 & 3;
    return VEX_MAPS[b1 & 31];
  }
  // EVEX: P0 = R X B R' 0 m m m, P1 = W vvvv 1 pp, P2 = z L'L b V' aaa
  if (S.p + 3 >= S.end) return undefined;
  const p0 = c[S.p++];
  const p1 = c[S.p++];
  const p2 = c[S.p++];
  if ((p1 & 4) === 0 || (p0 & 8) !== 0) return undefined;
  S.vex = 4;
  S.r = (p0 & 0x80 ? 0 : 8) | (p0 & 0x10 ? 0 : 16);
  S.x = p0 & 0x40 ? 0 : 8;
  S.b = p0 & 0x20 ? 0 : 8;
  S.w = (p1 & 0x80) !== 0;
  S.vvvv = ((~p1 >> 3) & 15) | (p2 & 8 ? 0 : 16);
  S.pp = p1 & 3;
  S.zero = (p2 & 0x80) !== 0;
  const ll = (p2 >> 5) & 3;
  S.bcst = (p2 & 0x10) !== 0;
  S.aaa = p2 & 7;
  if (ll === 3) return undefined; // reserved
  S.vl = 16 << ll;
  return EVEX_MAPS[p0 & 7];
}

function mnemonicOf(e: Entry, osz: number, flowBnd: boolean): string {
  const base = e.mn[OSZ_INDEX[osz]];
  let key = '';
  // capstone quirk: f2 a5 prints as plain "movsd" (the name it shares with the SSE2 move)
  if (e.str && S.rep && !(S.rep === 0xf2 && base === 'movsd')) key = S.rep === 0xf2 ? 'repne ' : e.str === 'repe' ? 'repe ' : 'rep ';
  if (S.lock) key = 'lock ' + key;
  if (flowBnd) key = 'bnd ' + key;
  if (!key) return base;
  key += OSZ_INDEX[osz]; // the cache is per entry, whose base name may vary with the size
  const cache = (e.cache ??= new Map());
  let m = cache.get(key);
  if (m === undefined) {
    m = key.slice(0, -1) + base;
    cache.set(key, m);
  }
  return m;
}

const NO_OPERANDS: Operand[] = Object.freeze([]) as unknown as Operand[];

/** Decodes one instruction (see Decoder.decode). */
export function decode(code: Uint8Array, offset: number, address: number): Insn | undefined {
  return decodeInsn(code, offset, address, false);
}

/**
 * What a linear sweep reads of an instruction it does not look into (Decoder.sweep): its
 * operands, except lea's (the code addresses it takes), and its prefixes are left out.
 */
export function decodeForSweep(code: Uint8Array, offset: number, address: number): Insn | undefined {
  return decodeInsn(code, offset, address, true);
}

/**
 * The bytes a sweep skips for operand spec `k`, with the checks that make an encoding
 * invalid; false when it is (the same conditions as the operand loop of decode()). A branch
 * displacement lands in `sweepRel`.
 */
let sweepRel = 0;
function skipOperand(k: number, size: number, table: Table, op: number): boolean {
  switch (k) {
    case K.R: case K.U: return S.mod === 3;
    case K.M: return S.mod !== 3;
    case K.KE: return S.mod !== 3 ? size !== 0 : S.b === 0;
    case K.Sg: return S.reg <= 5;
    case K.KG: return S.r === 0;
    case K.KH: return S.vvvv <= 7;
    case K.I: return size === 8 ? S.imm(4) !== undefined && S.imm(4) !== undefined : S.imm(size) !== undefined;
    case K.S: case K.L: return S.imm(k === K.L ? 1 : size) !== undefined;
    case K.J: {
      const r = S.imm(size === 1 ? 1 : S.opsz && table === MAP_0F && op < 0x82 ? 2 : 4);
      if (r === undefined) return false;
      sweepRel = r;
      return true;
    }
    case K.O: return S.imm(4) !== undefined && (S.adsz || S.imm(4) !== undefined);
    case K.E: case K.Em: case K.X0: case K.G: case K.Z: case K.A: case K.C: case K.D: case K.One: case K.X: case K.Y:
    case K.SgOp: case K.V: case K.W: case K.H: case K.B: case K.F0: case K.Fi: case K.P: case K.Q: case K.Cr: case K.Dr:
      return true;
    default:
      return false;
  }
}

function decodeInsn(code: Uint8Array, offset: number, address: number, sweeping: boolean): Insn | undefined {
  S.reset(code, offset);
  const c = code;
  let b = 0;
  // Legacy prefixes, then at most one REX that must come last.
  for (;;) {
    if (S.p >= S.end) return undefined;
    b = c[S.p];
    const k = PREFIX_KIND[b];
    if (k === 0) break;
    S.p++;
    if (k === P_REX) {
      S.rex = b;
      continue;
    }
    S.rex = 0; // a REX followed by a legacy prefix is ignored
    S.anyPfx = true;
    if (k === P_SEG) {
      S.seg = SEG_OF[b]; // 3e before an indirect branch is CET's notrack; capstone 5 does not print it
    } else if (k === P_REP) {
      S.rep = b;
      // capstone quirk: a rep prefix after lock makes it drop (and not check) the lock
      if (S.lock) S.lockDropped = true;
    } else if (b === 0xf0) {
      S.lock = true;
      S.lockDropped = false; // only a rep *after* the last lock hides it
    }
    else if (b === 0x66) S.opsz = true;
    else S.adsz = true;
  }
  if (S.rex) {
    S.w = (S.rex & 8) !== 0;
    S.r = S.rex & 4 ? 8 : 0;
    S.x = S.rex & 2 ? 8 : 0;
    S.b = S.rex & 1 ? 8 : 0;
  }
  S.p++;
  let table: Table | undefined;
  let op = b;
  let legacy = true;
  if (b === 0x0f) {
    if (S.p >= S.end) return undefined;
    const b2 = c[S.p++];
    if (b2 === 0x38 || b2 === 0x3a) {
      if (S.p >= S.end) return undefined;
      table = b2 === 0x38 ? MAP_0F38 : MAP_0F3A;
      op = c[S.p++];
    } else {
      table = MAP_0F;
      op = b2;
    }
  } else if (b === 0xc4 || b === 0xc5 || b === 0x62) {
    table = vexPrefix(b);
    if (table === undefined || S.p >= S.end) return undefined;
    op = c[S.p++];
    legacy = false;
  } else {
    table = ONE_BYTE;
  }
  if (legacy) S.pp = S.rep === 0xf3 ? 2 : S.rep === 0xf2 ? 3 : S.opsz ? 1 : 0;
  // 90 is nop only without REX.B: with it, xchg r8, rax
  const e = table === ONE_BYTE && op === 0x90 && S.b !== 0 ? XCHG_R8 : walk(table[op], legacy);
  if (e === undefined) return undefined;
  if (e.modrm && !S.readModrm()) return undefined;
  if (S.vex !== 0 && !e.vvvv && S.vvvv !== 0) return undefined;
  if (S.lock) {
    if (S.lockDropped) S.lock = false;
    else if (!e.lockable || !e.modrm || S.mod === 3 || (e.ops[0]?.k !== K.E && e.ops[0]?.k !== K.M)) return undefined;
  }
  if (e.no66 && S.opsz) return undefined;
  if (S.vex === 4) {
    if (S.bcst && (e.elem === undefined || S.mod === 3)) return undefined; // no broadcast/rounding form
    // zeroing-masking cannot apply to a mask-register or memory destination
    if (S.zero && (e.ops[0]?.k === K.KG || (S.mod !== 3 && (e.ops[0]?.k === K.W || e.ops[0]?.k === K.M)))) return undefined;
  }

  const osz = S.w ? 8 : S.opsz ? 2 : e.d64 ? 8 : 4;
  const rex = S.rex !== 0;
  const specs = e.ops;
  let rel = 0;
  let relAt = -1;
  const skip = sweeping && e.mn[OSZ_INDEX[osz]] !== 'lea';
  if (skip) {
    sweepRel = 0;
    for (let i = 0; i < specs.length; i++) {
      const o = specs[i];
      if (o.k === K.J) relAt = 0;
      if (!skipOperand(o.k, resolveSize(o.size, osz), table, op)) return undefined;
    }
    rel = sweepRel;
  }
  const ops: Operand[] = skip ? NO_OPERANDS : [];
  for (let i = 0; i < (skip ? 0 : specs.length); i++) {
    const o = specs[i];
    const size = resolveSize(o.size, osz);
    let x: Operand;
    switch (o.k) {
      case K.E:
        x = S.mod === 3 ? { kind: 'reg', reg: gpr(size, S.rm | S.b, rex), size, access: o.acc } : memOperand(size, e);
        break;
      case K.Em:
        x = S.mod === 3 ? { kind: 'reg', reg: gpr(osz, S.rm | S.b, rex), size: osz, access: o.acc } : memOperand(size, e);
        break;
      case K.X0:
        x = { kind: 'reg', reg: 'xmm0', size: 16, access: 'r' };
        break;
      case K.R:
        if (S.mod !== 3) return undefined;
        x = { kind: 'reg', reg: gpr(size, S.rm | S.b, rex), size, access: o.acc };
        break;
      case K.M:
        if (S.mod === 3) return undefined;
        x = memOperand(size, e);
        break;
      case K.G:
        x = { kind: 'reg', reg: gpr(size, S.reg | (S.r & 8), rex), size, access: o.acc };
        break;
      case K.Z:
        x = { kind: 'reg', reg: gpr(size, (op & 7) | S.b, rex), size, access: o.acc };
        break;
      case K.A:
        x = { kind: 'reg', reg: gpr(size, 0, rex), size, access: o.acc };
        break;
      case K.C:
        x = { kind: 'reg', reg: 'cl', size: 1, access: 'r' };
        break;
      case K.D:
        x = { kind: 'reg', reg: 'dx', size: 2, access: 'r' };
        break;
      case K.One:
        x = { kind: 'imm', value: 1n, size: 1 };
        break;
      case K.I: {
        // zero-extended immediates: imm8/imm16 fields, and mov r, imm of the full operand size
        let v: bigint;
        if (size === 8) {
          const lo = S.imm(4);
          const hi = S.imm(4);
          if (lo === undefined || hi === undefined) return undefined;
          v = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
        } else {
          const r = S.imm(size);
          if (r === undefined) return undefined;
          v = big(size === 4 ? r >>> 0 : size === 2 ? r & 0xffff : r & 0xff);
        }
        x = { kind: 'imm', value: v, size };
        break;
      }
      case K.S: {
        // sign-extended to the operand size (Sb = imm8, Sz = imm16/32)
        const r = S.imm(size);
        if (r === undefined) return undefined;
        x = { kind: 'imm', value: big(r), size: osz };
        break;
      }
      case K.J: {
        // rel32 even with 66 (Intel); capstone rejects 66 e8/e9 (see no66) and, a quirk,
        // reads rel16 for 66 0f 80/81 (jo/jno) only
        const r = S.imm(size === 1 ? 1 : S.opsz && table === MAP_0F && op < 0x82 ? 2 : 4);
        if (r === undefined) return undefined;
        rel = r;
        relAt = ops.length;
        x = { kind: 'imm', value: 0n, size: 8 };
        break;
      }
      case K.O: {
        const lo = S.imm(4);
        if (lo === undefined) return undefined;
        let a = BigInt(lo >>> 0);
        if (!S.adsz) {
          const hi = S.imm(4);
          if (hi === undefined) return undefined;
          a |= BigInt(hi >>> 0) << 32n;
        }
        const m: MemOperand = { kind: 'mem', scale: 1, disp: a, size, access: o.acc };
        if (S.seg !== NONE) m.segment = SEG[S.seg];
        x = m;
        break;
      }
      case K.X:
      case K.Y: {
        const m: MemOperand = { kind: 'mem', base: o.k === K.X ? (S.adsz ? 'esi' : 'rsi') : S.adsz ? 'edi' : 'rdi', scale: 1, disp: 0n, size, access: o.acc };
        if (o.k === K.X && S.seg !== NONE) m.segment = SEG[S.seg];
        x = m;
        break;
      }
      case K.Sg:
        if (S.reg > 5) return undefined;
        x = { kind: 'reg', reg: SEG[S.reg], size: 2, access: o.acc };
        break;
      case K.SgOp:
        x = { kind: 'reg', reg: SEG[(op >> 3) & 7], size: 2, access: o.acc };
        break;
      case K.V:
        x = { kind: 'reg', reg: vreg(size, S.reg | S.r), size, access: o.acc };
        break;
      case K.W:
        x =
          S.mod === 3
            ? { kind: 'reg', reg: vreg(size, S.rm | S.b | (S.vex === 4 ? S.x << 1 : 0)), size, access: o.acc }
            : memOperand(size, e);
        break;
      case K.U:
        if (S.mod !== 3) return undefined;
        x = { kind: 'reg', reg: vreg(size, S.rm | S.b | (S.vex === 4 ? S.x << 1 : 0)), size, access: o.acc };
        break;
      case K.H:
        x = { kind: 'reg', reg: vreg(size, S.vvvv), size, access: o.acc };
        break;
      case K.B:
        x = { kind: 'reg', reg: gpr(size, S.vvvv & 15, true), size, access: o.acc };
        break;
      case K.L: {
        const r = S.imm(1);
        if (r === undefined) return undefined;
        x = { kind: 'reg', reg: vreg(size, (r >> 4) & 15), size, access: o.acc };
        break;
      }
      case K.KG:
        if (S.r !== 0) return undefined; // only k0-k7
        x = { kind: 'reg', reg: KREG[S.reg], size: 8, access: o.acc };
        break;
      case K.KE:
        if (S.mod !== 3) {
          if (size === 0) return undefined; // only kmov takes memory
          x = memOperand(size, e);
          break;
        }
        if (S.b !== 0) return undefined; // only k0-k7
        x = { kind: 'reg', reg: KREG[S.rm], size: 8, access: o.acc };
        break;
      case K.KH:
        if (S.vvvv > 7) return undefined;
        x = { kind: 'reg', reg: KREG[S.vvvv & 7], size: 8, access: o.acc };
        break;
      case K.F0:
        x = { kind: 'reg', reg: 'st(0)', size: 10, access: o.acc };
        break;
      case K.Fi:
        x = { kind: 'reg', reg: ST[S.rm], size: 10, access: o.acc };
        break;
      case K.P:
        x = { kind: 'reg', reg: MMX[S.reg], size: 8, access: o.acc };
        break;
      case K.Q:
        x = S.mod === 3 ? { kind: 'reg', reg: MMX[S.rm], size: 8, access: o.acc } : memOperand(size, e);
        break;
      case K.Cr:
        x = { kind: 'reg', reg: CR[S.reg | (S.r & 8)], size: 8, access: o.acc };
        break;
      case K.Dr:
        x = { kind: 'reg', reg: DR[S.reg | (S.r & 8)], size: 8, access: o.acc };
        break;
      default:
        return undefined;
    }
    if (x.kind === 'mem') x.access = o.acc;
    ops.push(x);
  }
  let mnemonic: string;
  if (e.pred) {
    // comparison predicates are part of the mnemonic (cmpltps, vpcmpnequb) when the imm8 names one
    const r = S.imm(1);
    if (r === undefined) return undefined;
    const pi = r & 0xff;
    if (pi < e.pred.length) mnemonic = e.pred[pi];
    else {
      mnemonic = e.mn[1];
      if (!skip) ops.push({ kind: 'imm', value: BigInt(pi), size: 1 });
    }
  } else {
    mnemonic = mnemonicOf(e, osz, S.rep === 0xf2 && e.bnd);
    if (S.adsz && table === ONE_BYTE) {
      if (op === 0xe3) mnemonic = 'jecxz';
      else if (op >= 0xa0 && op <= 0xa3) mnemonic = 'mov'; // a 32-bit moffs is not "movabs"
    }
  }
  const length = S.p - S.start;
  // every field present from the start: one object shape for all instructions
  const insn: Insn = {
    address,
    length,
    mnemonic,
    operands: ops,
    flow: e.flow,
    target: undefined,
    flagsRead: e.flagsRead,
    flagsWritten: e.flagsWritten,
    prefixes: !skip && (S.anyPfx || S.rex || S.vex) ? prefixList() : undefined,
  };
  if (relAt >= 0) {
    const t = address + length + rel;
    insn.target = t;
    if (!skip) (ops[relAt] as { value: bigint }).value = BigInt(t);
  }
  return insn;
}

const P_REX = 1;
const P_SEG = 2;
const P_REP = 3;
const P_OTHER = 4;
/** what each byte is in prefix position (0: the opcode starts here) */
const PREFIX_KIND = new Uint8Array(256);
const SEG_OF = new Int8Array(256);
for (let i = 0x40; i < 0x50; i++) PREFIX_KIND[i] = P_REX;
[0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65].forEach((b, i) => {
  PREFIX_KIND[b] = P_SEG;
  SEG_OF[b] = i; // es cs ss ds fs gs
});
PREFIX_KIND[0xf2] = PREFIX_KIND[0xf3] = P_REP;
PREFIX_KIND[0xf0] = PREFIX_KIND[0x66] = PREFIX_KIND[0x67] = P_OTHER;

// Prefix lists are interned by their bit set (frozen, shared): most instructions carry REX.
const PREFIX_NAMES = ['lock', 'rep', 'repne', 'data16', 'addr32', 'seg', 'rex', 'vex', 'evex'];
const prefixCache: (readonly string[] | undefined)[] = new Array(1 << PREFIX_NAMES.length);

function prefixList(): string[] {
  const bits =
    (S.lock ? 1 : 0) |
    (S.rep === 0xf3 ? 2 : 0) |
    (S.rep === 0xf2 ? 4 : 0) |
    (S.opsz ? 8 : 0) |
    (S.adsz ? 16 : 0) |
    (S.seg !== NONE ? 32 : 0) |
    (S.rex ? 64 : 0) |
    (S.vex === 2 || S.vex === 3 ? 128 : 0) |
    (S.vex === 4 ? 256 : 0);
  let l = prefixCache[bits];
  if (!l) l = prefixCache[bits] = Object.freeze(PREFIX_NAMES.filter((_, i) => bits & (1 << i)));
  return l as string[];
}

// Displacements and small immediates repeat: keep their BigInts instead of re-creating them.
const SMALL = Array.from({ length: 4096 + 256 }, (_, i) => BigInt(i - 256));
export function big(n: number): bigint {
  return n >= -256 && n < 4096 ? SMALL[n + 256] : BigInt(n);
}
