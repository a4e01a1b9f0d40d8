import { checkNoteSignature, fromBase64, parseNote, type KeysDocument } from '@app/proofs';
import { nodePlatform } from '@app/proofs/node';

/**
 * The fingerprint of the trail key that signed the bundled checkpoint: the key
 * of the keys document whose line on the note verifies. The signed predicate
 * names it (`checkpoint.keyFingerprint`), so a verifier that pinned only the
 * bundle key takes from keys.json (unsigned) that key and no other.
 */
export async function checkpointKeyFingerprint(checkpointText: string, keys: KeysDocument): Promise<string> {
  const note = parseNote(checkpointText);
  for (const k of keys.keys) {
    if (k.purpose !== 'trail') continue;
    const key = { name: k.name, publicKey: fromBase64(k.publicKey) };
    if ((await checkNoteSignature(nodePlatform.verifyEd25519, nodePlatform.sha256, note, key)) === 'VALID') return k.fingerprint;
  }
  throw new Error('the checkpoint has no valid signature by a trail key of the keys document');
}
