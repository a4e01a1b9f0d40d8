import { buildSchema, getIntrospectionQuery, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { queryLimitsRule } from './query-limits';

const schema = buildSchema(`
  type Node { name: String, parent: Node, children: [Node] }
  type Query { node: Node, me: Node }
`);
const check = (q: string) => validate(schema, parse(q), [queryLimitsRule(4, 3)]).map((e) => e.message);
const nest = (levels: number) => `{ node ${'{ parent '.repeat(levels - 2)}{ name }${' }'.repeat(levels - 2)} }`;

describe('query limits', () => {
  it('accepts a query at the depth limit and refuses one level more', () => {
    expect(check(nest(4))).toEqual([]);
    expect(check(nest(5))).toEqual(['The query is 5 levels deep; at most 4 are allowed']);
  });

  it('follows fragments and inline fragments when measuring depth', () => {
    const q = `fragment Deep on Node { parent { parent { name } } } { node { children { ...Deep } } }`;
    expect(check(q)).toEqual(['The query is 5 levels deep; at most 4 are allowed']);
    expect(check(`{ node { ... on Node { parent { name } } } }`)).toEqual([]);
  });

  it('does not count introspection, whose standard query is deeper than the limit', () => {
    expect(check(getIntrospectionQuery())).toEqual([]);
  });

  it('refuses more aliases than allowed, counted across the whole operation', () => {
    expect(check(`{ a: me { name } b: me { name } c: node { name } }`)).toEqual([]);
    expect(check(`{ a: me { x: name } b: me { name } c: node { y: name } }`)).toEqual(['The query uses 5 aliases; at most 3 are allowed']);
  });
});
