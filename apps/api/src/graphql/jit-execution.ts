import { HeaderMap, type ApolloServerPlugin, type BaseContext, type GraphQLRequestContext, type GraphQLResponse } from '@apollo/server';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/** Compiled operations kept, and operations remembered as seen once, by hash and name (the oldest dropped first). */
const MAX_COMPILED = 500;
const MAX_SEEN = 5000;

/**
 * Queries executed by graphql-jit (issue 14): an operation is compiled into a
 * function that walks the answer without graphql-js's per-field bookkeeping, the
 * cost that dominated a large nested page once its data was loaded ahead. The
 * same schema, the same resolvers with the same arguments and context:
 * authorization and every field's rules run as before. Apollo's hook for
 * answering an operation itself (`responseForOperation`) is used for queries
 * that complete without an error; anything else (a mutation, a subscription, an
 * operation the compiler refuses, an answer with errors) goes to graphql-js as
 * before, so that every error keeps its one formatting path (Apollo's
 * formatError and the masking in production). A query with errors is thus run
 * twice; its second run finds its rows in the request's loaders, and a query
 * changes nothing.
 *
 * An operation is compiled the second time it is seen (the first time graphql-js
 * runs it): clients repeat their operations, and a caller sending a new text
 * every time makes the server compile nothing. At most MAX_COMPILED are kept.
 */
export function jitExecutionPlugin(): ApolloServerPlugin<BaseContext> {
  const compiled = new Map<string, CompiledQuery | null>();
  const seen = new Set<string>();
  const compile = (ctx: GraphQLRequestContext<BaseContext>): CompiledQuery | null => {
    const key = `${ctx.operationName ?? ''}\u0000${ctx.queryHash ?? ctx.source ?? ''}`;
    let found = compiled.get(key);
    if (found !== undefined) {
      // Kept as recently used.
      compiled.delete(key);
      compiled.set(key, found);
      return found;
    }
    if (!seen.has(key)) {
      if (seen.size >= MAX_SEEN) seen.delete(seen.values().next().value!);
      seen.add(key);
      return null;
    }
    seen.delete(key);
    const result = compileQuery(ctx.schema, ctx.document!, ctx.operationName ?? undefined);
    found = isCompiledQuery(result) ? result : null;
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, found);
    return found;
  };
  return {
    async requestDidStart() {
      return {
        async responseForOperation(ctx): Promise<GraphQLResponse | null> {
          if (ctx.operation?.operation !== 'query' || !ctx.document || ctx.source === undefined) return null;
          const query = compile(ctx);
          if (!query) return null;
          const result = await query.query(undefined, ctx.contextValue, ctx.request.variables ?? {});
          if (result.errors?.length) return null;
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data: result.data } } };
        },
      };
    },
  };
}
