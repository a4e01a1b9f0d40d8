import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@app/common';
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

/** Where every checkpoint is written: CHECKPOINT_DIR, else DATA_DIR/checkpoints (absolute). */
export function checkpointDirectory(config: ConfigService<AppConfig, true>): string {
  return path.resolve(config.get('CHECKPOINT_DIR', { infer: true }) ?? path.join(config.get('DATA_DIR', { infer: true }), 'checkpoints'));
}

/** A checkpoint file as found in the directory. */
export interface CheckpointFile {
  /** The file's name (never the directory: that is the server's business). */
  name: string;
  /** The size its name gives. */
  treeSize: number;
  /** Its content, at most MAX_CHECKPOINT_FILE bytes of it. */
  text: string;
}

/** Bytes read of a checkpoint file at most (a checkpoint with a hundred signature lines is far smaller). */
export const MAX_CHECKPOINT_FILE = 64 * 1024;

/**
 * The checkpoint file of `origin` with the largest size in its name, or null
 * when there is none (or no directory). Reads the listing and that one file only.
 */
export async function newestCheckpointFile(dir: string, origin: string): Promise<CheckpointFile | null> {
  const prefix = checkpointFileName(origin, '0').replace(/0{12}\.txt$/, '');
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return null;
    throw err;
  }
  let newest: { name: string; treeSize: number } | null = null;
  for (const name of names) {
    const digits = name.startsWith(prefix) && name.endsWith('.txt') ? name.slice(prefix.length, -'.txt'.length) : '';
    if (!/^[0-9]{12,16}$/.test(digits)) continue;
    const treeSize = Number(digits);
    if (Number.isSafeInteger(treeSize) && (!newest || treeSize > newest.treeSize)) newest = { name, treeSize };
  }
  if (!newest) return null;
  const handle = await fs.open(path.join(dir, newest.name), 'r');
  try {
    const buffer = Buffer.alloc(MAX_CHECKPOINT_FILE + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return { ...newest, text: buffer.subarray(0, bytesRead).toString('utf8') };
  } finally {
    await handle.close();
  }
}

function codeOf(err: unknown): string | undefined {
  return (err as { code?: string } | null)?.code;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
