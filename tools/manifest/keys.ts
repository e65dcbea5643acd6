// Ed25519 signing keys (Node's own crypto), as PEM files: PKCS#8 for the private key (mode
// 0600), SPKI for the public one. A key's id is the sha256 of its public key's DER bytes.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readTrustFile, sha256, TrustError } from './manifest.js';

export function generateKeys(): { privatePem: string; publicPem: string; keyid: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyid: keyId(publicKey),
  };
}

export const keyId = (publicKey: KeyObject): string => sha256(publicKey.export({ type: 'spki', format: 'der' }));

const readPem = (path: string, what: string): string => readTrustFile(path, what).toString('utf8');

function ed25519(key: KeyObject, path: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') throw new TrustError(`${path}: a ${key.asymmetricKeyType ?? 'symmetric'} key; recomp signs with Ed25519 keys (make one with recomp keygen)`);
  return key;
}

export function loadPrivateKey(path: string): KeyObject {
  const pem = readPem(path, 'private key');
  if (!pem.includes('PRIVATE KEY-----')) throw new TrustError(`${path}: not a PEM private key${pem.includes('PUBLIC KEY-----') ? ' (this is a public key: sign with the private one)' : ''}`);
  try {
    return ed25519(createPrivateKey(pem), path);
  } catch (e) {
    if (e instanceof TrustError) throw e;
    throw new TrustError(`${path}: not a usable private key (${(e as Error).message})`);
  }
}

export interface Signer {
  key: KeyObject;
  /** the public half: the signature's key id names it */
  publicKey: KeyObject;
}

export function loadSigningKey(path: string): Signer {
  const key = loadPrivateKey(path);
  return { key, publicKey: createPublicKey(key) };
}

export function loadPublicKey(path: string): KeyObject {
  const pem = readPem(path, 'public key');
  // a private key would work (its public half is inside), but handing it around is the mistake to catch
  if (pem.includes('PRIVATE KEY-----')) throw new TrustError(`${path}: a private key; verification takes the public key (${path}.pub from recomp keygen)`);
  if (!pem.includes('PUBLIC KEY-----')) throw new TrustError(`${path}: not a PEM public key`);
  try {
    return ed25519(createPublicKey(pem), path);
  } catch (e) {
    if (e instanceof TrustError) throw e;
    throw new TrustError(`${path}: not a usable public key (${(e as Error).message})`);
  }
}
