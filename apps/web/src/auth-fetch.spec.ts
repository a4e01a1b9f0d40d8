import { describe, expect, it } from 'vitest';
import { createAuthFetch, firstError, isCredentialRefusal, isStepUpRequest } from './auth-fetch';
import type { Session } from './session';
import { TokenKeeper } from './token-keeper';

const T0 = Date.parse('2026-12-07T00:00:00.000Z');
const session = (n: number): Session => ({
  id: 's1',
  state: 'ACTIVE',
  token: `access-${n}`,
  expiresAt: new Date(T0 + 15 * 60_000).toISOString(),
  refreshToken: `refresh-${n}`,
  refreshExpiresAt: new Date(T0 + 8 * 3600_000).toISOString(),
  user: { id: 'u1', displayName: 'Audrey', roles: ['AUDITOR'] },
});
const error = (code: string, reason?: string) => JSON.stringify({ data: null, errors: [{ message: code, extensions: { code, reason } }] });
const ok = JSON.stringify({ data: { signOffCountermeasure: { id: 'x' } } });

/** A server that answers each request with the next body, recording the bearer token of each. */
function server(...bodies: string[]) {
  const tokens: string[] = [];
  const fetch = async (_input: RequestInfo | URL, init?: RequestInit) => {
    tokens.push(new Headers(init?.headers).get('authorization') ?? '');
    return new Response(bodies.shift() ?? ok, { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, tokens };
}

function keeperOf(renewals: number[]) {
  return new TokenKeeper(session(1), {
    now: () => T0,
    renew: async () => {
      const n = renewals.length + 2;
      renewals.push(n);
      return { kind: 'renewed', session: session(n) };
    },
    onRenewed: () => undefined,
    onEnded: () => undefined,
  });
}

describe('the signed-in fetch', () => {
  it('tells a refused token from a refused code, password or single sign-on', () => {
    expect(isCredentialRefusal({ code: 'UNAUTHENTICATED', reason: 'INVALID_TOKEN' })).toBe(true);
    expect(isCredentialRefusal({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' })).toBe(true);
    expect(isCredentialRefusal({ code: 'UNAUTHENTICATED' })).toBe(true);
    expect(isCredentialRefusal({ code: 'UNAUTHENTICATED', reason: 'INVALID_SECOND_FACTOR' })).toBe(false);
    expect(isCredentialRefusal({ code: 'UNAUTHENTICATED', reason: 'SSO_REFUSED' })).toBe(false);
    expect(isCredentialRefusal({ code: 'FORBIDDEN' })).toBe(false);
    expect(isStepUpRequest(firstError(error('STEP_UP_REQUIRED', 'STEP_UP_REQUIRED')))).toBe(true);
    expect(firstError(ok)).toBeUndefined();
    expect(firstError('not json "errors"')).toBeUndefined();
  });

  it('sends the bearer token, and a request refused for its token once more with a renewed one', async () => {
    const s = server(error('UNAUTHENTICATED', 'INVALID_TOKEN'));
    const renewals: number[] = [];
    const f = createAuthFetch({ keeper: keeperOf(renewals), fetch: s.fetch, stepUp: async () => true });
    const res = await f('/graphql', { method: 'POST', body: '{}' });
    expect(await res.json()).toEqual(JSON.parse(ok));
    expect(s.tokens).toEqual(['Bearer access-1', 'Bearer access-2']);
    expect(renewals).toEqual([2]);
  });

  it('gives up after one renewal: a token refused twice is the server’s answer', async () => {
    const s = server(error('UNAUTHENTICATED', 'SESSION_REVOKED'), error('UNAUTHENTICATED', 'SESSION_REVOKED'));
    const renewals: number[] = [];
    const f = createAuthFetch({ keeper: keeperOf(renewals), fetch: s.fetch, stepUp: async () => true });
    const res = await f('/graphql', { method: 'POST', body: '{}' });
    expect(firstError(await res.text())).toEqual({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
    expect(s.tokens).toHaveLength(2);
  });

  it('does not renew the token for a wrong second-factor code', async () => {
    const s = server(error('UNAUTHENTICATED', 'INVALID_SECOND_FACTOR'));
    const renewals: number[] = [];
    const f = createAuthFetch({ keeper: keeperOf(renewals), fetch: s.fetch, stepUp: async () => true });
    const res = await f('/graphql', { method: 'POST', body: '{}' });
    expect(firstError(await res.text())?.reason).toBe('INVALID_SECOND_FACTOR');
    expect(s.tokens).toEqual(['Bearer access-1']);
    expect(renewals).toEqual([]);
  });

  it('asks for a step-up on STEP_UP_REQUIRED and sends the operation again once when proved', async () => {
    const s = server(error('STEP_UP_REQUIRED', 'STEP_UP_REQUIRED'), error('STEP_UP_REQUIRED', 'STEP_UP_REQUIRED'));
    let asked = 0;
    const f = createAuthFetch({ keeper: keeperOf([]), fetch: s.fetch, stepUp: async () => (asked++, true) });
    const res = await f('/graphql', { method: 'POST', body: '{"query":"mutation { signOffCountermeasure }"}' });
    // Sent twice, asked once: a second refusal is shown as it is, never a loop.
    expect(asked).toBe(1);
    expect(s.tokens).toHaveLength(2);
    expect(firstError(await res.text())?.code).toBe('STEP_UP_REQUIRED');
  });

  it('leaves the refusal standing when the person cancels the step-up', async () => {
    const s = server(error('STEP_UP_REQUIRED', 'STEP_UP_REQUIRED'));
    const f = createAuthFetch({ keeper: keeperOf([]), fetch: s.fetch, stepUp: async () => false });
    const res = await f('/graphql', { method: 'POST', body: '{}' });
    expect(firstError(await res.text())?.code).toBe('STEP_UP_REQUIRED');
    expect(s.tokens).toHaveLength(1);
  });
});
