import { createHash } from 'node:crypto';
import { HeaderMap, type ApolloServerPlugin, type BaseContext, type GraphQLRequestContext } from '@apollo/server';
import {
  getNamedType,
  getNullableType,
  getVariableValues,
  GraphQLError,
  isListType,
  type GraphQLCompositeType,
  type FormattedExecutionResult,
  type GraphQLField,
} from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator, type ComplexityEstimatorArgs } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE } from '@app/common';
import type { CostBudget } from '../common/work-limits';

/**
 * The static cost of an operation, computed before it runs, and what is refused.
 *
 * **The cost model** (`operationCost`): every field selected costs 1; a field
 * that returns many things multiplies the cost of what is selected under it:
 * - a field with a `first` argument (every Relay connection) by `first`, or by
 *   the default page size (20) when `first` is not given (the connection's
 *   `nodes` and `edges` are that page: they do not multiply again);
 * - any other list by the size named in the field's `listSize` extension, or
 *   by `DEFAULT_LIST_SIZE` (10), a generous estimate of the unpaginated lists
 *   under one item (its requirements, their evidence, its reviews...);
 * so `countermeasures(first: 100) { nodes { requirements { evidence { id } } } }`
 * costs about 100 × 10 × 10 = 10,000 and the cost is close to the number of
 * values the answer can hold. Lists of scalars and enums cost 1 (their items
 * cost nothing more to produce). Variables are read from the request.
 *
 * Computed with graphql-query-complexity (slicknode's, maintained, the one
 * NestJS documents). It walks a fragment again at every spread, so it runs
 * only after the validation rule `queryLimitsRule` has bounded the expanded
 * size of the operation (that rule measures each fragment once); the library's
 * own node cap (`maxQueryNodes`) is set to the same bound.
 *
 * **Refused before execution**:
 * - an operation over `maxCost` (GRAPHQL_VALIDATION_FAILED, reason
 *   QUERY_TOO_COSTLY, `extensions.cost` and `extensions.limit`, HTTP 400);
 * - a caller over its budget (`CostBudget`, common/work-limits.ts: each caller,
 *   a signed-in user, an API key, or an address when anonymous, may spend
 *   GRAPHQL_COST_PER_MINUTE a minute, on operations and report downloads
 *   alike); over it, TOO_MANY_REQUESTS with `retryAfterSeconds` (HTTP 429).
 *
 * **After execution**: an answer larger than GRAPHQL_MAX_RESPONSE_BYTES is
 * replaced by an error (RESPONSE_TOO_LARGE; `stringifyWithinCap`, where the
 * answer is serialized): the cost bounds how many values an answer holds, this
 * bounds what long texts can add.
 */
export interface QueryCostLimits {
  maxCost: number;
  /** The expanded field bound that `queryLimitsRule` enforced (the walk here never exceeds it). */
  maxFields: number;
}

export const DEFAULT_LIST_SIZE = 10;

/** Fields may name their own list size: `@Extensions({ listSize: 3 })`. */
interface CostExtensions {
  listSize?: unknown;
}

function listMultiplier(
  parent: GraphQLCompositeType,
  field: GraphQLField<unknown, unknown>,
  args: Record<string, unknown>,
): number | undefined {
  // A connection's `nodes` and `edges` are its page: the connection's field already multiplied by `first`.
  if (parent.name.endsWith('Connection') && (field.name === 'nodes' || field.name === 'edges')) return 1;
  if (field.args.some((a) => a.name === 'first')) {
    const first = args['first'];
    return typeof first === 'number' && Number.isFinite(first) && first >= 0 ? first : DEFAULT_PAGE_SIZE;
  }
  if (isListType(getNullableType(field.type))) {
    const size = (field.extensions as CostExtensions | undefined)?.listSize;
    return typeof size === 'number' ? size : DEFAULT_LIST_SIZE;
  }
  return undefined;
}

/** Lists (and connections) multiply what is selected under them; lists of leaves cost 1. */
export const listEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }: ComplexityEstimatorArgs) => {
  const n = listMultiplier(type, field, args);
  if (n === undefined) return undefined;
  const leaf = !('getFields' in getNamedType(field.type));
  return leaf ? 1 : 1 + n * childComplexity;
};

export function operationCost(args: {
  schema: Parameters<typeof getComplexity>[0]['schema'];
  document: Parameters<typeof getComplexity>[0]['query'];
  operationName?: string | null;
  variables?: Record<string, unknown>;
  maxNodes: number;
}): number {
  return getComplexity({
    schema: args.schema,
    query: args.document,
    operationName: args.operationName ?? undefined,
    variables: args.variables ?? {},
    estimators: [listEstimator, simpleEstimator({ defaultComplexity: 1 })],
    maxQueryNodes: args.maxNodes + 1,
  });
}

