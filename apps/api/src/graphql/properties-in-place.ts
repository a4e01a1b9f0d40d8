import { isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';

/**
 * Nest gives every `@Field()` property of an `@ObjectType` a resolver of its own (`rootFieldResolver`: the source's
 * property, or the field's `defaultValue` when it is undefined). To graphql-jit (jit-execution.ts) a field with a
 * resolver is a call: a closure, an arguments object, the response path and a resolve-info object, per field and
 * per item; a field without one is read in place. On the nested page that was about 7,500 calls and a third of the
 * memory a request allocated (issue 14, docs/performance.md). So that resolver is taken off where it does nothing
 * but read the property of the field's own name: probed, it gives back what the source holds under that name, and
 * undefined when the source holds nothing (no `defaultValue`, no property of another name). Every other resolver
 * (a `@ResolveField`, a field with middleware, the root types') stays, and with it every guard and rule.
 *
 * The one difference left is graphql-js's own default, used when an operation runs there (mutations, subscriptions,
 * an answer with errors): a property holding a function is called. No output type holds one (Nest's resolver would
 * have answered the function itself, which no scalar serializes).
 */
export function readPropertiesInPlace(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (readsOnlyItsProperty(field.resolve, field.name)) field.resolve = undefined;
    }
  }
  return schema;
}

function readsOnlyItsProperty(resolve: GraphQLFieldResolver<unknown, unknown> | undefined, name: string): boolean {
  if (typeof resolve !== 'function' || resolve.name !== 'rootFieldResolver') return false;
  const held = {};
  const read = resolve as unknown as (source: object) => unknown;
  try {
    return read({ [name]: held }) === held && read({}) === undefined;
  } catch {
    return false;
  }
}
