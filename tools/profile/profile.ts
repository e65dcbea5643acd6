// The execution profile `recomp run --profile` writes and `recomp aot --profile` reads: how
// often each guest function of one exact module was entered and how often its loop heads
// passed in one run. Deterministic: the same module and run give the same text (functions
// by entry address, no times, no host paths but what the guest was given).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { failure } from '../common/fs.js';
import { parseJsonAs } from '../common/json.js';
import { sha256 } from '../manifest/manifest.js';
import { TranslationMap, decodeFunctions } from '../translate/map.js';
import { customSection, readSections } from '../wasm/sections.js';
import { ProfileError, type Counts } from './instrument.js';

export const PROFILE_SCHEMA = 'recomp.profile/v1';

const Count = z.number().int().nonnegative();

export const Profile = z
  .strictObject({
    schema: z.literal(PROFILE_SCHEMA),
    module: z
      .strictObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 in lowercase hex'), size: Count })
      .describe("the module that ran, by its exact bytes (the counting code is added to a copy when it loads; the module's file is unchanged)"),
    arch: z.enum(['x86_64', 'aarch64']).describe("the guest's architecture"),
    run: z.strictObject({ argv: z.array(z.string()), status: z.number().int() }).describe("the guest's argv and exit status in the run counted"),
    totals: z
      .strictObject({ functions: Count.describe('guest functions in the module'), ran: Count.describe('of them, those that ran'), entries: Count, loops: Count })
      .describe('sums over all functions'),
    functions: z
      .array(
        z.strictObject({
          entry: z.string().regex(/^0x[0-9a-f]+$/, 'expected a guest address in lowercase hex (0x...)').describe("the function's guest entry address"),
          name: z.string().nullable().describe("the ELF's symbol for it, if it has one"),
          entries: Count.describe('calls and jumps to its entry'),
          loops: Count.describe('passes through the heads of its loops'),
        }),
      )
      .describe('every guest function that ran, by entry address; one not listed did not run'),
  })
  .meta({ title: 'recomp execution profile', description: 'How often each guest function of one module ran in one run (recomp run --profile).' });

export type Profile = z.infer<typeof Profile>;

/** the profile of a run of `module` (the uninstrumented bytes) from its counts */
export function buildProfile(module: Uint8Array, counts: Counts[], run: Profile['run']): Profile {
  const map = translationMap(module);
  const names = new Map(decodeFunctions(map.functions).map((f) => [f.entry, f.name]));
  const ran = counts.filter((c) => c.entries || c.loops).sort((a, b) => a.entry - b.entry);
  const sum = (k: 'entries' | 'loops') => Number(counts.reduce((s, c) => s + c[k], 0n));
  return Profile.parse({
    schema: PROFILE_SCHEMA,
    module: { sha256: sha256(module), size: module.length },
    arch: map.arch,
    run,
    totals: { functions: counts.length, ran: ran.length, entries: sum('entries'), loops: sum('loops') },
    functions: ran.map((c) => ({ entry: `0x${c.entry.toString(16)}`, name: names.get(c.entry) ?? null, entries: Number(c.entries), loops: Number(c.loops) })),
  });
}

/** the profile's file text: fields in schema order, one function a line, final newline */
export function serializeProfile(p: Profile): string {
  const { functions, ...head } = Profile.parse(p);
  const text = JSON.stringify(head, null, 2);
  const rows = functions.map((f) => `    ${JSON.stringify(f)}`).join(',\n');
  return `${text.slice(0, -2)},\n  "functions": [${rows ? `\n${rows}\n  ` : ''}]\n}\n`;
}

/** a profile file: its bytes (the manifest names them) and what they say */
export function readProfile(path: string): { bytes: Uint8Array; profile: Profile } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new ProfileError(`cannot read the profile ${path}: ${failure(e)}`);
  }
  return { bytes, profile: parseJsonAs(Profile, new TextDecoder().decode(bytes), path, ProfileError) };
}

/** refuses a profile of other bytes than `module`: its counts would name other functions */
export function checkProfileOf(profile: Profile, module: Uint8Array, path: string): void {
  const digest = sha256(module);
  if (profile.module.sha256 !== digest)
    throw new ProfileError(
      `${path} is the profile of another module (sha256 ${profile.module.sha256.slice(0, 16)}..., this one is ${digest.slice(0, 16)}...): profile this module with 'recomp run MODULE --profile ${path}'`,
    );
}

/** the entries of the functions that ran in the profiled run: the hot ones */
export function ranFunctions(profile: Profile): Set<number> {
  return new Set(profile.functions.map((f) => parseInt(f.entry.slice(2), 16)));
}

function translationMap(module: Uint8Array): TranslationMap {
  const raw = customSection(module, readSections(module), 'recomp.map');
  if (!raw) throw new ProfileError('not a recomp module (no recomp.map section)');
  return parseJsonAs(TranslationMap, new TextDecoder().decode(raw), 'the recomp.map section', ProfileError);
}

export function profileJsonSchema(): unknown {
  return { $id: 'urn:recomp:profile:v1', ...z.toJSONSchema(Profile, { target: 'draft-2020-12' }) };
}
