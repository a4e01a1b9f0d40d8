/**
 * Second factors, sessions and step-up: the vocabulary shared by the session
 * store, the TOTP and passkey services, single sign-on and the access guard.
 * Pure: no I/O.
 */

/** How a person proved, beyond the password, that it is them. */
export const SecondFactorMethod = {
  /** A six-digit code from an authenticator app (RFC 6238). */
  TOTP: 'TOTP',
  /** One of the single-use recovery codes shown at enrolment. */
  RECOVERY_CODE: 'RECOVERY_CODE',
  /** A WebAuthn assertion by a registered passkey or security key. */
  PASSKEY: 'PASSKEY',
  /** The identity provider's own multi-factor sign-in, as its ID token's `amr`/`acr` state. */
  SSO: 'SSO',
} as const;
export type SecondFactorMethod = (typeof SecondFactorMethod)[keyof typeof SecondFactorMethod];

/** The kinds of second factor a user enrols (recovery codes come with the first one). */
export const SecondFactorKind = { TOTP: 'TOTP', PASSKEY: 'PASSKEY' } as const;
export type SecondFactorKind = (typeof SecondFactorKind)[keyof typeof SecondFactorKind];

/** How the session was opened. */
export const SignInMethod = { PASSWORD: 'PASSWORD', SSO: 'SSO' } as const;
export type SignInMethod = (typeof SignInMethod)[keyof typeof SignInMethod];

/**
 * What a session may do.
 * - ACTIVE: everything its roles grant.
 * - SECOND_FACTOR_PENDING: signed in with the password by a user who has a second factor: only proving it
 *   (and reading oneself, signing out) until then.
 * - ENROLMENT_PENDING: the user's role requires a second factor and none is enrolled: only enrolling one.
 */
export const SessionState = {
  ACTIVE: 'ACTIVE',
  SECOND_FACTOR_PENDING: 'SECOND_FACTOR_PENDING',
  ENROLMENT_PENDING: 'ENROLMENT_PENDING',
} as const;
export type SessionState = (typeof SessionState)[keyof typeof SessionState];

/**
 * The proof a signer gave: method and time, and for single sign-on the identity
 * provider's `amr` (authentication methods) and `acr` (assurance class) as its
 * ID token stated them. Stored with the session; copied into the records it
 * signs (a sign-off's and a clearance's hashed payload, the trail entries).
 */
export interface SecondFactorProof {
  method: SecondFactorMethod;
  /** When the factor was proved (for SSO: the ID token's auth_time, else the time of the sign-in). */
  at: Date;
  amr?: readonly string[] | null;
  acr?: string | null;
}

/** The proof as it goes into a hashed payload or a trail entry: plain JSON, ISO time, no undefined. */
export interface SecondFactorProofRecord {
  method: SecondFactorMethod;
  at: string;
  amr: string[] | null;
  acr: string | null;
}

export function proofRecord(proof: SecondFactorProof): SecondFactorProofRecord {
  return { method: proof.method, at: proof.at.toISOString(), amr: proof.amr ? [...proof.amr] : null, acr: proof.acr ?? null };
}

/** The state a new session starts in. `proved`: the sign-in itself carried a second factor (SSO with MFA). */
export function initialSessionState(input: { proved: boolean; hasSecondFactor: boolean; secondFactorRequired: boolean }): SessionState {
  if (input.proved) return SessionState.ACTIVE;
  if (input.hasSecondFactor) return SessionState.SECOND_FACTOR_PENDING;
  if (input.secondFactorRequired) return SessionState.ENROLMENT_PENDING;
  return SessionState.ACTIVE;
}

/**
 * Whether the proof is fresh enough for a step-up operation: proved at most
 * `maxAgeSeconds` ago (and not in the future beyond a minute of clock skew).
 */
export function isFreshProof(proof: Pick<SecondFactorProof, 'at'> | null | undefined, now: Date, maxAgeSeconds: number): boolean {
  if (!proof) return false;
  const age = now.getTime() - proof.at.getTime();
  return age <= maxAgeSeconds * 1000 && age >= -60_000;
}

/**
 * The identity provider's `amr` values that show a factor beyond a password (RFC 8176): `mfa` itself, a one-time
 * password, a hardware or software key, biometrics, a smart card, or a code by SMS or telephone. `pwd` alone, or
 * a `pin`, is not one. Or the `acr` is one of those the settings name as multi-factor (OIDC_MFA_ACR_VALUES).
 */
const SECOND_FACTOR_AMR = new Set(['mfa', 'otp', 'hwk', 'swk', 'fpt', 'face', 'iris', 'retina', 'vbm', 'sc', 'sms', 'tel']);

export function amrShowsSecondFactor(
  amr: readonly string[] | null | undefined,
  acr: string | null | undefined,
  mfaAcrValues: readonly string[],
): boolean {
  if (amr?.some((m) => SECOND_FACTOR_AMR.has(m))) return true;
  return !!acr && mfaAcrValues.includes(acr);
}
