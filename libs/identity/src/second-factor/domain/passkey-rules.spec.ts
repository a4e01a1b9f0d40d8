import { describe, expect, it } from 'vitest';
import { CommonError } from '@app/common';
import { IdentityError } from '../../domain/identity.errors';
import {
  challengeRefusal,
  isChallengeId,
  knownTransports,
  parsePasskeyResponse,
  PASSKEY_RESPONSE_MAX_CHARS,
  relyingParty,
  type StoredChallenge,
} from './passkey-rules';

const settings = { rpId: 'localhost', rpName: '再発防止策トラッカー', origins: '', port: 3000 };

describe('the relying party from the settings', () => {
  it('is the server’s own http://localhost:<PORT> when no origin is listed', () => {
    expect(relyingParty(settings)).toEqual({ id: 'localhost', name: '再発防止策トラッカー', origins: ['http://localhost:3000'] });
  });

  it('takes the listed origins, trimmed, on the relying party’s domain or a subdomain of it', () => {
    const rp = relyingParty({
      ...settings,
      rpId: 'Tracker.Example.co.jp',
      origins: ' https://tracker.example.co.jp , https://a.tracker.example.co.jp:8443,',
    });
    expect(rp.id).toBe('tracker.example.co.jp');
    expect(rp.origins).toEqual(['https://tracker.example.co.jp', 'https://a.tracker.example.co.jp:8443']);
  });

  it.each([
    ['https://tracker.example.co.jp/', 'trailing slash'],
    ['https://tracker.example.co.jp/login', 'path'],
    ['tracker.example.co.jp', 'no scheme'],
    ['ftp://tracker.example.co.jp', 'other scheme'],
    ['https://evil-tracker.example.co.jp.attacker.test', 'other domain'],
    ['https://example.co.jp', 'parent domain'],
  ])('refuses %s (%s), naming the setting', (origin) => {
    expect(() => relyingParty({ ...settings, rpId: 'tracker.example.co.jp', origins: origin })).toThrow(/^WEBAUTHN_ORIGINS: /);
  });

  it.each(['https://tracker.example.co.jp', 'tracker.example.co.jp:443', ''])('refuses the relying party id %j', (rpId) => {
    expect(() => relyingParty({ ...settings, rpId })).toThrow(/^WEBAUTHN_RP_ID: /);
  });
});

describe('transports a browser reports', () => {
  it('keeps the known ones once each, drops the rest', () => {
    expect(knownTransports(['internal', 'usb', 'carrier-pigeon', 'usb', 3])).toEqual(['internal', 'usb']);
    expect(knownTransports('usb')).toEqual([]);
  });
});

const registration = () => ({
  id: 'AAEC',
  rawId: 'AAEC',
  type: 'public-key',
  response: { clientDataJSON: 'eyJ9', attestationObject: 'o2Nm', transports: ['internal', 'bogus'] },
  clientExtensionResults: {},
  authenticatorAttachment: 'platform',
});

const authentication = () => ({
  id: 'AAEC',
  rawId: 'AAEC',
  type: 'public-key',
  response: { clientDataJSON: 'eyJ9', authenticatorData: 'SZYN', signature: 'MEUC', userHandle: null },
});

