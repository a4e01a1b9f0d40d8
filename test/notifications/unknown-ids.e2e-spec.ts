import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, TestApp } from '../support/test-app';

/**
 * A request naming thousands of unknown ids gets a small error: the ids it
 * names are capped (the first 20, and how many there were), the message names
 * a few. Otherwise one request could make the server build, and every log and
 * proxy carry, an answer as large as the request.
 */
describe('an error about 2,000 unknown ids stays small', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await TestApp.start();
    token = await (await t.createUser(['TASK_FORCE'])).token();
  });
  afterAll(async () => t?.close());

  it('markNotificationsRead with 2,000 unknown ids: NOT_FOUND, 20 ids listed, idsCount 2000, a short message', async () => {
    const unknown = Array.from({ length: 2000 }, () => randomUUID());
    const res = await fetch(`${t.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: `mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) { marked } }`, variables: { ids: unknown } }),
    });
    const text = await res.text();
    const body = JSON.parse(text) as Parameters<typeof errorCode>[0];
    expect(errorCode(body)).toBe('NOT_FOUND');
    const ext = body.errors![0]!.extensions!;
    expect(ext).toMatchObject({ reason: 'NOTIFICATION_NOT_FOUND', idsCount: 2000, truncated: true });
    expect(ext['ids']).toEqual(unknown.slice(0, 20));
    expect(body.errors![0]!.message).toMatch(/ and 1,995 more in your inbox$/);
    // 2,000 UUIDs alone would be ~78 KB.
    expect(text.length).toBeLessThan(4000);
  });
});
