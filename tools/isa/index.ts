// The decoder for a guest architecture.
import type { Arch, Decoder } from './types.js';
import { aarch64Decoder } from './aarch64/index.js';
import { x86_64Decoder } from './x86_64/index.js';

export function decoderFor(arch: Arch): Decoder {
  return arch === 'x86_64' ? x86_64Decoder : aarch64Decoder;
}
