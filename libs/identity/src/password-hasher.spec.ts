import type { ConfigService } from '@nestjs/config';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '@app/common';
import { PasswordHasher } from './password-hasher';

const hasher = (hashing: 'standard' | 'fast') => new PasswordHasher({ get: () => hashing } as unknown as ConfigService<AppConfig, true>);

describe('PasswordHasher', () => {
  it('hashes with argon2id at the cost PASSWORD_HASHING names', async () => {
    expect(await hasher('standard').hash('長い合言葉-2026')).toMatch(/^\$argon2id\$v=19\$m=65536,t=3,p=4\$/);
    expect(await hasher('fast').hash('長い合言葉-2026')).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
  });

  it('verifies a stored hash at the cost it carries, whatever the setting', async () => {
    const stored = await hasher('standard').hash('長い合言葉-2026');
    expect(await hasher('fast').verify(stored, '長い合言葉-2026')).toBe(true);
    expect(await hasher('fast').verify(stored, '違う合言葉')).toBe(false);
    expect(await hasher('standard').verify(await hasher('fast').hash('x-2026'), 'x-2026')).toBe(true);
  });

  it('answers false for an unknown user after a check against a decoy hash', async () => {
    expect(await hasher('fast').verify(undefined, 'anything')).toBe(false);
  });
});
