import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ed25519PublicKeyPem as isomorphicPem, rawPublicKeyFromPem } from '../keys';
import { utf8 } from '../encoding';
import { ed25519PublicKeyFromRaw, ed25519PublicKeyPem, ed25519Sign, ed25519Verify, rawEd25519PublicKey } from './index';

/** The Node platform's key helpers agree with node:crypto and with the isomorphic ones of @app/proofs. */
describe('the Node platform’s Ed25519 key helpers', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const nodePem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const raw = rawEd25519PublicKey(publicKey);

  it('ed25519PublicKeyPem of @app/proofs/node is the isomorphic one, and writes the PEM node:crypto writes', () => {
    expect(ed25519PublicKeyPem).toBe(isomorphicPem);
    expect(ed25519PublicKeyPem(raw)).toBe(nodePem);
    expect(rawPublicKeyFromPem(nodePem)).toEqual(raw);
  });

  it('rawEd25519PublicKey gives the same 32 bytes from the private key, the public key and its PEM', () => {
    expect(raw).toHaveLength(32);
    expect(rawEd25519PublicKey(privateKey)).toEqual(raw);
    expect(rawEd25519PublicKey(nodePem)).toEqual(raw);
    expect(new Uint8Array(Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url'))).toEqual(raw);
    expect(() => rawEd25519PublicKey(generateKeyPairSync('x25519').publicKey)).toThrow(/not an Ed25519 key/);
  });

  it('ed25519PublicKeyFromRaw gives back the key, which verifies its signatures; a key of 31 bytes is refused', () => {
    const back = ed25519PublicKeyFromRaw(raw);
    expect(back.equals(createPublicKey(nodePem))).toBe(true);
    const message = utf8('監査証跡のチェックポイント');
    const signature = ed25519Sign(privateKey, message);
    expect(ed25519Verify(raw, message, signature)).toBe(true);
    expect(ed25519Verify(raw, utf8('改ざん'), signature)).toBe(false);
    expect(() => ed25519PublicKeyFromRaw(raw.slice(1))).toThrow('an Ed25519 public key is 32 bytes');
  });
});
