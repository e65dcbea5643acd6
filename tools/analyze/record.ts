// The per-executable record `recomp analyze` prints: field names are part of the CLI's
// contract (--json), so they live in one place.

export type FlagName = 'jit' | 'selfModifying' | 'runtimeCodegen' | 'dlopen' | 'threads' | 'cpuidDispatch';
export const FLAG_NAMES: readonly FlagName[] = ['jit', 'selfModifying', 'runtimeCodegen', 'dlopen', 'threads', 'cpuidDispatch'];

export interface Evidence {
  /** guest address of the instruction or data that shows it, when there is one */
  address?: number;
  detail: string;
}

export interface FlagResult {
  set: boolean;
  evidence: Evidence[];
}

export interface SyscallUse {
  nr: number;
  name: string;
  /** addresses of the instructions that make the call; empty when the kernel makes it on
   *  the program's behalf (aarch64 rt_sigreturn from the vDSO's signal trampoline) */
  sites: number[];
}

export type Translatable = 'yes' | 'fallback' | 'no';

export interface ElfRecord {
  path: string;
  kind: 'elf';
  arch: string;
  linking: 'static' | 'static-pie' | 'dynamic' | null;
  interpreter: string | null;
  needed: string[];
  entry: number;
  symbols: { symtab: number; dynsym: number; functions: number };
  relocations: Record<string, number>;
  syscalls: SyscallUse[];
  syscallsComplete: boolean;
  /** sites whose syscall number could not be resolved (each widens the set) */
  unresolvedSyscallSites: Evidence[];
  /** dynamic binaries: NEEDED libraries not found, so their syscalls are missing */
  missingLibraries: string[];
  flags: Record<FlagName, FlagResult>;
  code: {
    functions: number;
    blocks: number;
    instructions: number;
    coverage: number;
    jumpTables: number;
    unresolvedIndirectJumps: Evidence[];
    unknown: number;
  } | null;
  translatable: Translatable;
  reason: string;
}

export interface ScriptRecord {
  path: string;
  kind: 'script';
  interpreter: string;
  interpreterArgs: string;
  translatable: Translatable;
  reason: string;
}

/** A file that looked executable but could not be analysed (corrupt ELF, unreadable). */
export interface ErrorRecord {
  path: string;
  kind: 'error';
  error: string;
  translatable: 'no';
  reason: string;
}

export type AnalysisRecord = ElfRecord | ScriptRecord | ErrorRecord;