describe('the shape of a browser’s answer', () => {
  it('accepts a registration answer, keeping only known transports', () => {
    const r = parsePasskeyResponse('registration', registration());
    expect(r.id).toBe('AAEC');
    expect(r.response.transports).toEqual(['internal']);
    expect(r.authenticatorAttachment).toBe('platform');
  });

  it('accepts an authentication answer without extension results, dropping a null userHandle', () => {
    const r = parsePasskeyResponse('authentication', authentication());
    expect(r.clientExtensionResults).toEqual({});
    expect('userHandle' in r.response).toBe(false);
  });

  const broken: [string, 'registration' | 'authentication', unknown][] = [
    ['a string', 'registration', 'eyJ9'],
    ['an array', 'registration', [registration()]],
    ['id not base64url', 'registration', { ...registration(), id: 'AA+C', rawId: 'AA+C' }],
    ['rawId differing from id', 'registration', { ...registration(), rawId: 'AAED' }],
    ['another type', 'registration', { ...registration(), type: 'password' }],
    ['no attestation object', 'registration', { ...registration(), response: { clientDataJSON: 'eyJ9' } }],
    ['an authentication answer for a registration', 'registration', authentication()],
    ['no signature', 'authentication', { ...authentication(), response: { clientDataJSON: 'eyJ9', authenticatorData: 'SZYN' } }],
    ['a numeric user handle', 'authentication', { ...authentication(), response: { ...authentication().response, userHandle: 7 } }],
    ['extension results not an object', 'authentication', { ...authentication(), clientExtensionResults: [] }],
    ['an unknown attachment', 'registration', { ...registration(), authenticatorAttachment: 'nearby' }],
    ['a huge answer', 'registration', { ...registration(), clientExtensionResults: { pad: 'x'.repeat(PASSKEY_RESPONSE_MAX_CHARS) } }],
  ];
  it.each(broken)('refuses %s with INVALID_INPUT on `response`', (_what, kind, input) => {
    const attempt = () => (kind === 'registration' ? parsePasskeyResponse(kind, input) : parsePasskeyResponse(kind, input));
    expect(attempt).toThrow(CommonError);
    try {
      attempt();
    } catch (err) {
      expect((err as CommonError).code).toBe('INVALID_INPUT');
      expect((err as CommonError).details).toEqual({ field: 'response' });
    }
  });
});

describe('why a challenge is refused', () => {
  const now = new Date('2026-12-07T06:00:00.000Z');
  const asker = { userId: 'u1', sessionId: 's1', purpose: 'AUTHENTICATE' as const };
  const row = (over: Partial<StoredChallenge> = {}): StoredChallenge => ({
    userId: 'u1',
    sessionId: 's1',
    purpose: 'AUTHENTICATE',
    expiresAt: new Date(now.getTime() + 60_000),
    usedAt: null,
    ...over,
  });
  const refusal = (r: StoredChallenge | null) => {
    const err = challengeRefusal(r, asker, now);
    expect(err).toBeInstanceOf(IdentityError);
    return { code: err.code, details: err.details };
  };

  it('does not disclose a challenge of another user, another session or the other purpose', () => {
    for (const r of [null, row({ userId: 'u2' }), row({ sessionId: 's2' }), row({ purpose: 'REGISTER' })]) {
      expect(refusal(r).code).toBe('SECOND_FACTOR_NOT_FOUND');
    }
  });

  it('says a used challenge of this session was used, even if it has expired since', () => {
    expect(refusal(row({ usedAt: now, expiresAt: new Date(now.getTime() - 1) }))).toEqual({
      code: 'INVALID_SECOND_FACTOR',
      details: { challenge: 'USED' },
    });
  });

  it('says an unused challenge expired at its expiry to the millisecond', () => {
    expect(refusal(row({ expiresAt: now }))).toEqual({ code: 'INVALID_SECOND_FACTOR', details: { challenge: 'EXPIRED' } });
    expect(refusal(row({ expiresAt: new Date(now.getTime() + 1) }))).toEqual({
      code: 'INVALID_SECOND_FACTOR',
      details: { challenge: 'USED' },
    });
  });
});

describe('challenge ids', () => {
  it('are UUIDs; anything else is never looked up', () => {
    expect(isChallengeId('0f8fad5b-d9cb-469f-a165-70867728950e')).toBe(true);
    expect(isChallengeId('0f8fad5b-d9cb-469f-a165-70867728950')).toBe(false);
    expect(isChallengeId("' OR 1=1 --")).toBe(false);
    expect(isChallengeId(42)).toBe(false);
  });
});
