// The decoder for a guest architecture.
import type { Arch, Decoder } from './types.js';
import { x86_64Decoder } from './x86_64/index.js';

export function decoderFor(arch: Arch): Decoder | undefined {
  return arch === 'x86_64' ? x86_64Decoder : undefined;
}
