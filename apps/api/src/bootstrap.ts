import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigService } from '@nestjs/config';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '@app/common';
import { AppModule } from './app.module';
import { serveDashboardPage } from './web/dashboard-page';

/**
 * Builds the whole server (used by main.ts and by the end-to-end tests). SIGTERM
 * and SIGINT are main.ts's: it drains before it closes (lifecycle/graceful-shutdown.ts).
 */
export async function createApp(): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  const config = app.get<ConfigService<AppConfig, true>>(ConfigService);
  app.set('trust proxy', config.get('TRUST_PROXY_HOPS', { infer: true }));
  app.disable('x-powered-by');
  // No automatic ETag (Express hashes every body it sends): GraphQL answers are per user and no-store, and the
  // hash of a large page was 1 % of its CPU. Routes whose answers are cacheable set their own (progress page).
  app.set('etag', false);
  // JSON bodies (GraphQL) are capped before they are parsed: over the limit is 413 PAYLOAD_TOO_LARGE.
  app.useBodyParser('json', { limit: config.get('GRAPHQL_MAX_BODY_BYTES', { infer: true }) });
  // The dashboard page at `/` (static files; see web/dashboard-page.ts for why outside the guard).
  serveDashboardPage(app);
  return app;
}
