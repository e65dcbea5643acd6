// Register names as capstone prints them, indexed by encoding number (REX/VEX/EVEX bits included).

const low = ['a', 'c', 'd', 'b', 'sp', 'bp', 'si', 'di'];
const hi = [8, 9, 10, 11, 12, 13, 14, 15];

/** 8-bit registers when any REX prefix is present: spl/bpl/sil/dil instead of ah/ch/dh/bh. */
export const GPR8_REX = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil', ...hi.map((n) => `r${n}b`)];
/** 8-bit registers without REX: encodings 4-7 are the legacy high bytes. */
export const GPR8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'];
export const GPR16 = [...low.map((r) => (r.length === 1 ? `${r}x` : r)), ...hi.map((n) => `r${n}w`)];
export const GPR32 = [...low.map((r) => (r.length === 1 ? `e${r}x` : `e${r}`)), ...hi.map((n) => `r${n}d`)];
export const GPR64 = [...low.map((r) => (r.length === 1 ? `r${r}x` : `r${r}`)), ...hi.map((n) => `r${n}`)];
export const SEG = ['es', 'cs', 'ss', 'ds', 'fs', 'gs', '', ''];

const n32 = Array.from({ length: 32 }, (_, i) => i);
export const XMM = n32.map((i) => `xmm${i}`);
export const YMM = n32.map((i) => `ymm${i}`);
export const ZMM = n32.map((i) => `zmm${i}`);
export const KREG = n32.slice(0, 8).map((i) => `k${i}`);
export const ST = n32.slice(0, 8).map((i) => `st(${i})`);
export const MMX = n32.slice(0, 8).map((i) => `mm${i}`);
export const CR = n32.slice(0, 16).map((i) => `cr${i}`);
export const DR = n32.slice(0, 16).map((i) => `dr${i}`);

/** General register name of `size` bytes; `rex` selects spl.. over ah.. for 8-bit encodings 4-7. */
export function gpr(size: number, n: number, rex: boolean): string {
  switch (size) {
    case 1:
      return rex ? GPR8_REX[n] : n < 8 ? GPR8[n] : GPR8_REX[n];
    case 2:
      return GPR16[n];
    case 4:
      return GPR32[n];
    default:
      return GPR64[n];
  }
}

/** Vector register of `size` bytes (16 xmm, 32 ymm, 64 zmm). */
export function vreg(size: number, n: number): string {
  return size === 64 ? ZMM[n] : size === 32 ? YMM[n] : XMM[n];
}
