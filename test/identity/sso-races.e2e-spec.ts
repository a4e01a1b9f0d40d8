import { beforeAll, describe, expect, it, vi } from 'vitest';
import { UsersService } from '@app/identity';
import type { TestIdentityProvider } from '../support/oidc-provider';
import { person, ssoBrowser, useSsoApp } from '../support/sso-browser';
import { TestApp } from '../support/test-app';

/**
 * Two first sign-ins of one person at the same moment (two browsers, a double click on the provider's page) both
 * succeed, and the person is linked (or created) once. The interleaving that loses is made to happen every time,
 * without a sleep: the first sign-in waits in its e-mail lookup until the second has reached its own (so the second
 * looked for a link before the first made one); the second's lookup then answers only once the first's link is
 * committed. The second thus finds, after its first reads, what the first committed.
 */
function interleaveEmailLookups(t: TestApp, subject: string): void {
  vi.restoreAllMocks();
  const real = UsersService.prototype.findByEmail;
  let calls = 0;
  let secondArrived!: () => void;
  const arrived = new Promise<void>((resolve) => (secondArrived = resolve));
  vi.spyOn(UsersService.prototype, 'findByEmail').mockImplementation(async function (this: UsersService, email: string) {
    const n = ++calls;
    if (n === 1) {
      await arrived;
      return real.call(this, email);
    }
    if (n !== 2) return real.call(this, email);
    secondArrived();
    const found = await real.call(this, email);
    await vi.waitFor(
      async () => {
        const [row] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM sso_identities WHERE subject = $1`, [subject]);
        if (row!.n === 0) throw new Error('the first sign-in has not linked the person yet');
      },
      { timeout: 20_000, interval: 20 },
    );
    return found;
  });
}

const links = (t: TestApp, userId: string) => t.sql(`SELECT count(*)::int AS n FROM sso_identities WHERE user_id = $1`, [userId]);
const trailOf = (t: TestApp, userId: string) =>
  t.sql(
    `SELECT action, count(*)::int AS n FROM audit_trail WHERE entity_id = $1 AND action LIKE ANY ($2) GROUP BY action ORDER BY action`,
    [userId, ['auth.sso-%', 'user.created']],
  );

describe('two first sign-ins of one person at the same moment, accounts made by an admin', () => {
  let t: TestApp;
  let idp: TestIdentityProvider;
  const app = useSsoApp();
  beforeAll(() => ({ t, idp } = app));

  it('both get a hand-off code, the account is linked once', async () => {
    const { user } = await t.createUser(['TASK_FORCE']);
    const idpPerson = person({ email: user.email, groups: ['tracker-task-force'] });
    idp.addAccount(idpPerson);
    const browser = ssoBrowser(t, idp);
    const answers = [await browser.authorize({ sub: idpPerson.sub }), await browser.authorize({ sub: idpPerson.sub })];
    interleaveEmailLookups(t, idpPerson.sub);

    const back = await Promise.all(answers.map((a) => browser.deliver(a)));
    for (const b of back) expect(b.location).toMatch(/^\/#sso=[A-Za-z0-9_-]{43}$/);
    expect(await links(t, user.id)).toEqual([{ n: 1 }]);
    expect(await trailOf(t, user.id)).toEqual([
      { action: 'auth.sso-linked', n: 1 },
      { action: 'user.created', n: 1 },
    ]);
  });
});

describe('two first sign-ins of one new person at the same moment (OIDC_CREATE_USERS=true)', () => {
  let t: TestApp;
  let idp: TestIdentityProvider;
  const app = useSsoApp({ OIDC_CREATE_USERS: 'true' });
  beforeAll(() => ({ t, idp } = app));

  it('both get a hand-off code for one account, created and linked once', async () => {
    const newcomer = person({ name: '佐藤 花子', groups: ['tracker-task-force'] });
    idp.addAccount(newcomer);
    const browser = ssoBrowser(t, idp);
    const answers = [await browser.authorize({ sub: newcomer.sub }), await browser.authorize({ sub: newcomer.sub })];
    interleaveEmailLookups(t, newcomer.sub);

    const back = await Promise.all(answers.map((a) => browser.deliver(a)));
    for (const b of back) expect(b.location).toMatch(/^\/#sso=[A-Za-z0-9_-]{43}$/);
    const users = await t.sql<{ id: string; display_name: string }>(`SELECT id, display_name FROM users WHERE email = $1`, [
      newcomer.email,
    ]);
    expect(users).toEqual([{ id: expect.any(String), display_name: '佐藤 花子' }]);
    expect(await links(t, users[0]!.id)).toEqual([{ n: 1 }]);
    expect(await trailOf(t, users[0]!.id)).toEqual([
      { action: 'auth.sso-linked', n: 1 },
      { action: 'user.created', n: 1 },
    ]);
  });
});
