import { GraphQLObjectType, GraphQLSchema, GraphQLString, graphqlSync } from 'graphql';
import { describe, expect, it } from 'vitest';
import { readPropertiesInPlace } from './properties-in-place';

/** Resolvers shaped as Nest makes them for `@Field()` properties (the name is what Nest's has). */
function nestPropertyResolver(property: string, defaultValue?: unknown) {
  const rootFieldResolver = (root: Record<string, unknown>) => {
    const value = root[property];
    return typeof value === 'undefined' ? defaultValue : value;
  };
  return rootFieldResolver;
}

function schemaOf() {
  const Item = new GraphQLObjectType({
    name: 'Item',
    fields: {
      title: { type: GraphQLString, resolve: nestPropertyResolver('title') },
      label: { type: GraphQLString, resolve: nestPropertyResolver('internalLabel') },
      note: { type: GraphQLString, resolve: nestPropertyResolver('note', '（なし）') },
      upper: { type: GraphQLString, resolve: (item: { title: string }) => item.title.toUpperCase() },
      plain: { type: GraphQLString },
    },
  });
  const Query = new GraphQLObjectType({
    name: 'Query',
    fields: { item: { type: Item, resolve: () => ({ title: '個人データ', internalLabel: 'CM-001', plain: 'p' }) } },
  });
  return new GraphQLSchema({ query: Query });
}

describe('readPropertiesInPlace: Nest’s property resolvers taken off where they only read the property', () => {
  it('takes off the resolver that reads the field’s own property, keeps one that reads another, has a default or computes', () => {
    const schema = readPropertiesInPlace(schemaOf());
    const fields = (schema.getType('Item') as GraphQLObjectType).getFields();
    expect(fields['title']!.resolve).toBeUndefined();
    expect(fields['label']!.resolve).toBeTypeOf('function');
    expect(fields['note']!.resolve).toBeTypeOf('function');
    expect(fields['upper']!.resolve).toBeTypeOf('function');
    expect(fields['plain']!.resolve).toBeUndefined();
    // The root type's resolvers are not property resolvers.
    expect((schema.getQueryType()!.getFields()['item']!.resolve as unknown) instanceof Function).toBe(true);
  });

  it('answers the same as before', () => {
    const query = '{ item { title label note upper plain } }';
    const before = graphqlSync({ schema: schemaOf(), source: query });
    const after = graphqlSync({ schema: readPropertiesInPlace(schemaOf()), source: query });
    expect(after).toEqual(before);
    expect(after.data).toEqual({ item: { title: '個人データ', label: 'CM-001', note: '（なし）', upper: '個人データ', plain: 'p' } });
  });
});
