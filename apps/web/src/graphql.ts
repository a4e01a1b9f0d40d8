import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env';

/**
 * `graphql()` of gql.tada: a document written with it is checked against the
 * API's schema and typed by it (ResultOf, VariablesOf), from the generated
 * graphql-env.d.ts (npm run generate:web-types). The custom scalars arrive as
 * JSON: DateTime an ISO-8601 string, LocalDate YYYY-MM-DD.
 */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: { DateTime: string; LocalDate: string; JSONObject: Record<string, unknown> };
}>();

export type { ResultOf, VariablesOf } from 'gql.tada';
