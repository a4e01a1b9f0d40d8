import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApp } from '../support/test-app';

describe('query limits on the server', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await TestApp.start();
    token = await (await t.createUser(['AUDITOR'])).token();
  });
  afterAll(async () => t?.close());

  it('refuses an operation with more than 30 aliases before running it', async () => {
    const many = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: me { email }`).join(' ')} }`;
    expect((await t.gql(many(30), {}, token)).errors).toBeUndefined();
    const refused = await t.gql(many(31), {}, token);
    expect(refused.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(refused.errors![0]!.message).toContain('31 aliases');
    expect(refused.data).toBeUndefined();
  });

  it('refuses a GET or simple-form POST without a preflight header (CSRF prevention stays on)', async () => {
    const res = await fetch(`${t.baseUrl}/graphql?query=${encodeURIComponent('{ me { email } }')}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/CSRF|preflight/i);
  });
});
