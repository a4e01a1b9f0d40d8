import { describe, expect, it } from 'vitest';
import type { Session } from './session';
import { SessionEndedError, TokenKeeper, type RenewalOutcome } from './token-keeper';

const T0 = Date.parse('2026-12-07T00:00:00.000Z');
const session = (n: number, expiresAt = T0 + 15 * 60_000): Session => ({
  id: 's1',
  state: 'ACTIVE',
  token: `access-${n}`,
  expiresAt: new Date(expiresAt).toISOString(),
  refreshToken: `refresh-${n}`,
  refreshExpiresAt: new Date(T0 + 8 * 3600_000).toISOString(),
  user: { id: 'u1', displayName: '監査 太郎', roles: ['AUDITOR'] },
});

/** A keeper whose server answers when told to (`answer`), recording the refresh tokens it was sent. */
function setup(now: number) {
  const sent: string[] = [];
  const saved: Session[] = [];
  const ended: string[] = [];
  const waiting: ((o: RenewalOutcome) => void)[] = [];
  const keeper = new TokenKeeper(session(1), {
    now: () => now,
    renew: (refreshToken) => {
      sent.push(refreshToken);
      return new Promise((resolve) => waiting.push(resolve));
    },
    onRenewed: (s) => saved.push(s),
    onEnded: (code) => ended.push(code),
  });
  const answer = (o: RenewalOutcome) => waiting.shift()!(o);
  return { keeper, sent, saved, ended, answer };
}

describe('the token keeper', () => {
  it('sends the access token as it is while it is not about to expire', async () => {
    const { keeper, sent } = setup(T0 + 5 * 60_000);
    expect(await keeper.token()).toBe('access-1');
    expect(sent).toEqual([]);
  });

  it('renews shortly before the token expires, once for every request waiting meanwhile, and saves the new pair first', async () => {
    const { keeper, sent, saved, answer } = setup(T0 + 14.5 * 60_000);
    const a = keeper.token();
    const b = keeper.token();
    const c = keeper.renew('access-1');
    expect(sent).toEqual(['refresh-1']); // the refresh token works once: one renewal for the three
    answer({ kind: 'renewed', session: session(2, T0 + 30 * 60_000) });
    expect(await Promise.all([a, b, c])).toEqual(['access-2', 'access-2', 'access-2']);
    expect(saved.map((s) => s.refreshToken)).toEqual(['refresh-2']);
    expect(keeper.current.token).toBe('access-2');
    expect(await keeper.token()).toBe('access-2'); // fresh again: no more renewals
    expect(sent).toEqual(['refresh-1']);
  });

  it('does not renew again for a request refused with a token that has been renewed since it left', async () => {
    const { keeper, sent, answer } = setup(T0);
    const first = keeper.renew('access-1');
    answer({ kind: 'renewed', session: session(2) });
    await first;
    expect(await keeper.renew('access-1')).toBe('access-2');
    expect(sent).toEqual(['refresh-1']);
    // Refused with the newest token: that one is renewed, with the newest refresh token.
    const again = keeper.renew('access-2');
    expect(sent).toEqual(['refresh-1', 'refresh-2']);
    answer({ kind: 'renewed', session: session(3) });
    expect(await again).toBe('access-3');
  });

  it('ends the session once when the server refuses the renewal, and refuses every later request', async () => {
    const { keeper, ended, answer } = setup(T0 + 16 * 60_000);
    const a = keeper.token();
    const b = keeper.token();
    answer({ kind: 'refused', code: 'INVALID_TOKEN' });
    await expect(a).rejects.toBeInstanceOf(SessionEndedError);
    await expect(b).rejects.toBeInstanceOf(SessionEndedError);
    await expect(keeper.token()).rejects.toThrow('INVALID_TOKEN');
    await expect(keeper.renew()).rejects.toThrow('INVALID_TOKEN');
    expect(ended).toEqual(['INVALID_TOKEN']);
  });

  it('keeps the session when the server did not answer, and tries again with the same refresh token next time', async () => {
    const { keeper, sent, ended, answer } = setup(T0 + 16 * 60_000);
    const a = keeper.token();
    answer({ kind: 'unreachable' });
    await expect(a).rejects.toThrow('did not answer');
    expect(ended).toEqual([]);
    const b = keeper.token();
    answer({ kind: 'renewed', session: session(2, T0 + 31 * 60_000) });
    expect(await b).toBe('access-2');
    expect(sent).toEqual(['refresh-1', 'refresh-1']);
  });
});
