import { GraphQLScalarType } from 'graphql';
import { LocalDateResolver } from 'graphql-scalars';

/** Days remembered as valid by the scalar's output check (the set is emptied when full). */
const MAX_REMEMBERED = 10_000;

/**
 * graphql-scalars' LocalDate (`YYYY-MM-DD`), the same name, description and
 * checks, with one change for output: a day already checked in this process is
 * not checked again. Its check (a regular expression, a Date, toISOString) ran
 * for every date of every answer: 3.5 % of a large page's CPU (issue 14), for a
 * few hundred distinct days. Input (`parseValue`, `parseLiteral`) is checked as
 * before, every time; a value that fails the check is never remembered and
 * fails with graphql-scalars' own error.
 */
export function localDateScalar(): GraphQLScalarType {
  const config = LocalDateResolver.toConfig();
  const checked = new Set<string>();
  return new GraphQLScalarType({
    ...config,
    serialize(value: unknown): unknown {
      if (typeof value === 'string' && checked.has(value)) return value;
      const out = config.serialize(value);
      if (typeof out === 'string' && out === value) {
        if (checked.size >= MAX_REMEMBERED) checked.clear();
        checked.add(out);
      }
      return out;
    },
  });
}

/** The schema's LocalDate: every field and argument of type LocalDate uses this one. */
export const LocalDateScalar = localDateScalar();
