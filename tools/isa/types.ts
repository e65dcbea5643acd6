// The shape every instruction decoder produces. Analysis, code discovery and (later) the
// lifters consume only this, never disassembly text.

export type Arch = 'x86_64' | 'aarch64';

/** How an instruction transfers control; what code discovery needs to follow it. */
export type Flow =
  | 'seq' //     falls through to the next instruction
  | 'jump' //    direct unconditional jump to `target`
  | 'cjump' //   direct conditional jump to `target`, else falls through
  | 'call' //    direct call to `target`, returns to the next instruction
  | 'ijump' //   indirect jump (register or memory)
  | 'icall' //   indirect call
  | 'ret' //     return
  | 'syscall' // system call (x86_64 `syscall`, aarch64 `svc #0`); falls through
  | 'trap' //    ud2, int3, hlt, brk, udf ...: does not fall through
  | 'interrupt'; // int N and similar: falls through

export interface RegOperand {
  kind: 'reg';
  /** capstone's register name, lowercase: rax, eax, al, xmm3, ymm0, x0, w5, sp, xzr, v2, q0, d1 */
  reg: string;
  /** bytes */
  size: number;
  access: Access;
  /** aarch64 extended-register operand (add x0, x1, w2, sxtb #2): uxtb..uxtx, sxtb..sxtx; the shift is the next immediate */
  extend?: string;
}

export interface ImmOperand {
  kind: 'imm';
  /** sign- or zero-extended as the instruction uses it; addresses for branch targets */
  value: bigint;
  size: number;
}

export interface MemOperand {
  kind: 'mem';
  segment?: string; // fs, gs (x86_64)
  base?: string; //    rip for rip-relative (disp is then relative to the next instruction)
  index?: string;
  scale: number; //    1, 2, 4, 8 (aarch64: 1 << shift amount)
  disp: bigint;
  /** bytes accessed (0 when the instruction only computes the address, e.g. lea, prefetch) */
  size: number;
  access: Access;
  /** aarch64 addressing: pre-index `[x0, #8]!`, post-index `[x0], #8`, extended index `[x0, w1, sxtw #2]` */
  writeback?: 'pre' | 'post';
  extend?: string;
}

export type Access = 'r' | 'w' | 'rw' | '';

export type Operand = RegOperand | ImmOperand | MemOperand;

export interface Insn {
  address: number;
  length: number;
  /** exactly capstone's `mnemonic` field for these bytes (prefix words included: "rep stosq", "lock cmpxchg") */
  mnemonic: string;
  operands: Operand[];
  flow: Flow;
  /** direct branch or call target (flow jump, cjump, call) */
  target?: number;
  /** condition flags read and written, as FLAG_* bits */
  flagsRead: number;
  flagsWritten: number;
  /** x86_64 prefixes present (lock, rep, repne, data16, addr32, seg, rex, vex, evex) */
  prefixes?: string[];
  /** aarch64: the 32-bit instruction word (the lifter reads the fields operands leave out: shift types, arrangements) */
  word?: number;
}

// Condition flags: x86_64 uses all; aarch64 NZCV map to SF/ZF/CF/OF (C is "carry", not x86's borrow).
export const FLAG_CF = 1;
export const FLAG_PF = 2;
export const FLAG_AF = 4;
export const FLAG_ZF = 8;
export const FLAG_SF = 16;
export const FLAG_OF = 32;
export const FLAG_DF = 64;
export const FLAGS_ARITH = FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_OF;

/**
 * A decoder for one architecture. `decode` reads one instruction at `offset` of `code`,
 * whose first byte is at guest address `address`; it returns undefined for bytes it does
 * not know (or that are not a valid instruction, or run past the end of `code`).
 */
export interface Decoder {
  readonly arch: Arch;
  decode(code: Uint8Array, offset: number, address: number): Insn | undefined;
  /**
   * decode() for a linear sweep that reads only address, length, flow, target and mnemonic:
   * it may leave out the operands of instructions other than x86_64 `lea` (the code
   * addresses taken), and the prefixes. The same as decode() where it would save nothing.
   */
  sweep(code: Uint8Array, offset: number, address: number): Insn | undefined;
}
