// What the vkernel needs to know about the guest's architecture: its system call numbers,
// where its stack pointer lives, what uname and the auxiliary vector say, and the layout
// of `struct stat` (x86_64 has its own; aarch64 uses the generic one).
import { SYSCALLS_AARCH64, SYSCALLS_X86_64 } from '../analyze/syscall-tables.js';
import type { Arch } from '../isa/types.js';

export interface GuestArch {
  name: Arch;
  /** system call number → name (the handlers are by name) */
  syscalls: ReadonlyMap<number, string>;
  /** the state slot of the stack pointer */
  sp: string;
  /** uname's machine and AT_PLATFORM */
  machine: string;
  /**
   * AT_HWCAP: x86_64 the cpuid.1 edx bits of a baseline CPU; aarch64 FP and ASIMD only (no
   * CPUID bit, so the C library does not read MIDR_EL1; no SVE, so it picks the NEON paths)
   */
  hwcap: number;
  stat: 'x86_64' | 'generic';
  /** open flags in the x86_64 numbering the vkernel uses (aarch64 swaps four bits), and back */
  openFlags(guest: number): number;
  guestOpenFlags(flags: number): number;
}

const same = (f: number) => f;
/** aarch64 ↔ x86_64: O_DIRECTORY, O_NOFOLLOW, O_DIRECT, O_LARGEFILE sit at other bits */
const A64_OPEN: [number, number][] = [[0o40000, 0o200000], [0o100000, 0o400000], [0o200000, 0o40000], [0o400000, 0o100000]];
function remap(f: number, pairs: [number, number][]): number {
  let out = f & ~pairs.reduce((m, [a]) => m | a, 0);
  for (const [a, b] of pairs) if (f & a) out |= b;
  return out;
}

export const GUEST_ARCHES: Record<Arch, GuestArch> = {
  x86_64: { name: 'x86_64', syscalls: SYSCALLS_X86_64, sp: 'rsp', machine: 'x86_64', hwcap: 0x078bfbff, stat: 'x86_64', openFlags: same, guestOpenFlags: same },
  aarch64: { name: 'aarch64', syscalls: SYSCALLS_AARCH64, sp: 'sp', machine: 'aarch64', hwcap: 0x3, stat: 'generic',
    openFlags: (f) => remap(f, A64_OPEN), guestOpenFlags: (f) => remap(f, A64_OPEN.map(([a, b]) => [b, a])) },
};
