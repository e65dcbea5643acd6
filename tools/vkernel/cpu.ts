// The CPU a translated x86_64 guest sees through `cpuid`: a baseline x86-64 (SSE2, no SSE3
// and later, no AVX, no XSAVE), under a vendor string of its own. glibc's and musl's
// dispatchers then choose their SSE2 code paths, which the translator implements, and
// glibc's vendor-specific cache probing (Intel leaf 2/4, AMD extended leaves) is skipped.
//
//   leaf 0           max basic leaf 1, vendor "RecompVirtCPU" -> "RecompVirtCP" (12 bytes)
//   leaf 1           family 6 model 0; EDX: FPU TSC CX8 CMOV MMX FXSR SSE SSE2 ...; ECX: 0
//   leaf 0x80000000  max extended leaf 0x80000001
//   leaf 0x80000001  ECX: LAHF/SAHF in 64-bit mode; EDX: SYSCALL, NX, LM
//   anything else    zeros

const VENDOR = 'RecompVirtCP';

function word(s: string): number {
  return (s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 24)) >>> 0;
}

/** [eax, ebx, ecx, edx] for `cpuid` with the given leaf and subleaf */
export function cpuidAnswer(leaf: number, _sub: number): [number, number, number, number] {
  switch (leaf) {
    case 0:
      return [1, word(VENDOR.slice(0, 4)), word(VENDOR.slice(8, 12)), word(VENDOR.slice(4, 8))];
    case 1:
      return [0x00000600, 0x00000800, 0, 0x078bfbff];
    case 0x80000000:
      return [0x80000001, 0, 0, 0];
    case 0x80000001:
      return [0, 0, 0x1, 0x20100800];
    default:
      return [0, 0, 0, 0];
  }
}
