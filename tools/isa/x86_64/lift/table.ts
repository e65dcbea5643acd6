// The semantics table: capstone mnemonic → the IR builder for that instruction family.
import type { Insn } from '../../types.js';
import type { X86Block } from './context.js';

export type Semantics = (x: X86Block, i: Insn) => void;
