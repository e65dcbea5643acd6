// The x86_64 decoder: table-driven, structured operands, capstone-compatible mnemonics.
import type { Decoder } from '../types.js';
import { decode, decodeForSweep } from './decode.js';

export const x86_64Decoder: Decoder = {
  arch: 'x86_64',
  decode,
  sweep: decodeForSweep,
};
