import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApp, type GqlResponse } from '../support/test-app';
import { TcpProxy } from '../support/tcp-proxy';

/**
 * A database outage is not a sign-out (issue 11, point 8). The app reaches
 * PostgreSQL through a TCP proxy that the test takes down (every connection
 * dropped, new ones refused: what a stopped server looks like) and brings back.
 */
describe('while the database is away', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  let token: string;
  let apiKey: string;

  beforeAll(async () => {
    const first = await TestApp.start();
    await first.close();
    proxy = await TcpProxy.start(first.databaseUrl);
    t = await TestApp.start({ DATABASE_URL: proxy.urlFor(first.databaseUrl) }, { restartOf: first });
    const admin = await (await t.createUser(['ADMIN'])).token();
    const created = await t.gql<{ createApiKey: { secret: string } }>(
      `mutation { createApiKey(input: { name: "販促システム" }) { secret } }`,
      {},
      admin,
    );
    apiKey = created.data!.createApiKey.secret;
    token = await (await t.createUser(['EXECUTIVE'])).token();
  });
  afterAll(async () => {
    await proxy?.up().catch(() => undefined);
    await t?.close();
    await proxy?.down();
  });

  it('answers SERVICE_UNAVAILABLE (never UNAUTHENTICATED), 503 on routes and /health, and recovers by itself with the same token', async () => {
    const me = (): Promise<GqlResponse<{ me: { id: string } }>> => t.gql(`{ me { id roles } }`, {}, token);
    expect((await me()).data?.me.id).toBeDefined();

    await proxy.down();

    const during = await me();
    expect(during.data?.me).toBeFalsy();
    expect(during.errors![0]!.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'DATABASE_UNAVAILABLE' });

    const byKey = await t.gql(`{ gates(incidentId: "00000000-0000-4000-8000-000000000000") { key } }`, {}, apiKey);
    expect(byKey.errors![0]!.extensions!.code).toBe('SERVICE_UNAVAILABLE');

    const health = await fetch(`${t.baseUrl}/health`);
    expect(health.status).toBe(503);

    const route = await fetch(`${t.baseUrl}/gates/PROMO-NEW`, { headers: { authorization: `Bearer ${token}` } });
    expect(route.status).toBe(503);
    expect(((await route.json()) as { error: { code: string } }).error.code).toBe('SERVICE_UNAVAILABLE');

    const login = await t.gql(`mutation { login(input: { email: "nobody@example.test", password: "x" }) { accessToken } }`);
    expect(login.errors![0]!.extensions!.code).not.toBe('UNAUTHENTICATED');

    await proxy.up();

    // The pool reconnects on the next request: no restart, no new sign-in.
    let after: GqlResponse<{ me: { id: string } }> | undefined;
    for (let i = 0; i < 50 && !after?.data?.me; i++) after = await me();
    expect(after?.data?.me.id).toBe((await me()).data!.me.id);
    expect((await fetch(`${t.baseUrl}/health`)).status).toBe(200);
  });
});
