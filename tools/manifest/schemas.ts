// The JSON Schema files of recomp's formats, generated from their zod schemas (one source of
// truth) by scripts/schemas.mjs into tools/manifest/schemas/, for users' own validators.
import { manifestJsonSchema } from './manifest.js';
import { policyJsonSchema } from './policy.js';
import { profileJsonSchema } from '../profile/profile.js';

/** repository path → JSON Schema */
export function schemaFiles(): Record<string, unknown> {
  return {
    'tools/manifest/schemas/manifest.v1.json': manifestJsonSchema(),
    'tools/manifest/schemas/policy.v1.json': policyJsonSchema(),
    'tools/manifest/schemas/profile.v1.json': profileJsonSchema(),
  };
}
