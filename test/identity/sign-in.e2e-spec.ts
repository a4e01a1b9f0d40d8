import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApp } from '../support/test-app';

describe('sign-in', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => t?.close());

  it('a user signs in with e-mail and password and reads `me`, Japanese name intact', async () => {
    const { user, password } = await t.createUser(['TASK_FORCE'], { displayName: '鈴木 花子', displayNameKana: 'すずき はなこ' });
    const login = await t.gql<{ login: { accessToken: string; tokenType: string; expiresAt: string; user: { email: string } } }>(
      `mutation($input: LoginInput!) { login(input: $input) { accessToken tokenType expiresAt user { email } } }`,
      { input: { email: user.email.toUpperCase(), password } },
    );
    expect(login.errors).toBeUndefined();
    expect(login.data!.login.tokenType).toBe('Bearer');
    expect(login.data!.login.user.email).toBe(user.email);
    const expiresIn = Date.parse(login.data!.login.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(3500_000);
    expect(expiresIn).toBeLessThanOrEqual(3600_000);

    const me = await t.gql<{ me: { id: string; displayName: string; displayNameKana: string; roles: string[] } }>(
      `{ me { id displayName displayNameKana roles } }`,
      {},
      login.data!.login.accessToken,
    );
    expect(me.data!.me).toEqual({ id: user.id, displayName: '鈴木 花子', displayNameKana: 'すずき はなこ', roles: ['TASK_FORCE'] });
  });
});
