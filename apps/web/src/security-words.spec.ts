import { describe, expect, it } from 'vitest';
import { LANGS } from './i18n';
import { deviceLabel, factorKindLabel, normalizeCode, readSsoFragment, securityMessages, securityTranslator } from './security-words';
import { StepUpBroker } from './step-up';
import { base64urlToBytes, bytesToBase64url, credentialToJSON, creationOptionsFromJSON } from './webauthn';
import { loadSession, saveSession, sessionFromLogin } from './session';

describe('the security words', () => {
  it('says every message in both languages, with the same placeholders', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const [ja, en] = LANGS.map((l) => securityMessages(l));
    expect(Object.keys(en!).sort()).toEqual(Object.keys(ja!).sort());
    for (const key of Object.keys(ja!) as (keyof typeof ja)[]) expect(placeholders(en![key]), key).toEqual(placeholders(ja![key]));
    expect(factorKindLabel(securityTranslator('ja'), 'TOTP')).toBe('認証アプリ');
    expect(factorKindLabel(securityTranslator('en'), 'SOMETHING_NEW')).toBe('SOMETHING_NEW');
  });

  it('reads a code as the server does: app codes without spaces, recovery codes trimmed in lower case', () => {
    expect(normalizeCode(' 123 456 ')).toBe('123456');
    expect(normalizeCode('123-456')).toBe('123456');
    expect(normalizeCode(' ABCD-efgh-1234-5678 ')).toBe('abcd-efgh-1234-5678');
  });

  it('reads the single sign-on hand-off from the address, and nothing else', () => {
    expect(readSsoFragment('#sso=abc%2Fdef')).toEqual({ code: 'abc/def' });
    expect(readSsoFragment('#sso-error=SSO_REFUSED&reason=UNMAPPED_GROUP')).toEqual({ error: 'UNMAPPED_GROUP' });
    expect(readSsoFragment('#sso-error=SSO_REFUSED')).toEqual({ error: 'SSO_REFUSED' });
    expect(readSsoFragment('#duties')).toBeNull();
    expect(readSsoFragment('')).toBeNull();
  });

  it('names a device by its browser and system', () => {
    expect(
      deviceLabel('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36'),
    ).toBe('Chrome 131 · Linux');
    expect(
      deviceLabel(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      ),
    ).toBe('Safari 17 · iOS');
    expect(deviceLabel('curl/8.5.0')).toBe('curl/8.5.0');
    expect(deviceLabel(null)).toBeNull();
  });
});

describe('the stored session', () => {
  const store = () => {
    const m = new Map<string, string>();
    return {
      getItem: (k: string) => m.get(k) ?? null,
      setItem: (k: string, v: string) => void m.set(k, v),
      removeItem: (k: string) => void m.delete(k),
      get length() {
        return m.size;
      },
    } as unknown as Storage;
  };
  const answer = {
    accessToken: 'a',
    expiresAt: '2026-12-07T00:15:00.000Z',
    refreshToken: 'r',
    refreshExpiresAt: '2026-12-07T08:00:00.000Z',
    session: { id: 's1', state: 'ENROLMENT_PENDING' },
    user: { id: 'u1', displayName: 'Audrey', roles: ['AUDITOR' as const] },
  };

  it('is kept across a reload while its refresh token can renew it, even after the access token expired', () => {
    const s = store();
    saveSession(sessionFromLogin(answer), s);
    expect(loadSession(s, Date.parse('2026-12-07T01:00:00.000Z'))).toMatchObject({
      id: 's1',
      state: 'ENROLMENT_PENDING',
      refreshToken: 'r',
    });
    expect(loadSession(s, Date.parse('2026-12-07T08:00:00.000Z'))).toBeNull();
    expect(s.length).toBe(0);
  });

  it('drops a session stored by an earlier page (no refresh token), and treats an unknown state as a factor to prove', () => {
    const s = store();
    s.setItem('rt.session', JSON.stringify({ token: 'a', expiresAt: '2099-01-01T00:00:00.000Z', user: answer.user }));
    expect(loadSession(s, Date.parse('2026-12-07T00:00:00.000Z'))).toBeNull();
    expect(sessionFromLogin({ ...answer, session: { id: 's2', state: 'SOMETHING_NEW' } }).state).toBe('SECOND_FACTOR_PENDING');
  });
});

describe('the step-up request', () => {
  it('opens one dialog for operations refused together, and answers them all', async () => {
    const broker = new StepUpBroker();
    const seen: boolean[] = [];
    broker.subscribe((open) => seen.push(open));
    const a = broker.request();
    const b = broker.request();
    expect(broker.isOpen).toBe(true);
    broker.settle(true);
    expect(await Promise.all([a, b])).toEqual([true, true]);
    expect(seen).toEqual([true, false]);
    const c = broker.request();
    broker.settle(false);
    expect(await c).toBe(false);
  });
});

describe('passkeys in the browser', () => {
  it('converts base64url both ways, without padding', () => {
    const bytes = new Uint8Array([0, 255, 250, 1, 2, 62, 63]);
    const text = bytesToBase64url(bytes);
    expect(text).not.toMatch(/[+/=]/);
    expect([...base64urlToBytes(text)]).toEqual([...bytes]);
    expect(bytesToBase64url(new TextEncoder().encode('パスキー'))).toBe(Buffer.from('パスキー').toString('base64url'));
  });

  it('gives navigator.credentials the binary fields as bytes, and the answer back as JSON', () => {
    const options = creationOptionsFromJSON({
      challenge: 'AAEC',
      rp: { name: 'tracker', id: 'localhost' },
      user: { id: 'dXNlcg', name: 'a@example.jp', displayName: 'A' },
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
      excludeCredentials: [{ id: 'AQI', type: 'public-key', transports: ['internal'] }],
    });
    expect([...new Uint8Array(options.challenge as ArrayBuffer)]).toEqual([0, 1, 2]);
    expect(new TextDecoder().decode(options.user.id as Uint8Array)).toBe('user');
    expect([...(options.excludeCredentials![0]!.id as Uint8Array)]).toEqual([1, 2]);
    expect(options.rp).toEqual({ name: 'tracker', id: 'localhost' });
    const json = credentialToJSON({
      id: 'AQI',
      rawId: new Uint8Array([1, 2]).buffer,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: new TextEncoder().encode('{}').buffer as ArrayBuffer,
        authenticatorData: new Uint8Array([9]).buffer,
        signature: new Uint8Array([7]).buffer,
        userHandle: null,
      },
      getClientExtensionResults: () => ({}),
    });
    expect(json).toEqual({
      id: 'AQI',
      rawId: 'AQI',
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: { clientDataJSON: 'e30', authenticatorData: 'CQ', signature: 'Bw' },
    });
  });
});
