import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { checkpointFileName, DIFFERENT_CHECKPOINT, type CheckpointForCopy, type CopyAttemptResult } from './domain/checkpoint-copy-rules';

/** Read-only for everyone: a checkpoint file is never changed. */
const FILE_MODE = 0o444;

/**
 * Writes a checkpoint to `<dir>/<origin with / as _>-<size padded to 12>.txt`,
 * never over an existing file:
 *
 * - the note goes to a temporary file in the same directory (flag `wx`, mode
 *   0444, flushed to disk), which is then hard-linked to the final name: the
 *   link fails if that name exists, and the final file never exists half
 *   written (a crash mid-write leaves at most a `.tmp-*` file, never a half-written checkpoint);
 * - where hard links are not supported, the final name is opened with `wx` directly;
 * - an existing file with exactly these bytes is the copy already done (a retry
 *   after a crash); one with other bytes is an alarm that no retry cures: FAILED,
 *   the file left as it is.
 */
export async function copyToDirectory(dir: string, checkpoint: CheckpointForCopy): Promise<CopyAttemptResult> {
  const name = checkpointFileName(checkpoint.origin, checkpoint.treeSize);
  const file = path.join(dir, name);
  const bytes = Buffer.from(checkpoint.text, 'utf8');
  try {
    await fs.mkdir(dir, { recursive: true });
    if (await writeOnce(dir, name, file, bytes)) return { ok: true };
    return await compareExisting(file, bytes);
  } catch (err) {
    return { ok: false, error: `could not write ${file}: ${errorText(err)}` };
  }
}

/** True if this call created the file; false if a file of that name was there already. */
async function writeOnce(dir: string, name: string, file: string, bytes: Buffer): Promise<boolean> {
  const temp = path.join(dir, `.tmp-${name}-${randomUUID()}`);
  await writeNew(temp, bytes);
  try {
    await fs.link(temp, file);
    return true;
  } catch (err) {
    if (codeOf(err) === 'EEXIST') return false;
    if (codeOf(err) !== 'EPERM' && codeOf(err) !== 'ENOTSUP' && codeOf(err) !== 'EXDEV') throw err;
    try {
      await writeNew(file, bytes);
      return true;
    } catch (direct) {
      if (codeOf(direct) === 'EEXIST') return false;
      throw direct;
    }
  } finally {
    await fs.rm(temp, { force: true });
  }
}

/** Creates `file` (flag `wx`: fails if it exists) with `bytes`, flushed to disk, read-only. */
async function writeNew(file: string, bytes: Buffer): Promise<void> {
  const handle = await fs.open(file, 'wx', FILE_MODE);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function compareExisting(file: string, bytes: Buffer): Promise<CopyAttemptResult> {
  const existing = await fs.readFile(file);
  if (existing.equals(bytes)) return { ok: true };
  return { ok: false, final: true, error: `${DIFFERENT_CHECKPOINT} (${file})` };
}

function codeOf(err: unknown): string | undefined {
  return (err as { code?: string } | null)?.code;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
