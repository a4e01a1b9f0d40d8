import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { GqlContextType } from '@nestjs/graphql';
import type { Request, Response } from 'express';
import type { AppConfig } from '@app/common';
import { describeError, GQL_CODE_HTTP_STATUS, toGraphQLError } from './to-graphql-error';

/**
 * Catches everything: GraphQL operations get a GraphQLError with a stable
 * `extensions.code`; plain HTTP routes get `{ error: { code, message } }`
 * with the matching status.
 */
@Catch()
export class AllErrorsFilter implements ExceptionFilter {
  private readonly production: boolean;

  constructor(@Inject(ConfigService) config: ConfigService<AppConfig, true>) {
    this.production = config.get('NODE_ENV', { infer: true }) === 'production';
  }

  catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType<GqlContextType>() === 'graphql') {
      return toGraphQLError(exception, this.production);
    }
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request & { id?: unknown }>();
    const shape = describeError(exception, this.production);
    if (res.headersSent) return;
    const status = GQL_CODE_HTTP_STATUS[shape.code];
    if (typeof shape.extensions.retryAfterSeconds === 'number') res.setHeader('retry-after', String(shape.extensions.retryAfterSeconds));
    res.setHeader('cache-control', 'no-store');
    if (req.path === '/graphql') {
      // Refused before Apollo saw it (the body's size, say): still answered in GraphQL's shape.
      res
        .status(status)
        .json({ errors: [{ message: shape.message, extensions: { ...shape.extensions, code: shape.code, requestId: req.id } }] });
      return;
    }
    res.status(status).json({
      error: { code: shape.code, message: shape.message, ...shape.extensions, requestId: req.id },
    });
  }
}
