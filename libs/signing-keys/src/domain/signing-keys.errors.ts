import { DomainError } from '@app/common';

export const SigningKeyErrorCode = {
  /** The key comes from a *_SIGNING_KEY_FILE setting: rotating it is the operator's (a new file, then a restart). */
  KEY_FROM_SETTING: 'KEY_FROM_SETTING',
  /** This process's key was retired since it started (another instance began with a new key): it signs nothing more. */
  KEY_RETIRED: 'KEY_RETIRED',
} as const;
export type SigningKeyErrorCode = (typeof SigningKeyErrorCode)[keyof typeof SigningKeyErrorCode];

export class SigningKeyError extends DomainError<SigningKeyErrorCode> {
  readonly context = 'signing-keys';
}
