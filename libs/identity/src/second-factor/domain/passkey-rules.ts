import type { AuthenticationResponseJSON, AuthenticatorTransportFuture, RegistrationResponseJSON } from '@simplewebauthn/server';
import { CommonError, CommonErrorCode } from '@app/common';
import { IdentityError, IdentityErrorCode } from '../../domain/identity.errors';

/**
 * Passkeys (WebAuthn) as a second factor: the rules that need no I/O. The
 * ceremony itself (options, signature checks) is @simplewebauthn/server's;
 * what is decided here is which origins and relying party we accept, what a
 * browser's answer must look like before anything is read or written, and why a
 * challenge is refused.
 */

/** A challenge is answered within this many seconds, once. */
export const PASSKEY_CHALLENGE_SECONDS = 120;

/** What a challenge is for: registering a new passkey, or proving one. */
export const PasskeyChallengePurpose = { REGISTER: 'REGISTER', AUTHENTICATE: 'AUTHENTICATE' } as const;
export type PasskeyChallengePurpose = (typeof PasskeyChallengePurpose)[keyof typeof PasskeyChallengePurpose];

/** The relying party as the settings name it (never as a request's headers claim it). */
export interface RelyingParty {
  id: string;
  name: string;
  origins: string[];
}

/**
 * The relying party from WEBAUTHN_RP_ID, WEBAUTHN_RP_NAME and WEBAUTHN_ORIGINS (comma-separated; empty: the
 * server's own `http://localhost:<PORT>`). Every origin must be exactly scheme://host[:port] (no path, no
 * trailing slash), https or http, and its host the relying party id or a subdomain of it (what a browser requires
 * of the page). A wrong value stops the server at start, naming the setting.
 */
export function relyingParty(settings: { rpId: string; rpName: string; origins: string; port: number }): RelyingParty {
  const id = settings.rpId.trim().toLowerCase();
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(id)) {
    throw new Error(`WEBAUTHN_RP_ID: "${settings.rpId}" is not a host name (no scheme, no port), e.g. tracker.example.co.jp`);
  }
  const listed = settings.origins
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o.length > 0);
  const origins = listed.length > 0 ? listed : [`http://localhost:${settings.port}`];
  for (const origin of origins) {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new Error(`WEBAUTHN_ORIGINS: "${origin}" is not an origin (scheme://host[:port])`);
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== origin) {
      throw new Error(
        `WEBAUTHN_ORIGINS: "${origin}" is not an origin: write it as ${url.protocol}//host[:port], without path or trailing slash`,
      );
    }
    if (url.hostname !== id && !url.hostname.endsWith(`.${id}`)) {
      throw new Error(`WEBAUTHN_ORIGINS: "${origin}" is not on the relying party's domain (WEBAUTHN_RP_ID=${id})`);
    }
  }
  return { id, name: settings.rpName, origins };
}

const TRANSPORTS: readonly AuthenticatorTransportFuture[] = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'];

/** The transports a browser reported for a credential, keeping only the known values (a hint for later requests). */
export function knownTransports(list: unknown): AuthenticatorTransportFuture[] {
  if (!Array.isArray(list)) return [];
  return [...new Set(list.filter((t): t is AuthenticatorTransportFuture => TRANSPORTS.includes(t as AuthenticatorTransportFuture)))];
}

/** A browser's answer, as JSON, larger than this is refused before it is parsed further. */
export const PASSKEY_RESPONSE_MAX_CHARS = 64 * 1024;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Checks the shape of a browser's answer to navigator.credentials.create() (`registration`) or .get()
 * (`authentication`), as the page sends it (PublicKeyCredential.toJSON()): an object with `id` = `rawId`
 * (base64url), `type` "public-key", and the response's base64url fields. Anything else is INVALID_INPUT (field
 * `response`), before a challenge is used or anything written.
 */
