// The manifest every output carries (`OUT.wasm.manifest.json`): what went in, with which
// tools and options, what came out, which syscalls the guest may make and which of them the
// vkernel refuses. Nothing in it depends on the time, the host, the user or absolute paths,
// so any host rebuilds the same bytes; `--stamp` adds time and host in `stamp`, the one field
// outside the reproducible part.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';
import { failure } from '../common/fs.js';
import { parseJsonAs } from '../common/json.js';
import { packageVersions } from '../common/versions.js';

export class TrustError extends Error {}

export const MANIFEST_SCHEMA = 'recomp.manifest/v1';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 in lowercase hex');
/** a file named by its base name only: manifests carry no paths of the machine that made them */
const FileRef = z.strictObject({
  name: z
    .string()
    .min(1)
    .regex(/^[^/\0]+$/, 'a base name without /')
    .refine((n) => n !== '.' && n !== '..', 'not . or ..'),
  sha256: Sha256,
  size: z.number().int().nonnegative(),
});

export const Manifest = z
  .strictObject({
    schema: z.literal(MANIFEST_SCHEMA),
    trust: z.enum(['recompiled', 'aot', 'fallback-emulated']).describe("how the output runs the input's code: translated to wasm, compiled ahead of time, or emulated"),
    input: FileRef.extend({
      arch: z.enum(['x86_64', 'aarch64']),
      linking: z.enum(['static', 'static-pie', 'dynamic']),
    }).describe('the ELF executable translated, with the facts read from it'),
    options: z.strictObject({
      optimize: z.number().int().min(0).max(3).describe('the -O level'),
      for: z.literal('aot').optional().describe("translate --for aot (absent: for engines, 'recomp run')"),
    }),
    toolchain: z.strictObject({
      recomp: z.string(),
      node: z.string(),
      binaryen: z.string(),
      capstone: z.string(),
    }).describe('the versions of the tools that decide the bytes'),
    outputs: z.array(FileRef.extend({ mediaType: z.string() })).min(1).describe('the files made, by base name; the first is the module'),
    syscalls: z
      .strictObject({
        names: z.array(z.string()),
        complete: z.boolean().describe('false when some syscall number could not be determined statically'),
      })
      .describe('the Linux syscalls the guest code may make, as found by static analysis'),
    policy: z
      .strictObject({ name: z.literal('vkernel-default'), denied: z.array(z.string()) })
      .describe('what the runtime grants: denied lists the syscalls of the set the vkernel refuses (ENOSYS)'),
    aot: z
      .strictObject({
        target: z.enum(['x86_64', 'aarch64']).describe('the architecture of the host that runs the blob'),
        module: FileRef.describe('the wasm module compiled'),
        wasm2c: z.string().describe('the version of wasm2c that turned the module into C'),
        compiler: z.strictObject({ command: z.string(), version: z.string() }).describe('the C compiler, as it names itself'),
        flags: z.array(z.string()).describe('every flag given to the compiler, with base names'),
        profile: FileRef.extend({
          hot: z.number().int().nonnegative().describe('guest functions that ran in the profiled run: compiled with the flags above'),
          cold: z.number().int().nonnegative().describe('the others: compiled at the level coldOptimize (a gcc optimize attribute on each)'),
          coldOptimize: z.string(),
        })
          .optional()
          .describe('recomp aot --profile only: the execution profile (recomp.profile/v1) that chose how each guest function was compiled'),
        seccomp: z
          .strictObject({
            allowed: z.array(z.string()).describe("the host's system calls the filter allows, by name, sorted"),
          })
          .describe(
            "the seccomp filter the blob installs before the guest runs: the host system calls its handlers for the module's syscall set make (all handlers' when the set is incomplete), and its runtime's; any other stops the blob with a message",
          ),
      })
      .optional()
      .describe('trust aot only: how the native blob was made from the module'),
    build: z.strictObject({ command: z.array(z.string()) }).describe('the command, with base names, that makes these bytes again'),
    stamp: z
      .strictObject({ time: z.string(), host: z.string() })
      .optional()
      .describe('added by --stamp only: when and where it was made; not part of what reproduces'),
  })
  .meta({ title: 'recomp manifest', description: 'What a recomp output was made from, with which tools and options, and what it may do.' });

export type Manifest = z.infer<typeof Manifest>;
export type FileRef = z.infer<typeof FileRef>;

export const manifestPathOf = (output: string) => `${output}.manifest.json`;

export function sha256(b: Uint8Array | string): string {
  return createHash('sha256').update(b).digest('hex');
}

export const fileRef = (name: string, bytes: Uint8Array): FileRef => ({ name, sha256: sha256(bytes), size: bytes.length });

/** the tools whose versions decide the bytes */
export function toolchain(recomp: string): Manifest['toolchain'] {
  const v = packageVersions();
  return { recomp, node: process.version, binaryen: v.binaryen, capstone: v.capstone };
}

export const stampNow = (): NonNullable<Manifest['stamp']> => ({ time: new Date().toISOString(), host: hostname() });

/** the manifest's file text: fields in schema order, two-space indent, final newline */
export function serializeManifest(m: Manifest): string {
  return JSON.stringify(Manifest.parse(m), null, 2) + '\n';
}

export function parseManifest(text: string, what: string): Manifest {
  return parseJsonAs(Manifest, text, what, TrustError);
}

/** a file's bytes, or a TrustError naming what it is and why it cannot be read */
export function readTrustFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new TrustError(`cannot read the ${what} ${path}: ${failure(e)}`);
  }
}

export function readManifest(path: string): Manifest {
  return parseManifest(readTrustFile(path, 'manifest').toString('utf8'), path);
}

/** the manifest without what --stamp adds: the part two builds must agree on */
export function reproduciblePart(m: Manifest): Manifest {
  const { stamp: _stamp, ...rest } = m;
  return rest;
}

/** the JSON Schema of the manifest, as committed in tools/manifest/schemas/ */
export function manifestJsonSchema(): unknown {
  return { $id: 'urn:recomp:manifest:v1', ...z.toJSONSchema(Manifest, { target: 'draft-2020-12' }) };
}
