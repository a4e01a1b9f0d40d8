import { createHash, createPublicKey, verify } from 'node:crypto';
import { parseNote, utf8 } from '@app/proofs';
import type { KeysDocument } from '@app/signing-keys';
import type { TestApp } from '../support/test-app';

/** Whether the note carries a valid signature by a trail key the server publishes (the well-known keys document). */
export async function trailKeyVerifies(t: TestApp, text: string): Promise<boolean> {
  const doc = (await (await fetch(`${t.baseUrl}/.well-known/remediation-tracker/keys`)).json()) as KeysDocument;
  const note = parseNote(text);
  return doc.keys
    .filter((k) => k.purpose === 'trail')
    .some((k) =>
      note.signatures.some((s) => {
        if (s.name !== k.name || s.keyId !== k.keyId) return false;
        const key = createPublicKey({ key: k.publicKeyPem, format: 'pem' });
        return verify(null, utf8(note.body), key, s.signature);
      }),
    );
}

export const sha256 = (d: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(d).digest());
