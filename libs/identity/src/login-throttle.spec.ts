import type { ConfigService } from '@nestjs/config';
import { describe, expect, it } from 'vitest';
import { Clock, DomainError, type AppConfig } from '@app/common';
import { addressKey, LoginThrottle } from './login-throttle';

class TestClock extends Clock {
  at = Date.UTC(2026, 11, 1, 0, 0, 0);
  now(): Date {
    return new Date(this.at);
  }
}

function throttle(settings: Partial<Record<keyof AppConfig, number>> = {}) {
  const values: Record<string, number> = {
    LOGIN_MAX_FAILURES: 3,
    LOGIN_WINDOW_SECONDS: 60,
    LOGIN_ADDRESS_MAX_FAILURES: 1000,
    LOGIN_ACCOUNT_MAX_FAILURES: 1000,
    ...settings,
  };
  const config = { get: (key: string) => values[key] } as unknown as ConfigService<AppConfig, true>;
  const clock = new TestClock();
  return { limits: new LoginThrottle(config, clock), clock };
}

/** The refusal's retryAfterSeconds, or 'admitted'. */
async function outcome(p: Promise<unknown>): Promise<number | 'admitted'> {
  try {
    await p;
    return 'admitted';
  } catch (err) {
    if (!(err instanceof DomainError) || err.code !== 'LOGIN_THROTTLED') throw err;
    return (err.details as { retryAfterSeconds: number }).retryAfterSeconds;
  }
}

describe('LoginThrottle', () => {
  it('admits LOGIN_MAX_FAILURES attempts of a pair at once, however many arrive together', async () => {
    const { limits } = throttle();
    const results = await Promise.all(Array.from({ length: 50 }, () => outcome(limits.admit('a@example.test', '192.0.2.1'))));
    expect(results.filter((r) => r === 'admitted')).toHaveLength(3);
    expect(results.filter((r) => r === 1)).toHaveLength(47);
  });

  it('after the free attempts, one attempt per opening: the delay doubles from 1 s up to LOGIN_WINDOW_SECONDS', async () => {
    const { limits, clock } = throttle();
    for (let i = 0; i < 3; i++) expect(await outcome(limits.admit('a@example.test', '192.0.2.1'))).toBe('admitted');
    const waits: number[] = [];
    let wait = await outcome(limits.admit('a@example.test', '192.0.2.1'));
    for (let i = 0; i < 8; i++) {
      waits.push(wait as number);
      clock.at += (wait as number) * 1000;
      const together = await Promise.all(Array.from({ length: 5 }, () => outcome(limits.admit('a@example.test', '192.0.2.1'))));
      expect(together.filter((r) => r === 'admitted')).toHaveLength(1);
      wait = await outcome(limits.admit('a@example.test', '192.0.2.1'));
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60]);
  });

  it('a success clears the pair; failures of the pair never delay the same account from another address', async () => {
    const { limits } = throttle();
    for (let i = 0; i < 3; i++) await limits.admit('a@example.test', '192.0.2.1');
    expect(await outcome(limits.admit('a@example.test', '192.0.2.1'))).toBe(1);
    const fromHome = await limits.admit('a@example.test', '198.51.100.1');
    await fromHome.succeeded();
    expect(await outcome(limits.admit('a@example.test', '192.0.2.1'))).toBe(1);

    const { limits: other } = throttle();
    for (let i = 0; i < 2; i++) await other.admit('b@example.test', '192.0.2.1');
    await (await other.admit('b@example.test', '192.0.2.1')).succeeded();
    for (let i = 0; i < 3; i++) expect(await outcome(other.admit('b@example.test', '192.0.2.1'))).toBe('admitted');
  });

  it('an address is refused for every account past LOGIN_ADDRESS_MAX_FAILURES; successes do not count', async () => {
    const { limits } = throttle({ LOGIN_ADDRESS_MAX_FAILURES: 4 });
    await (await limits.admit('ok@example.test', '192.0.2.9')).succeeded();
    for (let i = 0; i < 4; i++) await limits.admit(`x${i}@example.test`, '192.0.2.9');
    expect(await outcome(limits.admit('ok@example.test', '192.0.2.9'))).toBe(60);
    expect(await outcome(limits.admit('ok@example.test', '192.0.2.10'))).toBe('admitted');
  });

  it('past LOGIN_ACCOUNT_MAX_FAILURES only addresses the account never signed in from are refused', async () => {
    const { limits } = throttle({ LOGIN_ACCOUNT_MAX_FAILURES: 4 });
    await (await limits.admit('p@example.test', '198.51.100.1')).succeeded();
    for (let i = 0; i < 4; i++) await limits.admit('p@example.test', `203.0.113.${i}`);
    expect(await outcome(limits.admit('p@example.test', '203.0.113.50'))).toBe(60);
    expect(await outcome(limits.admit('p@example.test', '198.51.100.1'))).toBe('admitted');
  });

  it('a refused attempt does not count against the address (only checked attempts do)', async () => {
    const { limits } = throttle({ LOGIN_ADDRESS_MAX_FAILURES: 5 });
    // 3 free attempts, then 20 refused by the pair's delay: the address has used 3 of its 5.
    for (let i = 0; i < 23; i++) await outcome(limits.admit('a@example.test', '192.0.2.1'));
    expect(await outcome(limits.admit('b@example.test', '192.0.2.1'))).toBe('admitted');
    expect(await outcome(limits.admit('c@example.test', '192.0.2.1'))).toBe('admitted');
    expect(await outcome(limits.admit('d@example.test', '192.0.2.1'))).toBe(60);
  });
});

describe('addressKey', () => {
  it('counts IPv4 as is, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64', () => {
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:DB8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressKey('unknown')).toBe('unknown');
  });
});