/** Who pays for an operation: the user of a valid token, the API key presented, or the address. */
export type CallerKeyOf = (request: { headers?: Record<string, unknown>; ip?: string }) => string;

export function callerKeyFrom(verifySubject: (token: string) => string | null): CallerKeyOf {
  return (req) => {
    const header = req.headers?.['authorization'];
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (token.startsWith('rtk_')) return `key:${createHash('sha256').update(token).digest('hex').slice(0, 32)}`;
    if (token) {
      const sub = verifySubject(token);
      if (sub) return `user:${sub}`;
    }
    return `addr:${req.ip ?? 'unknown'}`;
  };
}

interface HttpContext extends BaseContext {
  req?: { headers?: Record<string, unknown>; ip?: string };
}

/** Every /graphql answer is per user and changes with every move: never cached, never sniffed. */
export function safeHeaders(): HeaderMap {
  return new HeaderMap([
    ['cache-control', 'no-store'],
    ['x-content-type-options', 'nosniff'],
  ]);
}

/**
 * The Apollo plugin that applies the limits of a GraphQL request over HTTP
 * that come after its shape (checked before Apollo by `QueryShapeMiddleware`):
 * the cost, the caller's budget, and the answer's size cap.
 */
/**
 * Apollo's `stringifyResult`: the answer as Apollo writes it (JSON and a
 * newline), serialized once; an answer with data over `maxResponseBytes` is
 * replaced by a RESPONSE_TOO_LARGE error. (Measuring in a plugin would
 * serialize every answer twice: a large page spent as long on that as on its
 * JSON.)
 */
export function stringifyWithinCap(maxResponseBytes: number): (value: FormattedExecutionResult) => string {
  return (value) => {
    const text = JSON.stringify(value);
    if (value.data == null) return `${text}\n`;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit: most answers are known to fit without counting
    // (counting was another pass over every large page).
    if (text.length * 3 <= maxResponseBytes) return `${text}\n`;
    const bytes = Buffer.byteLength(text);
    if (bytes <= maxResponseBytes) return `${text}\n`;
    const refusal = {
      errors: [
        {
          message: `The answer is ${bytes} bytes; at most ${maxResponseBytes} are sent. Ask for smaller pages or fewer fields.`,
          extensions: { code: 'BAD_USER_INPUT', reason: 'RESPONSE_TOO_LARGE', bytes, limit: maxResponseBytes },
        },
      ],
    };
    return `${JSON.stringify(refusal)}\n`;
  };
}

export function queryCostPlugin(limits: QueryCostLimits, callerKey: CallerKeyOf, budget: CostBudget): ApolloServerPlugin<HttpContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(ctx: GraphQLRequestContext<HttpContext>) {
          // Variables that do not fit the operation: execution refuses them with its own error (and the
          // cost could not read its page sizes from them).
          const operation = ctx.operation;
          if (!operation) return;
          const coerced = getVariableValues(ctx.schema, operation.variableDefinitions ?? [], ctx.request.variables ?? {}, { maxErrors: 1 });
          if (coerced.errors) return;
          const cost = operationCost({
            schema: ctx.schema,
            document: ctx.document!,
            operationName: ctx.operationName,
            variables: ctx.request.variables,
            maxNodes: limits.maxFields,
          });
          if (cost > limits.maxCost) {
            throw new GraphQLError(
              `The operation costs ${cost}; at most ${limits.maxCost} are allowed. Ask for smaller pages (first) or fewer nested lists.`,
              {
                extensions: {
                  code: 'GRAPHQL_VALIDATION_FAILED',
                  reason: 'QUERY_TOO_COSTLY',
                  cost,
                  limit: limits.maxCost,
                  http: { status: 400 },
                },
              },
            );
          }
          const retryAfterSeconds = await budget.spend(callerKey(ctx.contextValue.req ?? {}), cost);
          if (retryAfterSeconds !== null) {
            throw new GraphQLError(
              `Too many expensive operations: the budget is ${budget.perMinute} cost points a minute; try again in ${retryAfterSeconds} s`,
              {
                extensions: {
                  code: 'TOO_MANY_REQUESTS',
                  reason: 'COST_BUDGET_EXCEEDED',
                  cost,
                  budgetPerMinute: budget.perMinute,
                  retryAfterSeconds,
                  http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) },
                },
              },
            );
          }
        },

        async willSendResponse(ctx) {
          for (const [name, value] of safeHeaders()) ctx.response.http.headers.set(name, value);
        },
      };
    },
  };
}
