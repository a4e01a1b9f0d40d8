import { buildSchema, getIntrospectionQuery, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { queryLimitsRule } from './query-limits';

const schema = buildSchema(`
  type Node { name: String, parent: Node, children: [Node] }
  type Query { node: Node, me: Node }
`);
const check = (q: string, maxSameName = 10) =>
  validate(schema, parse(q), [queryLimitsRule({ maxDepth: 4, maxAliases: 3, maxFields: 250, maxSameName })]).map((e) => e.message);
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

  it('counts the fields of a fragment each time it is spread, and refuses more than allowed', () => {
    // Every spread of F writes out its 5 fields again: with \`node\`, 49 spreads are 246 fields (allowed), 50 are 251.
    const spreads = (n: number) =>
      `fragment F on Node { name parent { name children { name } } } { node { ${Array.from({ length: n }, () => '...F').join(' ')} } }`;
    expect(check(spreads(49), 100)).toEqual([]);
    expect(check(spreads(50), 100)).toEqual(['The query selects 251 fields once its fragments are expanded; at most 250 are allowed']);
  });

  it('measures a fragment once however often it is spread: a chain that doubles at every level is refused at once', () => {
    // F0 spreads F1 twice, F1 spreads F2 twice, ...: written out, F0 is 2^N fields. A rule that walks a
    // fragment at every spread takes 2^N steps (N = 80 would never finish); this one takes N.
    const chain = (n: number) =>
      Array.from({ length: n }, (_, i) => `fragment F${i} on Node { ...F${i + 1} parent { ...F${i + 1} } }`).join('\n') +
      `\nfragment F${n} on Node { name }\n{ node { ...F0 } }`;
    const messages = check(chain(80));
    expect(messages).toContain('The query is 82 levels deep; at most 4 are allowed');
    expect(messages.find((m) => m.includes('fields once'))).toBe(
      'The query selects more than 10^24 fields once its fragments are expanded; at most 250 are allowed',
    );
    // The same chain through every standard rule of GraphQL (one of which compares overlapping fields).
    expect(validate(schema, parse(chain(80))).length).toBe(0);
  });

  it('refuses more fields answering at one place of the result than allowed: one name, fragments and same-named parents merged', () => {
    const many = (n: number) =>
      `The query selects ${n} fields that answer at one place of the result (one name, fragments and same-named parents merged); at most 10 are allowed`;
    expect(check(`{ node { ${'name '.repeat(10)} } }`)).toEqual([]);
    expect(check(`{ node { ${'name '.repeat(11)} } }`)).toEqual([many(11)]);
    // 4 spreads of a fragment that selects name 3 times: 12 in the set \`node\` selects.
    expect(check(`fragment N on Node { name name name } { node { ...N ... on Node { ...N } ...N ...N } }`)).toEqual([many(12)]);
    // Same-named parents merge: node.parent.parent is selected 3 × 4 = 12 times (GraphQL compares them all).
    const parents = Array.from({ length: 3 }, () => `parent { ${Array.from({ length: 4 }, () => 'parent { name }').join(' ')} }`).join(' ');
    expect(check(`{ node { ${parents} } }`)).toEqual([many(12)]);
    // The same name under different parents is not a repetition.
    expect(check(`{ node { name parent { name } children { name } } }`)).toEqual([]);
  });

  it('terminates on a fragment cycle (GraphQL refuses the cycle itself)', () => {
    const q = `fragment A on Node { parent { ...B } } fragment B on Node { name ...A } { node { ...A } }`;
    expect(() => check(q)).not.toThrow();
    // 14 fragments that each spread every other one: walking every path would take 14! steps.
    const names = Array.from({ length: 14 }, (_, i) => `F${i}`);
    const all = names.map(
      (f) =>
        `fragment ${f} on Node { name parent { ${names
          .filter((g) => g !== f)
          .map((g) => `...${g}`)
          .join(' ')} } }`,
    );
    expect(check(`{ node { ...F0 ...F7 } } ${all.join(' ')}`).length).toBeGreaterThan(0);
  });

  it('refuses more aliases than allowed, counted across the whole operation', () => {
    expect(check(`{ a: me { name } b: me { name } c: node { name } }`)).toEqual([]);
    expect(check(`{ a: me { x: name } b: me { name } c: node { y: name } }`)).toEqual(['The query uses 5 aliases; at most 3 are allowed']);
  });
});
