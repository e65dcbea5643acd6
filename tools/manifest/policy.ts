// The run policy a host sets for `recomp run` (--policy FILE or $RECOMP_POLICY): which keys
// it trusts and whether every module must carry a signature by one of them.
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { parseJsonAs } from '../common/json.js';
import { readTrustFile, TrustError } from './manifest.js';

export const POLICY_SCHEMA = 'recomp.policy/v1';

export const RunPolicy = z
  .strictObject({
    schema: z.literal(POLICY_SCHEMA),
    requireSignature: z.boolean().default(false).describe('refuse any module without a valid signature by one of the trusted keys'),
    trustedKeys: z.array(z.string().min(1)).default([]).describe("public key files (PEM), relative to the policy file's directory"),
  })
  .meta({ title: 'recomp run policy' });

export interface Policy {
  requireSignature: boolean;
  /** absolute paths */
  trustedKeys: string[];
  source: string;
}

export function readPolicy(path: string): Policy {
  const p = parseJsonAs(RunPolicy, readTrustFile(path, 'policy').toString('utf8'), path, TrustError);
  if (p.requireSignature && !p.trustedKeys.length) throw new TrustError(`${path}: requireSignature is set but trustedKeys is empty: no module could run`);
  return { requireSignature: p.requireSignature, trustedKeys: p.trustedKeys.map((k) => resolve(dirname(path), k)), source: path };
}

export function policyJsonSchema(): unknown {
  return { $id: 'urn:recomp:policy:v1', ...z.toJSONSchema(RunPolicy, { target: 'draft-2020-12', io: 'input' }) };
}
