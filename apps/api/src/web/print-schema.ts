import 'reflect-metadata';
import type { DynamicModule, Provider, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaBuilderModule, GraphQLSchemaFactory } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { AppModule } from '../app.module';

/**
 * The API's schema as SDL, for the page's generated types (gql.tada reads
 * apps/web/schema.graphql). The server is code-first (autoSchemaFile in
 * memory); this builds the same schema from the same resolvers, without a
 * database, sorted as the server sorts it (sortSchema). A test compares it
 * with the schema the running server serves (test/web/page-types.e2e-spec.ts).
 */
export async function printApiSchema(): Promise<string> {
  const app = await NestFactory.create(GraphQLSchemaBuilderModule, { logger: false });
  try {
    await app.init();
    const schema = await app.get(GraphQLSchemaFactory).create(apiResolvers());
    return printSchema(lexicographicSortSchema(schema)) + '\n';
  } finally {
    await app.close();
  }
}

/**
 * The resolver classes the server's module provides (the classes carrying @Resolver's mark), its own and
 * those of the modules it imports (e.g. CheckpointCopiesApiModule), as Nest would find them.
 */
export function apiResolvers(): Type[] {
  const found = new Set<Type>();
  const seen = new Set<unknown>();
  const visit = (mod: unknown): void => {
    if (!mod || seen.has(mod)) return;
    seen.add(mod);
    const dynamic = typeof mod === 'object' ? (mod as DynamicModule) : null;
    const cls = dynamic ? dynamic.module : (mod as Type);
    if (typeof cls !== 'function') return; // a forwardRef or a promise of a module: the API imports its own modules directly
    const providers: Provider[] = [...(dynamic?.providers ?? []), ...((Reflect.getMetadata('providers', cls) as Provider[]) ?? [])];
    for (const p of providers) if (typeof p === 'function' && Reflect.hasMetadata('graphql:resolver_type', p)) found.add(p);
    for (const imported of [...(dynamic?.imports ?? []), ...((Reflect.getMetadata('imports', cls) as unknown[]) ?? [])]) visit(imported);
  };
  visit(AppModule.forRoot());
  return [...found];
}
