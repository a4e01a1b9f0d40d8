import { CommonError, CommonErrorCode } from '@app/common';
import { IdentityError, IdentityErrorCode } from '../../domain/identity.errors';
import { SessionState } from '../../sessions/second-factor';

/** Recovery codes issued at a time (with the first factor, and at each regeneration). */
export const RECOVERY_CODE_COUNT = 10;
export const FACTOR_LABEL_MAX_LENGTH = 100;

/**
 * The user's name for a factor (「業務用 iPhone」, "YubiKey 5"): NFC, trimmed, 1 to 100 characters, no control
 * characters. Refused with INVALID_INPUT (field `label`).
 */
export function normalizeFactorLabel(input: string): string {
  const label = typeof input === 'string' ? input.normalize('NFC').trim() : '';
  const length = [...label].length;
  if (length === 0 || length > FACTOR_LABEL_MAX_LENGTH) {
    throw new CommonError(CommonErrorCode.INVALID_INPUT, `The label must be 1 to ${FACTOR_LABEL_MAX_LENGTH} characters`, {
      field: 'label',
      maxLength: FACTOR_LABEL_MAX_LENGTH,
    });
  }
  if (/\p{Cc}/u.test(label)) {
    throw new CommonError(CommonErrorCode.INVALID_INPUT, 'The label may not hold control characters (line breaks, tabs)', {
      field: 'label',
    });
  }
  return label;
}

/**
 * Whether a factor may be removed: never the last one of a user whose role requires a second factor (they would
 * be asked to enrol again at the next sign-in, and could not sign anything meanwhile). `remaining`: the user's
 * confirmed factors other than this one.
 */
export function assertRemovalAllowed(input: { remaining: number; required: boolean }): void {
  if (input.remaining === 0 && input.required) {
    throw new IdentityError(
      IdentityErrorCode.LAST_SECOND_FACTOR,
      'Your role requires a second factor: enrol another one (an authenticator app or a passkey) before removing this one',
    );
  }
}

/**
 * Whether the session may enrol a factor. A user without a confirmed factor may (that is what an
 * ENROLMENT_PENDING session is for). A user who has one must first prove it in this session, recently: else a
 * password alone (a SECOND_FACTOR_PENDING session), or a stolen access token, would enrol the intruder's own
 * authenticator and pass for the user from then on.
 */
export function assertMayEnrol(input: { state: SessionState; hasFactor: boolean; proofFresh: boolean; maxAgeSeconds: number }): void {
  if (!input.hasFactor) return;
  if (input.state !== SessionState.ACTIVE) {
    throw new IdentityError(IdentityErrorCode.SECOND_FACTOR_REQUIRED, 'Prove your second factor first, then enrol another one', {
      next: 'VERIFY',
    });
  }
  if (!input.proofFresh) {
    throw new IdentityError(
      IdentityErrorCode.STEP_UP_REQUIRED,
      `Adding a second factor needs your current one proved in the last ${Math.round(input.maxAgeSeconds / 60)} minutes: verify it, then try again`,
      { maxAgeSeconds: input.maxAgeSeconds },
    );
  }
}
