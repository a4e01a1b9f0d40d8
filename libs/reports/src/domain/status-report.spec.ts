import { describe, expect, it } from 'vitest';
import { humanLocal, localIso } from './status-report';

describe('the report’s clock', () => {
  it('states the generation time on the case’s clock (Asia/Tokyo), crossing the date line correctly', () => {
    expect(localIso(new Date('2026-07-08T15:30:45.999Z'))).toBe('2026-07-09T00:30:45+09:00');
    expect(localIso(new Date('2026-12-31T14:59:59.000Z'))).toBe('2026-12-31T23:59:59+09:00');
    expect(localIso(new Date('2026-07-08T15:30:45Z'), 'UTC')).toBe('2026-07-08T15:30:45+00:00');
    expect(humanLocal('2026-07-09T00:30:45+09:00')).toBe('2026-07-09 00:30 JST');
  });
});
