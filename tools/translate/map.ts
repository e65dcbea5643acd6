// The translation map a module carries in its `recomp.map` custom section: what the
// translator found and made of each guest function, the indirect branches it could not
// resolve and the syscalls the code may make. `recomp report` reads it back from the module
// alone (the module's name section ties wasm functions to guest entries, its data segments
// hold the guest code for listings). Deterministic: arrays in address order, no paths.
import { z } from 'zod';

export const MAP_FORMAT = 'recomp.map/v1';

export const FUNCTION_COLUMNS = ['entry', 'name', 'sources', 'blocks', 'instructions', 'bytes', 'faults'] as const;

export interface FunctionRecord {
  /** guest address of the entry */
  entry: number;
  /** the symbol's name, when the ELF has one for this address */
  name: string | null;
  /** how discovery found it: entry, symbol, fde, call, tailcall, ifunc, init, jumptable, dataref */
  sources: string[];
  /** translated blocks, instructions and guest code bytes */
  blocks: number;
  instructions: number;
  bytes: number;
  /** places in it where the guest faults because the translator could not handle the code */
  faults: number;
}

const Row = z.tuple([z.number(), z.string().nullable(), z.array(z.string()), z.number(), z.number(), z.number(), z.number()]);

export const TranslationMap = z.object({
  format: z.literal(MAP_FORMAT),
  arch: z.enum(['x86_64', 'aarch64']),
  /** load base added to link-time addresses (static-pie) */
  base: z.number(),
  /** bytes of executable code in the image, and how many of them discovery covered */
  codeBytes: z.number(),
  bytesCovered: z.number(),
  functions: z.object({ columns: z.array(z.string()), rows: z.array(Row) }),
  /** indirect jumps and calls whose targets were not resolved statically (they go through the dispatcher) */
  unresolved: z.array(z.tuple([z.number(), z.enum(['ijump', 'icall']), z.string(), z.number()])),
  jumpTables: z.number(),
  syscalls: z.object({ names: z.array(z.string()), complete: z.boolean() }),
});
export type TranslationMap = z.infer<typeof TranslationMap>;

export function encodeFunctions(fns: FunctionRecord[]): TranslationMap['functions'] {
  return { columns: [...FUNCTION_COLUMNS], rows: fns.map((f) => [f.entry, f.name, f.sources, f.blocks, f.instructions, f.bytes, f.faults]) };
}

export function decodeFunctions(t: TranslationMap['functions']): FunctionRecord[] {
  return t.rows.map(([entry, name, sources, blocks, instructions, bytes, faults]) => ({ entry, name, sources, blocks, instructions, bytes, faults }));
}
