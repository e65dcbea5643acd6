// Opcode table vocabulary: entries, selector nodes and operand specs. Tables are written as
// short strings in the style of the Intel SDM's opcode maps (Appendix A) and parsed once here.
import type { Access, Flow } from '../types.js';

/** Operand kinds (the letter of an SDM-style spec like "Ev", "Gb", "Wx"). A frozen object of
 * numbers rather than a const enum, so per-file transpilers (vitest, tsx) keep the hot switch constant. */
export const K = Object.freeze({
  E: 0, //  ModRM r/m: general register or memory
  G: 1, //  ModRM reg: general register
  M: 2, //  ModRM r/m: memory only
  Em: 3, // ModRM r/m: register of the operand size, but memory of the given size (pinsrb eax / byte ptr)
  X0: 4, // the implicit xmm0 of the SSE4.1 blendv and sha256rnds2 forms
  R: 5, //  ModRM r/m: general register only
  I: 6, //  immediate, zero-extended
  S: 7, //  immediate, sign-extended to the operand size
  J: 8, //  relative branch target
  Z: 9, //  general register in the opcode's low 3 bits (+REX.B)
  A: 10, //  the accumulator (al/ax/eax/rax)
  C: 11, //  cl
  D: 12, //  dx (port)
  One: 13, // the constant 1 of the shift-by-one forms
  O: 14, //  moffs: absolute memory address
  X: 15, //  string source [rsi]
  Y: 16, //  string destination [rdi]
  Sg: 17, // segment register in ModRM reg
  SgOp: 18, // segment register in opcode bits 5:3 (push fs/gs)
  V: 19, //  ModRM reg: vector register
  W: 20, //  ModRM r/m: vector register or memory
  U: 21, //  ModRM r/m: vector register only
  H: 22, //  VEX/EVEX vvvv: vector register
  B: 23, //  VEX vvvv: general register
  L: 24, //  VEX imm8[7:4]: vector register (4-operand forms)
  KG: 25, // ModRM reg: mask register
  KE: 26, // ModRM r/m: mask register
  KH: 27, // VEX vvvv: mask register
  F0: 28, // st(0)
  Fi: 29, // st(i) from ModRM r/m
  P: 30, //  ModRM reg: mmx register
  Q: 31, //  ModRM r/m: mmx register or memory
  Cr: 32, // control register in ModRM reg
  Dr: 33, // debug register in ModRM reg
} as const);
export type K = (typeof K)[keyof typeof K];

/** Size codes: positive numbers are bytes; the negative ones depend on the instruction. */
export const SZ_V = -1; // operand size: 2, 4 or 8
export const SZ_Z = -2; // operand size capped at 4 (immediates, rel32)
export const SZ_Y = -3; // 4, or 8 with REX.W/VEX.W
export const SZ_X = -4; // vector length: 16, 32 or 64
export const SZ_H = -5; // half the vector length
export const SZ_Q4 = -6; // quarter vector length
export const SZ_8 = -7; // eighth vector length
export const SZ_64 = -8; // 8 in 64-bit mode unless 66 (push/pop/call/jmp): "d64"
export const SZ_AS = -9; // address size (jrcxz, loop)

export interface OpSpec {
  k: K;
  size: number;
  /** fixed register number (A, C, D kinds use it implicitly) */
  acc: Access;
}

export interface Entry {
  node: 'e';
  /** numeric twin of `node` for the hot table walk (0 = entry, see Select) */
  tag: 0;
  /** mnemonic per operand size: [16, 32, 64]; identical strings when it does not vary */
  mn: [string, string, string];
  ops: OpSpec[];
  modrm: boolean;
  flow: Flow;
  flagsRead: number;
  flagsWritten: number;
  /** string instruction: f3/f2 print as rep/repe/repne */
  str?: 'rep' | 'repe';
  /** default operand size 64 (push/pop/near branches) */
  d64: boolean;
  /** pseudo-op table indexed by the trailing imm8 (cmpps, vpcmpub predicates) */
  pred?: string[];
  /** EVEX element size (W-selected or fixed) for broadcast/disp8 scaling */
  elem?: number;
  /** reads VEX/EVEX vvvv (else vvvv must be 1111b, as capstone and hardware require) */
  vvvv: boolean;
  /** accepts a lock prefix (with a memory destination) */
  lockable: boolean;
  /** f2 prints as "bnd" (MPX branch forms) */
  bnd: boolean;
  /** invalid with a 66 prefix (capstone rejects 66 e8/e9) */
  no66: boolean;
  /** mnemonics with "lock "/"rep " etc. prefixed, interned on first use */
  cache: Map<string, string> | undefined;
}

/**
 * A selector: which sub-node applies depends on
 *   pfx: the mandatory prefix (none, 66, f3, f2)     reg: ModRM.reg (opcode extension groups)
 *   mod: ModRM.mod == 3 ([memory, register])         rm:  ModRM.rm when mod == 3
 *   w:   REX.W / VEX.W / EVEX.W                      l:   VEX.L / EVEX.L'L
 * All selectors have one object shape (and entries another) so the table walk stays monomorphic.
 */
