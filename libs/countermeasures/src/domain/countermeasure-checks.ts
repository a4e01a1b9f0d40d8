import { countermeasureKey, type CountermeasureEntity } from '../countermeasure.entities';
import { CountermeasureError, CountermeasureErrorCode } from './countermeasure.errors';
import { MAX_DESCRIPTION_LENGTH, MAX_REASON_LENGTH, MAX_TITLE_LENGTH, requireReason } from './countermeasure-fields';
import { CountermeasureStatus } from './countermeasure-workflow';

// The field checks of the countermeasure commands and the trail's snapshot: pure, no I/O.

export interface RequirementCommand {
  title: string;
  description?: string | null;
  recurrenceDays?: number | null;
}

/**
 * Signed-off work (VERIFIED, OPERATING, DEGRADED, or BLOCKED from one of them)
 * keeps the requirements its sign-off covered: adding or removing one would make
 * "verified" mean something that was never checked. Reopen it first.
 */
export function isSignedOff(cm: Pick<CountermeasureEntity, 'status' | 'resumeStatus'>): boolean {
  const signed = new Set<CountermeasureStatus>([
    CountermeasureStatus.VERIFIED,
    CountermeasureStatus.OPERATING,
    CountermeasureStatus.DEGRADED,
  ]);
  return signed.has(cm.status) || (cm.status === CountermeasureStatus.BLOCKED && cm.resumeStatus !== null && signed.has(cm.resumeStatus));
}

export function assertRequirementsOpen(cm: CountermeasureEntity): void {
  if (isSignedOff(cm)) {
    throw new CountermeasureError(
      CountermeasureErrorCode.REQUIREMENTS_FROZEN,
      `${countermeasureKey(cm.seq)} is ${cm.status}: its requirements are what the auditor signed off; an executive reopens it first`,
      { status: cm.status },
    );
  }
}

export function notFound(idOrKey: string): CountermeasureError {
  return new CountermeasureError(CountermeasureErrorCode.COUNTERMEASURE_NOT_FOUND, `Countermeasure ${idOrKey} does not exist`, {
    id: idOrKey,
  });
}

export function checkTitle(title: string): string {
  const t = title.trim();
  if (!t || [...t].length > MAX_TITLE_LENGTH) {
    throw new CountermeasureError(CountermeasureErrorCode.INVALID_FIELD, `title must have 1 to ${MAX_TITLE_LENGTH} characters`, {
      field: 'title',
    });
  }
  return t;
}

export function checkDescription(description: string): string {
  if ([...description].length > MAX_DESCRIPTION_LENGTH) {
    throw new CountermeasureError(
      CountermeasureErrorCode.INVALID_FIELD,
      `description must have at most ${MAX_DESCRIPTION_LENGTH} characters`,
      {
        field: 'description',
      },
    );
  }
  return description.trim();
}

/** A reason of at most MAX_REASON_LENGTH characters (code points, like every text limit here). */
export function assertReasonLength(reason: string): string {
  if ([...reason].length > MAX_REASON_LENGTH) {
    throw new CountermeasureError(CountermeasureErrorCode.INVALID_FIELD, `reason must be at most ${MAX_REASON_LENGTH} characters`, {
      field: 'reason',
    });
  }
  return reason;
}

export function checkReason(reason: string): string {
  return assertReasonLength(requireReason(reason));
}

export function checkRequirement(r: RequirementCommand, position: number) {
  const title = r.title.trim();
  if (!title || [...title].length > MAX_TITLE_LENGTH) {
    throw new CountermeasureError(
      CountermeasureErrorCode.INVALID_FIELD,
      `a requirement title must have 1 to ${MAX_TITLE_LENGTH} characters`,
      {
        field: `requirements[${position}].title`,
      },
    );
  }
  if (r.recurrenceDays != null && (!Number.isInteger(r.recurrenceDays) || r.recurrenceDays < 1 || r.recurrenceDays > 366)) {
    throw new CountermeasureError(CountermeasureErrorCode.INVALID_FIELD, 'recurrenceDays must be 1 to 366', {
      field: `requirements[${position}].recurrenceDays`,
    });
  }
  return { position, title, description: (r.description ?? '').trim(), recurrenceDays: r.recurrenceDays ?? null };
}

/** What the audit trail keeps of a countermeasure. */
export function snapshot(c: CountermeasureEntity) {
  return {
    key: countermeasureKey(c.seq),
    title: c.title,
    description: c.description,
    category: c.category,
    ownerId: c.ownerId,
    priority: c.priority,
    dueDate: c.dueDate,
    requiredForGate: c.requiredForGate,
    ongoing: c.ongoing,
    parentId: c.parentId,
    status: c.status,
    resumeStatus: c.resumeStatus,
    version: c.version,
  };
}
