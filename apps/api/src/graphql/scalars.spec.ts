import { Kind } from 'graphql';
import { DateTimeResolver, LocalDateResolver } from 'graphql-scalars';
import { describe, expect, it } from 'vitest';
import { dateTimeScalar } from './date-time.scalar';
import { localDateScalar } from './local-date.scalar';

/** The schema's own scalars: graphql-scalars' to clients, each with one change for output speed (issue 14). */
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

describe('the schema’s DateTime scalar (graphql-scalars’ own, sent as the ISO string its Date would become)', () => {
  it('is graphql-scalars’ DateTime to clients: the same name, description and specification', () => {
    const s = dateTimeScalar();
    expect([s.name, s.description, s.specifiedByURL]).toEqual([
      DateTimeResolver.name,
      DateTimeResolver.description,
      DateTimeResolver.specifiedByURL,
    ]);
  });

  it('sends a string, and the answer’s JSON is the same bytes as with graphql-scalars’ Date', () => {
    const s = dateTimeScalar();
    const values: unknown[] = [
      new Date('2026-12-07T09:30:00.123Z'),
      new Date(0),
      new Date('1999-12-31T23:59:59.999Z'),
      '2026-12-07T18:30:00+09:00',
      '2026-12-07T09:30:00Z',
      '2026-12-07T09:30:00.5-05:00',
      1_765_000_000_000,
    ];
    for (const v of values) {
      const out = s.serialize(v);
      expect(typeof out, String(v)).toBe('string');
      expect(JSON.stringify({ at: out }), String(v)).toBe(JSON.stringify({ at: DateTimeResolver.serialize(v) }));
    }
    expect(s.serialize('2026-12-07T18:30:00+09:00')).toBe('2026-12-07T09:30:00.000Z');
  });

  it('refuses what graphql-scalars refuses, with its own error', () => {
    const s = dateTimeScalar();
    for (const bad of [new Date(Number.NaN), '2026-02-30T00:00:00Z', 'tomorrow', '2026-12-07', null, {}, true]) {
      expect(
        errorOf(() => s.serialize(bad)),
        String(bad),
      ).toBe(errorOf(() => DateTimeResolver.serialize(bad)));
      expect(errorOf(() => s.serialize(bad))).not.toBe('no error');
    }
  });

  it('reads input exactly as graphql-scalars does: resolvers still get Dates', () => {
    const s = dateTimeScalar();
    expect(s.parseValue('2026-12-07T18:30:00+09:00')).toEqual(new Date('2026-12-07T09:30:00Z'));
    expect(s.parseLiteral({ kind: Kind.STRING, value: '2026-12-07T09:30:00Z' })).toEqual(new Date('2026-12-07T09:30:00Z'));
    for (const bad of ['2026-12-07', 5]) {
      expect(errorOf(() => s.parseValue(bad))).toBe(errorOf(() => DateTimeResolver.parseValue(bad)));
      expect(errorOf(() => s.parseValue(bad))).not.toBe('no error');
    }
  });
});
