import { Kind } from 'graphql';
import { LocalDateResolver } from 'graphql-scalars';
import { describe, expect, it } from 'vitest';
import { localDateScalar } from './local-date.scalar';

const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

describe('the schema’s LocalDate scalar (graphql-scalars’ own, its output check remembered per day)', () => {
  it('is graphql-scalars’ LocalDate to clients: the same name and description', () => {
    const s = localDateScalar();
    expect([s.name, s.description]).toEqual([LocalDateResolver.name, LocalDateResolver.description]);
  });

  it('sends valid days as they are, the first time and every time after', () => {
    const s = localDateScalar();
    for (let i = 0; i < 3; i++) {
      expect(s.serialize('2026-12-07')).toBe('2026-12-07');
      expect(s.serialize('2024-02-29')).toBe('2024-02-29');
    }
  });

  it('refuses what is no day with graphql-scalars’ own error, every time, also after valid days were remembered', () => {
    const s = localDateScalar();
    s.serialize('2026-02-28');
    for (const bad of ['2026-02-29', '2026-13-01', '2026-2-28', '2026-02-28T00:00:00Z', 20261207, null, new Date(0)]) {
      for (let i = 0; i < 2; i++)
        expect(
          errorOf(() => s.serialize(bad)),
          String(bad),
        ).toBe(errorOf(() => LocalDateResolver.serialize(bad)));
      expect(errorOf(() => s.serialize(bad))).not.toBe('no error');
    }
  });

  it('checks input exactly as graphql-scalars does, every time (variables and literals)', () => {
    const s = localDateScalar();
    expect(s.parseValue('2026-12-07')).toBe('2026-12-07');
    s.serialize('2026-02-28');
    for (const bad of ['2026-02-30', '07/12/2026', 5]) {
      expect(errorOf(() => s.parseValue(bad))).toBe(errorOf(() => LocalDateResolver.parseValue(bad)));
      expect(errorOf(() => s.parseValue(bad))).not.toBe('no error');
    }
    expect(s.parseLiteral({ kind: Kind.STRING, value: '2026-12-07' })).toBe('2026-12-07');
    expect(errorOf(() => s.parseLiteral({ kind: Kind.STRING, value: '2026-02-30' }))).toMatch(/not a valid LocalDate/);
    expect(errorOf(() => s.parseLiteral({ kind: Kind.INT, value: '1' }))).toMatch(/Can only validate strings/);
  });
});
