import { isCalendarDay } from '@app/common';
import { countermeasureKey, CountermeasureStatus, isSignedOff, type CountermeasureEntity } from '@app/countermeasures';
import type { EvidenceEntity } from '../evidence.entities';
import { EvidenceError, EvidenceErrorCode } from './evidence.errors';
import { MAX_EVIDENCE_NAME_LENGTH, MAX_URL_LENGTH } from './evidence-fields';

/**
 * The checks of evidence input and state that the evidence service asks
 * (pure: no I/O). Unit-tested in evidence-input.spec.ts.
 */

/** Statuses whose sign-off stands: a change to the evidence under them reopens the work. */
export const SIGNED_STATUSES: ReadonlySet<CountermeasureStatus> = new Set([
  CountermeasureStatus.VERIFIED,
  CountermeasureStatus.OPERATING,
  CountermeasureStatus.DEGRADED,
]);

/**
 * Signed-off work that is BLOCKED (from DEGRADED) cannot be reopened while
 * blocked; a change to the evidence its sign-off rests on waits for the unblock.
 */
export function assertNotBlockedSignedWork(cm: CountermeasureEntity, what: string): void {
  if (cm.status === CountermeasureStatus.BLOCKED && isSignedOff(cm)) {
    throw new EvidenceError(
      EvidenceErrorCode.COUNTERMEASURE_BLOCKED,
      `${countermeasureKey(cm.seq)} is BLOCKED and signed off: unblock it before evidence is ${what}`,
      {
        status: cm.status,
        resumeStatus: cm.resumeStatus,
      },
    );
  }
}

export function invalid(field: string, message: string): EvidenceError {
  return new EvidenceError(EvidenceErrorCode.INVALID_FIELD, message, { field });
}

export function checkName(name: string, field: string): string {
  // Control characters (\p{Cc}: U+0000-001F, U+007F-009F, as for an uploaded file's name) are dropped:
  // a name is display text, never a path or markup.
  const clean = name.replace(/\p{Cc}/gu, '').trim();
  if (!clean || [...clean].length > MAX_EVIDENCE_NAME_LENGTH)
    throw invalid(field, `${field} must have 1 to ${MAX_EVIDENCE_NAME_LENGTH} characters`);
  return clean;
}

export function checkUrl(raw: string): string {
  const text = raw.trim();
  const url = URL.canParse(text) ? new URL(text) : null;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || text.length > MAX_URL_LENGTH) {
    throw invalid('url', `A link must be an http(s) URL of at most ${MAX_URL_LENGTH} characters`);
  }
  return url.toString();
}

export function assertLive(e: EvidenceEntity, what: string): void {
  if (e.status !== 'SUBMITTED') {
    throw new EvidenceError(EvidenceErrorCode.EVIDENCE_NOT_LIVE, `Evidence "${e.name}" is ${e.status} and can no longer be ${what}`, {
      id: e.id,
      status: e.status,
      supersededById: e.supersededById,
    });
  }
}

export function assertOpenForEvidence(cm: CountermeasureEntity): void {
  if (cm.status === CountermeasureStatus.CANCELLED) {
    throw new EvidenceError(EvidenceErrorCode.COUNTERMEASURE_CLOSED, `${countermeasureKey(cm.seq)} is CANCELLED and takes no evidence`, {
      status: cm.status,
    });
  }
}

export function evidenceSnapshot(e: EvidenceEntity, key: string, requirementTitle: string) {
  return {
    countermeasure: key,
    requirement: requirementTitle,
    requirementId: e.requirementId,
    targetId: e.targetId,
    kind: e.kind,
    name: e.name,
    mediaType: e.mediaType,
    sizeBytes: e.sizeBytes,
    sha256: e.sha256,
    url: e.url,
    effectiveOn: e.effectiveOn,
    versionNo: e.versionNo,
    supersedesId: e.supersedesId,
  };
}

/** The day evidence speaks for: a real calendar day (YYYY-MM-DD), not after `today` (Asia/Tokyo). */
export function checkEffectiveOn(day: string, today: string): string {
  if (!isCalendarDay(day)) throw invalid('effectiveOn', `effectiveOn must be a real calendar day (YYYY-MM-DD); got "${day}"`);
  if (day > today) throw invalid('effectiveOn', `Evidence cannot be effective in the future (${day} is after ${today})`);
  return day;
}
