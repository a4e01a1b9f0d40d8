import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '@app/common';
import { ApiKeysService } from '@app/identity';
import { PromotionGateService } from '@app/promotion-gate';
import { makeIncident } from '../support/remediation-factory';
import { TestApp } from '../support/test-app';

/**
 * `GET /gates/:key`: the promotion systems' check as plain JSON, with a user's
 * access token or an API key; never cached; unknown gate 404; no credential 401.
 */
const GATE_KEY = 'new-customer-promotion';

describe('GET /gates/:key', () => {
  let t: TestApp;
  let apiKey: string;
  let userToken: string;

  beforeAll(async () => {
    t = await TestApp.start();
    const { incident } = await makeIncident(t);
    await t.app.get(PromotionGateService).create(Actor.system('test'), {
      incidentId: incident.id,
      key: GATE_KEY,
      name: '新規顧客向け販促',
      reason: '監査完了まで停止',
    });
    apiKey = (await t.app.get(ApiKeysService).create(Actor.system('test'), { name: '販促配信システム' })).secret;
    userToken = await (await t.createUser(['AUDITOR'])).token();
  });
  afterAll(async () => t?.close());

  const get = (path: string, credential?: string) =>
    fetch(`${t.baseUrl}${path}`, { headers: credential ? { authorization: `Bearer ${credential}` } : {} });

  it('answers an API key with { key, state, canPromote, since, blockers: [{ kind, itemKey, message }] }, not cached', async () => {
    const res = await get(`/gates/${GATE_KEY}`, apiKey);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    const expected = await t.app.get(PromotionGateService).canPromote(GATE_KEY);
    expect(body).toEqual({
      key: GATE_KEY,
      state: 'SUSPENDED',
      canPromote: false,
      since: expected.since.toISOString(),
      blockers: expected.blockers.map((b) => ({ kind: b.kind, itemKey: b.itemKey, message: b.message })),
    });
    expect(Object.keys(body).sort()).toEqual(['blockers', 'canPromote', 'key', 'since', 'state']);
    for (const b of body.blockers as Record<string, unknown>[]) expect(Object.keys(b).sort()).toEqual(['itemKey', 'kind', 'message']);
  });

  it('gives a signed-in user the same answer as the GraphQL canPromote query', async () => {
    const res = await get(`/gates/${GATE_KEY.toUpperCase()}`, userToken);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { key: string; state: string; canPromote: boolean; since: string };
    const gql = await t.gql<{ canPromote: typeof body }>(
      `query($g: String!) { canPromote(gate: $g) { key state canPromote since } }`,
      { g: GATE_KEY },
      apiKey,
    );
    expect({ key: body.key, state: body.state, canPromote: body.canPromote, since: body.since }).toEqual(gql.data!.canPromote);
  });

  it('answers an unknown gate with 404 { error: { code: NOT_FOUND } }, also not cached', async () => {
    const res = await get('/gates/no-such-gate', apiKey);
    expect(res.status).toBe(404);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { error: { code: string; reason: string; message: string } };
    expect(body.error).toMatchObject({ code: 'NOT_FOUND', reason: 'GATE_NOT_FOUND' });
    expect(body.error.message).toMatch(/no-such-gate/);
  });

  it('refuses no credential, a garbage token and an unknown key with 401 UNAUTHENTICATED, saying nothing of the gate', async () => {
    for (const credential of [undefined, 'garbage', `rtk_000000000000_${'A'.repeat(43)}`]) {
      const res = await get(`/gates/${GATE_KEY}`, credential);
      expect({ credential, status: res.status }).toEqual({ credential, status: 401 });
      const body = (await res.json()) as { error: { code: string }; key?: unknown };
      expect(body.error.code).toBe('UNAUTHENTICATED');
      expect(JSON.stringify(body)).not.toContain('SUSPENDED');
    }
  });

  it('reads the key only from Authorization: a key in the query string or another header is not accepted', async () => {
    expect((await fetch(`${t.baseUrl}/gates/${GATE_KEY}?access_token=${apiKey}`)).status).toBe(401);
    expect((await fetch(`${t.baseUrl}/gates/${GATE_KEY}`, { headers: { 'x-api-key': apiKey } })).status).toBe(401);
  });
});
