// The semantics table: mnemonic → the IR builder for that instruction family.
import type { Insn } from '../../types.js';
import type { A64Block } from './context.js';

export type Semantics = (x: A64Block, i: Insn) => void;
