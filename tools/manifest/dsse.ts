// DSSE envelopes (github.com/secure-systems-lab/dsse, v1): a payload, its type, and
// signatures over the pre-authentication encoding PAE(type, payload), so that a signature
// cannot be replayed for a payload of another type.
import { sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { parseJsonAs } from '../common/json.js';
import { keyId, type Signer } from './keys.js';
import { TrustError } from './manifest.js';

const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');

export const Envelope = z.strictObject({
  payloadType: z.string().min(1),
  payload: Base64,
  signatures: z.array(z.strictObject({ keyid: z.string(), sig: Base64 })).min(1),
});
export type Envelope = z.infer<typeof Envelope>;

/** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in bytes */
export function pae(type: string, body: Uint8Array): Buffer {
  const t = Buffer.from(type, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${t.length} `), t, Buffer.from(` ${body.length} `), body]);
}

/** signs `payload`; an envelope of the same payload keeps its other signers' signatures */
export function signEnvelope(payloadType: string, payload: Uint8Array, signer: Signer, existing?: Envelope): Envelope {
  const keyid = keyId(signer.publicKey);
  const sig = sign(null, pae(payloadType, payload), signer.key).toString('base64');
  const b64 = Buffer.from(payload).toString('base64');
  const others = existing && existing.payloadType === payloadType && existing.payload === b64 ? existing.signatures.filter((s) => s.keyid !== keyid) : [];
  return { payloadType, payload: b64, signatures: [...others, { keyid, sig }] };
}

export function parseEnvelope(text: string, what: string): Envelope {
  return parseJsonAs(Envelope, text, what, TrustError);
}

/**
 * The payload when one of `trusted` signed it; else a TrustError that says what is wrong:
 * no signature by a trusted key, or one that does not verify (the envelope was altered).
 */
export function openEnvelope(env: Envelope, trusted: KeyObject[], what: string): { payload: Buffer; keyid: string } {
  const payload = Buffer.from(env.payload, 'base64');
  const message = pae(env.payloadType, payload);
  const byId = new Map(trusted.map((k) => [keyId(k), k]));
  let bad: string | undefined;
  for (const s of env.signatures) {
    const key = byId.get(s.keyid);
    if (!key) continue;
    if (verify(null, message, key, Buffer.from(s.sig, 'base64'))) return { payload, keyid: s.keyid };
    bad = s.keyid;
  }
  if (bad) throw new TrustError(`${what}: the signature by key ${bad.slice(0, 16)} does not verify: the envelope was changed after signing`);
  const ids = env.signatures.map((s) => s.keyid.slice(0, 16)).join(', ');
  throw new TrustError(`${what}: not signed by a trusted key (signed by ${ids}; trusted: ${[...byId.keys()].map((k) => k.slice(0, 16)).join(', ') || 'none'})`);
}