export const T_PFX = 1, T_REG = 2, T_MOD = 3, T_RM = 4, T_W = 5, T_L = 6;
const TAGS = { pfx: T_PFX, reg: T_REG, mod: T_MOD, rm: T_RM, w: T_W, l: T_L } as const;

export interface Select {
  node: 'pfx' | 'reg' | 'mod' | 'rm' | 'w' | 'l';
  tag: number;
  sub: (Node | undefined)[];
  /** pfx only: 66 stays an operand-size prefix */
  keep66: boolean;
}
export type Node = Entry | Select;

export type Table = (Node | undefined)[];

const KINDS: Record<string, K> = {
  E: K.E, e: K.Em, G: K.G, M: K.M, '0': K.X0, R: K.R, I: K.I, S: K.S, J: K.J, Z: K.Z, A: K.A, C: K.C, D: K.D,
  '1': K.One, s: K.SgOp, O: K.O, X: K.X, Y: K.Y, T: K.Sg, V: K.V, W: K.W, U: K.U, H: K.H, B: K.B,
  L: K.L, k: K.KG, K: K.KE, N: K.KH, f: K.F0, F: K.Fi, P: K.P, Q: K.Q, c: K.Cr, d: K.Dr,
};
const SIZES: Record<string, number> = {
  b: 1, w: 2, d: 4, q: 8, o: 16, t: 10, v: SZ_V, z: SZ_Z, y: SZ_Y, x: SZ_X, h: SZ_H, r: SZ_Q4,
  e: SZ_8, s: SZ_64, a: SZ_AS, '': 0,
};

/** Parses "Ev,Gv" ("Ev" = kind E, size v; "M0" = lea's size-less memory; "M512" = fxsave). */
export function parseOps(spec: string): OpSpec[] {
  if (!spec) return [];
  return spec.split(',').map((t) => {
    const k = KINDS[t[0]];
    if (k === undefined) throw new Error(`bad operand spec ${t}`);
    const rest = t.slice(1);
    const size = /^\d+$/.test(rest) ? Number(rest) : SIZES[rest];
    if (size === undefined) throw new Error(`bad operand size ${t}`);
    return { k, size, acc: 'r' as Access };
  });
}

const MODRM_KINDS = new Set<K>([K.E, K.Em, K.G, K.M, K.R, K.Sg, K.V, K.W, K.U, K.KG, K.KE, K.Fi, K.P, K.Q, K.Cr, K.Dr]);

export interface EntryOpts {
  flow?: Flow;
  fr?: number;
  fw?: number;
  str?: 'rep' | 'repe';
  d64?: boolean;
  pred?: string[];
  /** force a ModRM byte even if no operand uses it (group members without operands) */
  modrm?: boolean;
  /** access of the operands in order, e.g. "w,r" (default from the mnemonic, see access.ts) */
  acc?: string;
  elem?: number;
  no66?: boolean;
}

/** An entry; `mn` may be "cbw|cwde|cdqe" for mnemonics that change with the operand size. */
export function e(mn: string, ops = '', o: EntryOpts = {}): Entry {
  const parts = mn.split('|');
  const m: [string, string, string] = parts.length === 3 ? [parts[0], parts[1], parts[2]] : [mn, mn, mn];
  const parsed = parseOps(ops);
  if (o.acc) o.acc.split(',').forEach((a, i) => (parsed[i].acc = (a === '-' ? '' : a) as Access));
  return {
    node: 'e',
    tag: 0,
    mn: m,
    ops: parsed,
    modrm: o.modrm ?? parsed.some((p) => MODRM_KINDS.has(p.k)),
    flow: o.flow ?? 'seq',
    flagsRead: o.fr ?? 0,
    flagsWritten: o.fw ?? 0,
    str: o.str,
    d64: o.d64 ?? false,
    pred: o.pred,
    elem: o.elem,
    vvvv: parsed.some((p) => p.k === K.H || p.k === K.B || p.k === K.KH),
    lockable: false,
    bnd: false,
    no66: o.no66 ?? false,
    cache: undefined,
  };
}

const sel = (node: Select['node'], sub: (Node | undefined)[], keep66 = false): Node => ({ node, tag: TAGS[node], sub, keep66 });
export const pfx = (np?: Node, p66?: Node, f3?: Node, f2?: Node): Node => sel('pfx', [np, p66, f3, f2]);
/** like pfx, but 66 stays an operand-size prefix (hint nops: "nop word ptr [rax + rax]") */
export const pfxSize = (np?: Node, p66?: Node, f3?: Node, f2?: Node): Node => sel('pfx', [np, p66, f3, f2], true);
const pad = (sub: (Node | undefined)[], n: number) => Array.from({ length: n }, (_, i) => sub[i]);
export const reg = (...sub: (Node | undefined)[]): Node => sel('reg', pad(sub, 8));
export const mod = (mem: Node | undefined, r: Node | undefined): Node => sel('mod', [mem, r]);
export const rm = (...sub: (Node | undefined)[]): Node => sel('rm', pad(sub, 8));
export const w = (w0: Node | undefined, w1: Node | undefined): Node => sel('w', [w0, w1]);
export const l = (...sub: (Node | undefined)[]): Node => sel('l', pad(sub, 3));
/** a fresh opcode table: 256 slots, packed (no holes) */
export const table = (): Table => new Array<Node | undefined>(256).fill(undefined);