export function parsePasskeyResponse(kind: 'registration', input: unknown): RegistrationResponseJSON;
export function parsePasskeyResponse(kind: 'authentication', input: unknown): AuthenticationResponseJSON;
export function parsePasskeyResponse(
  kind: 'registration' | 'authentication',
  input: unknown,
): RegistrationResponseJSON | AuthenticationResponseJSON {
  const refuse = (why: string) =>
    new CommonError(CommonErrorCode.INVALID_INPUT, `The passkey response is not a WebAuthn ${kind} answer: ${why}`, { field: 'response' });
  if (!isRecord(input)) throw refuse('not an object');
  if (JSON.stringify(input).length > PASSKEY_RESPONSE_MAX_CHARS) throw refuse(`larger than ${PASSKEY_RESPONSE_MAX_CHARS} characters`);
  const { id, rawId, type, response } = input;
  if (typeof id !== 'string' || !BASE64URL.test(id) || id.length > 1400) throw refuse('id is not a base64url credential id');
  if (rawId !== id) throw refuse('rawId differs from id');
  if (type !== 'public-key') throw refuse('type is not "public-key"');
  if (!isRecord(response)) throw refuse('response is missing');
  const required = kind === 'registration' ? ['clientDataJSON', 'attestationObject'] : ['clientDataJSON', 'authenticatorData', 'signature'];
  for (const field of required) {
    const value = response[field];
    if (typeof value !== 'string' || !BASE64URL.test(value)) throw refuse(`response.${field} is not base64url`);
  }
  if (response.userHandle !== undefined && response.userHandle !== null && typeof response.userHandle !== 'string') {
    throw refuse('response.userHandle is not a string');
  }
  const extensions = input.clientExtensionResults;
  if (extensions !== undefined && !isRecord(extensions)) throw refuse('clientExtensionResults is not an object');
  const attachment = input.authenticatorAttachment;
  if (attachment !== undefined && attachment !== null && attachment !== 'platform' && attachment !== 'cross-platform') {
    throw refuse('authenticatorAttachment is not platform or cross-platform');
  }
  const clean: Record<string, unknown> = { id, rawId: id, type, response: { ...response }, clientExtensionResults: extensions ?? {} };
  if (typeof attachment === 'string') clean.authenticatorAttachment = attachment;
  if (response.userHandle === null) delete (clean.response as Record<string, unknown>).userHandle;
  if (kind === 'registration') (clean.response as Record<string, unknown>).transports = knownTransports(response.transports);
  return clean as unknown as RegistrationResponseJSON | AuthenticationResponseJSON;
}

/** A challenge row as far as the refusal needs it. */
export interface StoredChallenge {
  userId: string;
  sessionId: string;
  purpose: PasskeyChallengePurpose;
  expiresAt: Date;
  usedAt: Date | null;
}

/**
 * Why a challenge could not be taken (the conditional update matched no row), from the row as it stands (null:
 * none has that id). A challenge of another user, another session or the other purpose is SECOND_FACTOR_NOT_FOUND,
 * like one that does not exist (its existence is not disclosed); a used or expired one of this session is
 * INVALID_SECOND_FACTOR with `challenge`: USED or EXPIRED (start again).
 */
export function challengeRefusal(
  row: StoredChallenge | null,
  asker: { userId: string; sessionId: string; purpose: PasskeyChallengePurpose },
  now: Date,
): IdentityError {
  if (!row || row.userId !== asker.userId || row.sessionId !== asker.sessionId || row.purpose !== asker.purpose) {
    return new IdentityError(
      IdentityErrorCode.SECOND_FACTOR_NOT_FOUND,
      'This passkey challenge does not exist in this session; start again',
    );
  }
  if (row.usedAt) {
    return new IdentityError(IdentityErrorCode.INVALID_SECOND_FACTOR, 'This passkey challenge was already answered; start again', {
      challenge: 'USED',
    });
  }
  if (row.expiresAt.getTime() <= now.getTime()) {
    return new IdentityError(
      IdentityErrorCode.INVALID_SECOND_FACTOR,
      `This passkey challenge expired (it is answered within ${PASSKEY_CHALLENGE_SECONDS / 60} minutes); start again`,
      { challenge: 'EXPIRED' },
    );
  }
  // The row was taken between the update and this read (a concurrent answer): it is used now.
  return new IdentityError(IdentityErrorCode.INVALID_SECOND_FACTOR, 'This passkey challenge was already answered; start again', {
    challenge: 'USED',
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` can name a challenge at all (anything else is not looked up). */
export function isChallengeId(id: unknown): id is string {
  return typeof id === 'string' && UUID.test(id);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
