// The subcommand table: one entry per command, with the one-line purpose --help shows.
import type { Writable } from 'node:stream';
import type { Command } from './command.js';


export const commands: Command[] = [
  {
    name: 'analyze',
    summary: 'report arch, linking, syscalls and translatability of ELF files, root file systems and images',
    load: async () => (await import('./analyze.js')).analyze,
  },
  {
    name: 'translate',
    summary: 'translate a static x86_64 ELF executable into a WebAssembly module',
    load: async () => (await import('./translate.js')).translateMain,
  },
  { name: 'run', summary: 'run a translated module under the vkernel', load: async () => (await import('./run.js')).run },
  {
    name: 'exec',
    summary: 'translate (cached) and run an ELF executable in one step',
    load: async () => (await import('./run.js')).exec,
  },
  { name: 'aot', summary: 'compile a module ahead of time into a native, sandboxed executable (x86_64 or aarch64)', load: async () => (await import('./aot.js')).aot },
  { name: 'keygen', summary: 'create an Ed25519 signing key pair', load: async () => (await import('./sign.js')).keygen },
  { name: 'sign', summary: "sign an output's manifest (a DSSE envelope with an in-toto statement)", load: async () => (await import('./sign.js')).sign },
  {
    name: 'verify',
    summary: 'check an output against its signature, or rebuild it and compare the bytes',
    load: async () => (await import('./sign.js')).verify,
  },
  { name: 'report', summary: 'the mapping report of a module: syscalls, functions, coverage, size (text, JSON or HTML)', load: async () => (await import('./report.js')).report },
];

export function printHelp(out: Writable): void {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = [
    'recomp: recompile Linux ELF executables (x86_64, aarch64) into sandboxed WebAssembly',
    '',
    'Usage: recomp COMMAND [OPTIONS] [ARGS]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'recomp COMMAND --help' for a command's options.",
    'Options: --help, --version',
  ];
  out.write(lines.join('\n') + '\n');
}
