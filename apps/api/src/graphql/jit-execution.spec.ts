import { ApolloServer, type BaseContext, type GraphQLRequestContext, type GraphQLRequestListener } from '@apollo/server';
import { buildSchema, GraphQLError, parse, type GraphQLFieldResolver, type GraphQLObjectType, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { jitExecutionPlugin } from './jit-execution';

/**
 * The jit plugin answers only queries that complete without an error; a
 * mutation is never run by it, and an answer with errors comes from graphql-js
 * as before (same errors, same partial data).
 */
interface Ctx extends BaseContext {
  user: string;
  calls: { save: number; secret: number };
}

function makeSchema() {
  const schema = buildSchema(`
    type Item { id: ID! title: String! secret: String }
    type Query { items(prefix: String = "項目"): [Item!]! who: String! one(id: ID!): Item! }
    type Mutation { save(title: String!): Item! }
  `);
  const resolve = (type: GraphQLObjectType | null | undefined, field: string, fn: GraphQLFieldResolver<unknown, Ctx>) => {
    type!.getFields()[field]!.resolve = fn;
  };
  resolve(schema.getQueryType(), 'items', (_p, args: { prefix: string }) =>
    [1, 2].map((n) => ({ id: String(n), title: `${args.prefix} ${n}` })),
  );
  resolve(schema.getQueryType(), 'who', (_p, _a, ctx) => ctx.user);
  resolve(schema.getQueryType(), 'one', (_p, args: { id: string }) => {
    throw new GraphQLError(`No item ${args.id}`, { extensions: { code: 'NOT_FOUND', id: args.id } });
  });
  resolve(schema.getMutationType(), 'save', (_p, args: { title: string }, ctx) => {
    ctx.calls.save++;
    return { id: String(ctx.calls.save), title: args.title };
  });
  resolve(schema.getType('Item') as GraphQLObjectType, 'secret', (_p, _a, ctx) => {
    ctx.calls.secret++;
    throw new GraphQLError('Only admins see this', { extensions: { code: 'FORBIDDEN' } });
  });
  return schema;
}

const context = (): Ctx => ({ user: '監査 花子', calls: { save: 0, secret: 0 } });

/** The plugin's hook, called as Apollo calls it (after the operation is resolved). */
async function responseFor(source: string, variables: Record<string, unknown> = {}, operationName?: string, ctx = context()) {
  const schema = makeSchema();
  const document = parse(source);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition' && (!operationName || d.name?.value === operationName),
  )!;
  const listener = (await jitExecutionPlugin().requestDidStart!({} as never)) as GraphQLRequestListener<Ctx>;
  const requestContext = (contextValue: Ctx) =>
    ({
      schema,
      document,
      source,
      operation,
      operationName: operationName ?? null,
      contextValue,
      request: { query: source, variables, operationName },
    }) as unknown as GraphQLRequestContext<Ctx>;
  // The first time an operation is seen, graphql-js runs it (nothing is compiled for a text seen once).
  const first = await listener.responseForOperation!(requestContext(context()) as never);
  expect(first).toBeNull();
  return { response: await listener.responseForOperation!(requestContext(ctx) as never), ctx };
}

