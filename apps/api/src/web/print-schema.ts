import 'reflect-metadata';
import type { Provider, Type } from '@nestjs/common';
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

/** The resolver classes the server's module provides (the classes carrying @Resolver's mark). */
export function apiResolvers(): Type[] {
  const providers: Provider[] = AppModule.forRoot().providers ?? [];
  return providers.filter((p): p is Type => typeof p === 'function' && Reflect.hasMetadata('graphql:resolver_type', p));
}
