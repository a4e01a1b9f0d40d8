import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { INestApplicationContext } from '@nestjs/common';
import { AuditTrailService, TrailCheckpointsService } from '@app/audit-trail';

/**
 * `verify-audit-trail [--against FILE]`: recomputes the hash chain, and
 * compares a checkpoint with today's trail: the one in FILE (a checkpoint kept
 * outside the database), else the newest stored one (or the newest file in
 * CHECKPOINT_DIR when it is larger). Prints each verdict with
 * its code (TRUNCATED, INCONSISTENT_WITH_CHECKPOINT, BAD_SIGNATURE, ...);
 * exit 1 if either fails. A FILE that is no checkpoint stops with
 * INVALID_CHECKPOINT (exit 1).
 */
export async function verifyAuditTrailCommand(app: INestApplicationContext, args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({ args, options: { against: { type: 'string' } } });
  const checkpoints = app.get(TrailCheckpointsService);
  const check =
    values.against !== undefined
      ? await checkpoints.verifyAgainst(fs.readFileSync(values.against, 'utf8'))
      : await checkpoints.verifyNewestStored();
  const result = await app.get(AuditTrailService).verify();
  if (result.intact) {
    out.write(`audit trail intact: ${result.entriesChecked} entries, head #${result.headSeq ?? '-'} ${result.headHash}\n`);
  } else {
    out.write(
      `audit trail BROKEN at entry #${result.firstBreak!.seq} (${result.firstBreak!.kind}); ${result.entriesChecked} entries before it are intact\n` +
        JSON.stringify(result.firstBreak) +
        '\n',
    );
  }
  const which = { GIVEN: `checkpoint ${values.against}`, STORED: 'newest stored checkpoint', FILE: 'newest checkpoint file' }[check.source];
  out.write(`${which}: ${check.code}${check.ok ? '' : ' (FAILED)'}: ${check.message}\n`);
  return result.intact && check.ok ? 0 : 1;
}
