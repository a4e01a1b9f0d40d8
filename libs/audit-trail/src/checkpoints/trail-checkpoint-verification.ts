import { checkNoteSignature, fromBase64, parseCheckpointBody, parseNote, toBase64, type Checkpoint, type Note } from '@app/proofs';
import type { CheckpointFile } from '../copies/directory-copy';
import { CheckpointCheckCode, compareCheckpoint, type CheckpointCheck, type CheckpointSource } from './domain/checkpoint-check';
import { ed25519Verify, sha256 } from '@app/proofs/node';
import { TrailError, TrailErrorCode } from './trail-checkpoint.errors';
import type { TrailKeyring } from './trail-keyring';
import { readTrailTree, trailHeadSize, type Queryable } from './trail-tree';

/** Longest checkpoint text accepted (a body and up to 100 signature lines fit in far less). */
export const MAX_CHECKPOINT_TEXT = 64 * 1024;

/** Parses a checkpoint note; INVALID_CHECKPOINT (BAD_USER_INPUT) with the reason when it is not one. */
export function parseCheckpointNote(text: string): { note: Note; checkpoint: Checkpoint } {
  if (text.length > MAX_CHECKPOINT_TEXT) {
    throw new TrailError(TrailErrorCode.INVALID_CHECKPOINT, `a checkpoint is at most ${MAX_CHECKPOINT_TEXT} characters`, {});
  }
  try {
    // A file saved on Windows may end its lines with CRLF; the signed text has LF only.
    const note = parseNote(text.replace(/\r\n/g, '\n'));
    return { note, checkpoint: parseCheckpointBody(note.body) };
  } catch (err) {
    throw new TrailError(TrailErrorCode.INVALID_CHECKPOINT, `not a trail checkpoint: ${(err as Error).message}`, {});
  }
}

/** The trail key (active or retired) whose signature line on the note verifies, or null. */
export async function trailSigner(keyring: TrailKeyring, note: Note): Promise<{ keyId: string; status: string } | null> {
  const { keys } = await keyring.keysDocument();
  for (const key of keys.filter((k) => k.purpose === 'trail')) {
    const status = await checkNoteSignature(async (pub, msg, sig) => ed25519Verify(pub, msg, sig), sha256, note, {
      name: key.name,
      publicKey: fromBase64(key.publicKey),
    });
    if (status === 'VALID') return { keyId: key.keyId, status: key.status };
  }
  return null;
}

/**
 * A checkpoint checked against the trail as stored today: its signature by a
 * trail key of this tracker (active or retired), its size against today's,
 * its root against the root of today's first `size` entries.
 */
export async function verifyCheckpointText(
  db: Queryable,
  keyring: TrailKeyring,
  origin: string,
  text: string,
  source: CheckpointSource,
): Promise<CheckpointCheck> {
  const { note, checkpoint } = parseCheckpointNote(text);
  const signedBy = checkpoint.origin === origin ? await trailSigner(keyring, note) : null;
  const currentSize = await trailHeadSize(db);
  let currentRootOfSize: string | null = null;
  let missingSeq: string | null = null;
  if (signedBy && checkpoint.size <= currentSize) {
    const read = await readTrailTree(db, checkpoint.size);
    missingSeq = read.missingSeq;
    if (missingSeq === null) currentRootOfSize = toBase64(read.tree.root(checkpoint.size));
  }
  const result = compareCheckpoint({
    source,
    size: checkpoint.size,
    rootHash: toBase64(fromBase64(checkpoint.rootHash)),
    signedBy,
    currentSize,
    currentRootOfSize,
    missingSeq,
  });
  if (!signedBy && checkpoint.origin !== origin) {
    return { ...result, message: `${result.message} (its origin is ${checkpoint.origin}; this tracker's is ${origin})` };
  }
  return result;
}

/**
 * The newest checkpoint file checked as a given checkpoint is (source FILE);
 * a file that is no checkpoint at all is BAD_SIGNATURE: it proves nothing,
 * and someone changed it. Only the file's name is told, never the directory.
 */
export async function verifyCheckpointFile(
  db: Queryable,
  keyring: TrailKeyring,
  origin: string,
  file: CheckpointFile,
): Promise<CheckpointCheck> {
  try {
    parseCheckpointNote(file.text);
  } catch (err) {
    return {
      source: 'FILE',
      code: CheckpointCheckCode.BAD_SIGNATURE,
      ok: false,
      message: `the newest checkpoint file ${file.name} is not a signed checkpoint (${(err as Error).message}): it proves nothing`,
      treeSize: String(file.treeSize),
      rootHash: null,
      keyId: null,
      currentTreeSize: String(await trailHeadSize(db)),
    };
  }
  const check = await verifyCheckpointText(db, keyring, origin, file.text, 'FILE');
  return { ...check, message: `${check.message} (${file.name})` };
}

/** The size and root of a checkpoint file, if it is a checkpoint of `origin` signed by a trail key of this tracker; else null. */
export async function signedCheckpointOf(
  keyring: TrailKeyring,
  origin: string,
  file: CheckpointFile,
): Promise<{ treeSize: string; rootHash: string } | null> {
  let parsed: { note: Note; checkpoint: Checkpoint };
  try {
    parsed = parseCheckpointNote(file.text);
  } catch {
    return null;
  }
  if (parsed.checkpoint.origin !== origin || !(await trailSigner(keyring, parsed.note))) return null;
  return { treeSize: String(parsed.checkpoint.size), rootHash: toBase64(fromBase64(parsed.checkpoint.rootHash)) };
}
