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
    res.status(GQL_CODE_HTTP_STATUS[shape.code]).json({
      error: { code: shape.code, message: shape.message, ...shape.extensions, requestId: req.id },
    });
  }
}
