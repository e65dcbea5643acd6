// Register families: a write to eax defines rax, a write to w8 defines x8. The analyses
// track values per family.
import type { Arch } from '../isa/types.js';

const X86_FAMILY = new Map<string, string>();
for (const r of ['a', 'b', 'c', 'd']) for (const n of [`r${r}x`, `e${r}x`, `${r}x`, `${r}l`, `${r}h`]) X86_FAMILY.set(n, `r${r}x`);
for (const r of ['si', 'di', 'bp', 'sp']) for (const n of [`r${r}`, `e${r}`, r, `${r}l`]) X86_FAMILY.set(n, `r${r}`);
for (let i = 8; i < 16; i++) for (const s of ['', 'd', 'w', 'b']) X86_FAMILY.set(`r${i}${s}`, `r${i}`);

/** The 64-bit register a general-purpose register name belongs to, or undefined (vector, flags...). */
export function registerFamily(arch: Arch, reg: string): string | undefined {
  if (arch === 'x86_64') return X86_FAMILY.get(reg);
  const m = /^[xw](\d+)$/.exec(reg);
  return m ? `x${m[1]}` : undefined;
}
