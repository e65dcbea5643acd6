// Signing an output: a DSSE envelope (`OUT.dsse.json`) holding an in-toto Statement whose
// subjects are the output files by digest and whose predicate is the whole manifest. One
// signature thus covers the manifest and, through the digests it names, the bytes.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../common/json.js';
import { openEnvelope, parseEnvelope, signEnvelope, type Envelope } from './dsse.js';
import { Manifest, manifestPathOf, readManifest, readTrustFile, sha256, TrustError } from './manifest.js';
import { keyId, type Signer } from './keys.js';
import { writeAtomic } from '../common/fs.js';

export const PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PREDICATE_TYPE = 'urn:recomp:manifest:v1';

const Statement = z.object({
  _type: z.literal(STATEMENT_TYPE),
  subject: z.array(z.object({ name: z.string(), digest: z.record(z.string(), z.string()) })).min(1),
  predicateType: z.string(),
  predicate: z.unknown(),
});

export const envelopePathOf = (output: string) => `${output}.dsse.json`;

/** the output a command-line FILE names: the output itself, its manifest or its envelope */
export function outputOf(file: string): string {
  for (const suffix of ['.manifest.json', '.dsse.json']) if (file.endsWith(suffix)) return file.slice(0, -suffix.length);
  return file;
}

/** the file an output entry of the manifest names: the given output, or its sibling by name */
function outputFile(output: string, name: string, primary: string): string {
  return name === primary ? output : join(dirname(output), name);
}

/** throws unless every output the manifest lists has the bytes it records */
function checkOutputs(output: string, m: Manifest, bytes?: Uint8Array): void {
  const primary = m.outputs[0].name;
  for (const o of m.outputs) {
    const path = outputFile(output, o.name, primary);
    const b = o.name === primary && bytes ? bytes : readTrustFile(path, 'output');
    const got = sha256(b);
    if (got !== o.sha256) throw new TrustError(`${path} does not match its manifest: its sha256 is ${got}, the manifest records ${o.sha256}`);
  }
}

/**
 * Signs the manifest of `output`, after checking that it still describes the files, and
 * writes the envelope beside it: where, and the signing key's id.
 */
export function signOutput(output: string, signer: Signer): { path: string; keyid: string } {
  const manifest = readManifest(manifestPathOf(output));
  checkOutputs(output, manifest);
  const statement = {
    _type: STATEMENT_TYPE,
    subject: manifest.outputs.map((o) => ({ name: o.name, digest: { sha256: o.sha256 } })),
    predicateType: PREDICATE_TYPE,
    predicate: manifest,
  };
  const envPath = envelopePathOf(output);
  let existing: Envelope | undefined;
  if (existsSync(envPath)) {
    try {
      existing = parseEnvelope(readFileSync(envPath, 'utf8'), envPath);
    } catch {
      existing = undefined; // an unreadable envelope is replaced, not merged
    }
  }
  const envelope = signEnvelope(PAYLOAD_TYPE, Buffer.from(canonicalJson(statement)), signer, existing);
  writeAtomic(envPath, JSON.stringify(envelope, null, 2) + '\n');
  return { path: envPath, keyid: keyId(signer.publicKey) };
}

export interface Verified {
  manifest: Manifest;
  keyid: string;
}

/**
 * Checks that a trusted key signed the manifest of `output` and that the output's bytes
 * (`bytes` when the caller already holds them, so what is checked is what runs) are the
 * ones it names. With `manifestFile`, the manifest beside the output must be the signed one.
 */
export function verifyOutput(output: string, trusted: KeyObject[], opts: { bytes?: Uint8Array; manifestFile?: boolean } = {}): Verified {
  const envPath = envelopePathOf(output);
  if (!existsSync(envPath)) throw new TrustError(`${output} is not signed: ${basename(envPath)} is missing (sign it with recomp sign, or translate with --sign-key)`);
  const env = parseEnvelope(readTrustFile(envPath, 'signature').toString('utf8'), envPath);
  if (env.payloadType !== PAYLOAD_TYPE) throw new TrustError(`${envPath}: payload type ${env.payloadType}, expected ${PAYLOAD_TYPE}`);
  const { payload, keyid } = openEnvelope(env, trusted, envPath);
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new TrustError(`${envPath}: the signed payload is not JSON`);
  }
  const r = Statement.safeParse(json);
  if (!r.success) throw new TrustError(`${envPath}: the signed payload is not an in-toto statement v1`);
  if (r.data.predicateType !== PREDICATE_TYPE) throw new TrustError(`${envPath}: the signed statement's predicate is ${r.data.predicateType}, not a recomp manifest`);
  const m = Manifest.safeParse(r.data.predicate);
  if (!m.success) throw new TrustError(`${envPath}: the signed manifest does not follow the recomp.manifest/v1 schema`);
  const manifest = m.data;
  const named = r.data.subject.map((s) => `${s.name}@${s.digest.sha256}`).sort();
  const listed = manifest.outputs.map((o) => `${o.name}@${o.sha256}`).sort();
  if (canonicalJson(named) !== canonicalJson(listed)) throw new TrustError(`${envPath}: the statement's subjects are not the manifest's outputs`);
  checkOutputs(output, manifest, opts.bytes);
  const mPath = manifestPathOf(output);
  if (opts.manifestFile || existsSync(mPath)) {
    const onDisk = readManifest(mPath);
    if (canonicalJson(onDisk) !== canonicalJson(manifest)) throw new TrustError(`${mPath} is not the manifest that was signed (it was changed after signing)`);
  }
  return { manifest, keyid };
}
