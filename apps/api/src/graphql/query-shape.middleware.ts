import { createHash } from 'node:crypto';
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '@app/common';
import { safeHeaders } from './query-cost';
import { checkQueryShape, type QueryShapeLimits } from './query-limits';

/** How many documents found within the limits are remembered (by hash), so that they are not measured again. */
const CHECKED_DOCUMENTS = 2_000;

/**
 * The document's shape, checked before Apollo sees the request: parsed with
 * the token cap and measured by `queryLimitsRule` alone (each fragment once:
 * linear in the document's size). GraphQL's own validation, which Apollo runs
 * next, then only ever sees documents within the limits — some of its rules
 * are quadratic in what they compare (OverlappingFieldsCanBeMerged), and all
 * of them run in one pass, so a limit checked among them would not spare the
 * others their work. Apollo offers no hook between parsing and validation that
 * can answer a request (an error thrown there becomes a 500), hence a
 * middleware on /graphql. Subscriptions over WebSocket get the same order in
 * graphql-ws.config.ts.
 *
 * A refusal is `400` with GraphQL's error shape: `extensions.code`
 * GRAPHQL_VALIDATION_FAILED, `reason` (QUERY_TOO_DEEP, TOO_MANY_ALIASES,
 * REPEATED_FIELD, TOO_MANY_FIELDS), the measured value and the limit, and
 * `reasons` when several limits are broken. A syntax error (the token cap
 * included) is left to Apollo, which answers GRAPHQL_PARSE_FAILED.
 */
@Injectable()
export class QueryShapeMiddleware implements NestMiddleware {
  private readonly limits: QueryShapeLimits & { maxTokens: number };
  /** Hashes of documents within the limits (insertion-ordered: the oldest is dropped first). */
  private readonly checked = new Set<string>();

  constructor(
    @Inject(ConfigService) config: ConfigService<AppConfig, true>,
    @Inject(GraphQLSchemaHost) private readonly schemaHost: GraphQLSchemaHost,
  ) {
    this.limits = queryShapeLimits(config);
  }

  use(req: Request, res: Response, next: NextFunction): void {
    const query = queryOf(req);
    if (query === undefined) return next();
    const hash = createHash('sha256').update(query).digest('hex');
    if (this.checked.has(hash)) return next();
    const errors = checkQueryShape(this.schemaHost.schema, query, this.limits);
    const refusals = errors.filter((e) => e.extensions['reason'] !== undefined);
    if (refusals.length === 0) {
      if (errors.length === 0) {
        this.checked.add(hash);
        if (this.checked.size > CHECKED_DOCUMENTS) this.checked.delete(this.checked.values().next().value!);
      }
      return next();
    }
    for (const [name, value] of safeHeaders()) res.setHeader(name, value);
    res.status(400).json({
      errors: [
        {
          message: refusals.map((e) => e.message).join('; '),
          extensions: {
            ...refusals[0]!.extensions,
            reasons: refusals.map((e) => e.extensions['reason']),
            code: 'GRAPHQL_VALIDATION_FAILED',
          },
        },
      ],
    });
  }
}

/** The shape limits from the settings (the middleware's and the WebSocket's). */
export function queryShapeLimits(config: ConfigService<AppConfig, true>): QueryShapeLimits & { maxTokens: number } {
  return {
    maxDepth: config.get('GRAPHQL_MAX_DEPTH', { infer: true }),
    maxAliases: config.get('GRAPHQL_MAX_ALIASES', { infer: true }),
    maxFields: config.get('GRAPHQL_MAX_FIELDS', { infer: true }),
    maxSameName: config.get('GRAPHQL_MAX_SAME_NAME', { infer: true }),
    maxTokens: config.get('GRAPHQL_MAX_TOKENS', { infer: true }),
  };
}

/** The document of a POST (JSON body) or a GET (query string); undefined when there is none to check. */
function queryOf(req: Request): string | undefined {
  const fromBody: unknown =
    req.method === 'POST' && req.body && typeof req.body === 'object' ? (req.body as { query?: unknown }).query : undefined;
  const fromUrl: unknown = req.method === 'GET' ? req.query['query'] : undefined;
  const query = fromBody ?? fromUrl;
  return typeof query === 'string' ? query : undefined;
}
