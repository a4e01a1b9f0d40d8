import * as fs from 'node:fs';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApp } from '../support/test-app';
import { tcpRelay } from '../support/tcp-relay';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Passkeys with a real browser (issue 16): Chromium's own WebAuthn stack with its virtual authenticator (CTAP2,
 * platform, resident keys, user verification), talking to the server from a page of the server's origin, as a
 * user's browser does: registration in an enrolment session, then a password sign-in waiting for the passkey and
 * completed by its assertion.
 *
 * WebAuthn needs a secure context and a domain as relying party id: the page is http://localhost:<port> (rp id
 * `localhost`). The origin must be in WEBAUTHN_ORIGINS before the server starts, and TestApp listens on a port it
 * learns only then; so the browser talks to the server through a TCP relay on a port taken first (held, never
 * released and re-used, so no other process can take it meanwhile) and named in WEBAUTHN_ORIGINS. The server is
 * unchanged: its settings, its routes, its answers.
 */

/**
 * What the page runs (plain JavaScript, evaluated as text so that no compiled helper leaks in): the ceremony as a
 * page would do it with fetch and navigator.credentials, converting base64url to and from ArrayBuffers.
 */
const CEREMONY = `async ({ token, mode, label }) => {
  const toBuffer = (s) => {
    const b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
    return Uint8Array.from(b, (c) => c.charCodeAt(0)).buffer;
  };
  const toText = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  const gql = async (query, variables) => {
    const res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
      body: JSON.stringify({ query, variables }),
    });
    const body = await res.json();
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const descriptors = (list) => (list || []).map((c) => ({ ...c, id: toBuffer(c.id) }));
  if (mode === 'register') {
    const started = (await gql('mutation($label: String!) { startPasskeyRegistration(label: $label) { challengeId options } }', { label })).startPasskeyRegistration;
    const o = started.options;
    const credential = await navigator.credentials.create({
      publicKey: { ...o, challenge: toBuffer(o.challenge), user: { ...o.user, id: toBuffer(o.user.id) }, excludeCredentials: descriptors(o.excludeCredentials) },
    });
    const response = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: toText(credential.response.clientDataJSON),
        attestationObject: toText(credential.response.attestationObject),
        transports: credential.response.getTransports(),
      },
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
    };
    const finished = (await gql(
      'mutation($challengeId: ID!, $response: JSONObject!) { finishPasskeyRegistration(challengeId: $challengeId, response: $response) { factor { id kind label } recoveryCodes } }',
      { challengeId: started.challengeId, response },
    )).finishPasskeyRegistration;
    return { origin: location.origin, credentialId: credential.id, ...finished };
  }
  const started = (await gql('mutation { startPasskeyVerification { challengeId options } }', {})).startPasskeyVerification;
  const o = started.options;
  const credential = await navigator.credentials.get({
    publicKey: { ...o, challenge: toBuffer(o.challenge), allowCredentials: descriptors(o.allowCredentials) },
  });
  const response = {
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toText(credential.response.clientDataJSON),
      authenticatorData: toText(credential.response.authenticatorData),
      signature: toText(credential.response.signature),
      userHandle: credential.response.userHandle ? toText(credential.response.userHandle) : undefined,
    },
    clientExtensionResults: credential.getClientExtensionResults(),
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
  };
  const proved = (await gql(
    'mutation($challengeId: ID!, $response: JSONObject!) { finishPasskeyVerification(challengeId: $challengeId, response: $response) { id state secondFactorMethod current } }',
    { challengeId: started.challengeId, response },
  )).finishPasskeyVerification;
  return { origin: location.origin, credentialId: credential.id, ...proved };
}`;

describe('passkeys in Chromium with its virtual authenticator', () => {
  let t: TestApp;
  let front: Awaited<ReturnType<typeof tcpRelay>>;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
    front = await tcpRelay();
    t = await TestApp.start(
      { WEBAUTHN_RP_ID: 'localhost', WEBAUTHN_ORIGINS: `http://localhost:${front.port}` },
      { secondFactorPolicy: 'default' },
    );
    front.to(Number(new URL(t.baseUrl).port));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    const context = await browser.newContext();
    page = await context.newPage();
    cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    }));
    // A page of the server's own origin (its health route: no build of the dashboard needed).
    const res = await page.goto(`http://localhost:${front.port}/health`);
    expect(res?.status()).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await front?.close();
  });

  const ceremony = <T>(args: { token: string; mode: 'register' | 'verify'; label?: string }) =>
    page.evaluate<T>(`(${CEREMONY})(${JSON.stringify(args)})`);
  const currentState = async (token: string) =>
    (
      await t.gql<{ currentSession: { state: string; secondFactorMethod: string | null } }>(
        `{ currentSession { state secondFactorMethod } }`,
        {},
        token,
      )
    ).data!.currentSession;
  const stored = async (credentialId: string) =>
    (
      await t.sql<{ counter: string; last_used_at: Date; user_id: string }>(
        `SELECT c.counter, f.last_used_at, f.user_id FROM webauthn_credentials c JOIN user_second_factors f ON f.id = c.factor_id WHERE c.credential_id = $1`,
        [credentialId],
      )
    )[0]!;
  const signCount = async (credentialId: string) => {
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    const match = credentials.find((c) => Buffer.from(c.credentialId, 'base64').toString('base64url') === credentialId);
    if (!match) throw new Error(`the virtual authenticator holds no credential ${credentialId}`);
    return match.signCount;
  };

  it('registers a passkey from the page, then a password sign-in waits for it and its assertion makes the session ACTIVE', async () => {
    const u = await t.createUser(['AUDITOR'], { displayName: '監査 太郎' });
    const enrolling = await u.signIn();
    expect((await currentState(enrolling)).state).toBe('ENROLMENT_PENDING');

    const registered = await ceremony<{
      origin: string;
      credentialId: string;
      factor: { kind: string; label: string };
      recoveryCodes: string[] | null;
    }>({
      token: enrolling,
      mode: 'register',
      label: 'Chromium の仮想認証器',
    });
    expect(registered.origin).toBe(`http://localhost:${front.port}`);
    expect(registered.factor).toMatchObject({ kind: 'PASSKEY', label: 'Chromium の仮想認証器' });
    expect(registered.recoveryCodes).toHaveLength(10);
    expect(await currentState(enrolling)).toEqual({ state: 'ACTIVE', secondFactorMethod: 'PASSKEY' });
    const atRegistration = await stored(registered.credentialId);
    expect(atRegistration.user_id).toBe(u.user.id);
    expect(Number(atRegistration.counter)).toBe(await signCount(registered.credentialId));

    const signingIn = await u.signIn();
    expect((await currentState(signingIn)).state).toBe('SECOND_FACTOR_PENDING');
    const proved = await ceremony<{ credentialId: string; id: string; state: string; secondFactorMethod: string; current: boolean }>({
      token: signingIn,
      mode: 'verify',
    });
    expect(proved).toMatchObject({
      credentialId: registered.credentialId,
      id: TestApp.sessionOf(signingIn),
      state: 'ACTIVE',
      secondFactorMethod: 'PASSKEY',
    });
    expect(await currentState(signingIn)).toEqual({ state: 'ACTIVE', secondFactorMethod: 'PASSKEY' });

    const afterUse = await stored(registered.credentialId);
    expect(Number(afterUse.counter)).toBeGreaterThan(Number(atRegistration.counter));
    expect(Number(afterUse.counter)).toBe(await signCount(registered.credentialId));
    expect(afterUse.last_used_at.getTime()).toBeGreaterThan(atRegistration.last_used_at.getTime());
  });
});