describe('jitExecutionPlugin().requestDidStart().responseForOperation', () => {
  it('answers a query without errors itself: data from the same resolvers, arguments, variables and context', async () => {
    const { response } = await responseFor(`query($p: String) { items(prefix: $p) { id title } who }`, { p: '対策' });
    expect(response).not.toBeNull();
    expect(response!.body).toEqual({
      kind: 'single',
      singleResult: {
        data: {
          items: [
            { id: '1', title: '対策 1' },
            { id: '2', title: '対策 2' },
          ],
          who: '監査 花子',
        },
      },
    });
  });

  it('never runs a mutation: returns null and the resolver is not called', async () => {
    const { response, ctx } = await responseFor(`mutation { save(title: "新規") { id title } }`);
    expect(response).toBeNull();
    expect(ctx.calls.save).toBe(0);
  });

  it('leaves a query whose answer has an error to graphql-js (null)', async () => {
    expect((await responseFor(`{ items { id secret } }`)).response).toBeNull();
    expect((await responseFor(`{ who one(id: "x") { id } }`)).response).toBeNull();
    // A variable of the wrong type: an error too.
    expect((await responseFor(`query($p: String) { items(prefix: $p) { id } }`, { p: 5 })).response).toBeNull();
  });

  it('compiles per operation name: two operations of one document each answer as themselves', async () => {
    const source = `query A { who } query B { items { id } }`;
    const listener = (await jitExecutionPlugin().requestDidStart!({} as never)) as GraphQLRequestListener<Ctx>;
    const schema = makeSchema();
    const document = parse(source);
    const ask = async (name: string) => {
      const operation = document.definitions.find((d) => d.kind === 'OperationDefinition' && d.name?.value === name);
      const res = await listener.responseForOperation!({
        schema,
        document,
        source,
        operation,
        operationName: name,
        contextValue: context(),
        request: { query: source, variables: {} },
      } as never);
      return res?.body.kind === 'single' ? res.body.singleResult.data : undefined;
    };
    expect(await ask('A')).toBeUndefined(); // each seen once: graphql-js answers
    expect(await ask('B')).toBeUndefined();
    expect(await ask('A')).toEqual({ who: '監査 花子' });
    expect(await ask('B')).toEqual({ items: [{ id: '1' }, { id: '2' }] });
    expect(await ask('A')).toEqual({ who: '監査 花子' });
  });
});

describe('an Apollo server with the plugin answers as one without it', () => {
  const servers = () => [
    new ApolloServer<Ctx>({ schema: makeSchema(), plugins: [jitExecutionPlugin() as never], includeStacktraceInErrorResponses: false }),
    new ApolloServer<Ctx>({ schema: makeSchema(), includeStacktraceInErrorResponses: false }),
  ];
  async function both(query: string, variables: Record<string, unknown> = {}) {
    const out = [];
    for (const server of servers()) {
      // Twice: the plugin compiles an operation the second time it sees it; the second answer is compared.
      await server.executeOperation({ query, variables }, { contextValue: context() });
      const ctx = context();
      const res = await server.executeOperation({ query, variables }, { contextValue: ctx });
      out.push({ body: res.body, ctx });
      await server.stop();
    }
    return out;
  }

  it('a query with a field the caller may not read: the same FORBIDDEN error and partial data', async () => {
    const [jit, plain] = await both(`{ who items { id title secret } }`);
    expect(jit!.body).toEqual(plain!.body);
    const result = jit!.body.kind === 'single' ? jit!.body.singleResult : null;
    expect(result!.errors!.map((e) => [e.extensions?.['code'], e.path])).toEqual([
      ['FORBIDDEN', ['items', 0, 'secret']],
      ['FORBIDDEN', ['items', 1, 'secret']],
    ]);
    expect(result!.data).toEqual({
      who: '監査 花子',
      items: [
        { id: '1', title: '項目 1', secret: null },
        { id: '2', title: '項目 2', secret: null },
      ],
    });
  });

  it('a NOT_FOUND on a non-null field: the same error and the same null data', async () => {
    const [jit, plain] = await both(`query($id: ID!) { who one(id: $id) { id } }`, { id: 'CM-404' });
    expect(jit!.body).toEqual(plain!.body);
    const result = jit!.body.kind === 'single' ? jit!.body.singleResult : null;
    expect(result!.data).toBeNull();
    expect(result!.errors).toEqual([
      expect.objectContaining({ message: 'No item CM-404', path: ['one'], extensions: { code: 'NOT_FOUND', id: 'CM-404' } }),
    ]);
  });

  it('a mutation runs exactly once and answers as without the plugin', async () => {
    const [jit, plain] = await both(`mutation { save(title: "手順書の改訂") { id title } }`);
    expect(jit!.body).toEqual(plain!.body);
    expect(jit!.ctx.calls.save).toBe(1);
    expect(plain!.ctx.calls.save).toBe(1);
  });

  it('a query without errors: the same answer', async () => {
    const [jit, plain] = await both(`query($p: String) { items(prefix: $p) { id title } who }`, { p: '証跡' });
    expect(jit!.body).toEqual(plain!.body);
  });
});
