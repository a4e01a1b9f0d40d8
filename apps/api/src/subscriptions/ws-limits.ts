import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { GraphQLModule } from '@nestjs/graphql';
import { ModuleRef } from '@nestjs/core';
import type { WebSocketServer } from 'ws';
import type { AppConfig } from '@app/common';

/**
 * The WebSocket's message size, capped like an HTTP body (GRAPHQL_MAX_BODY_BYTES):
 * `ws` accepts 100 MiB a message by default, and a `connection_init` arrives
 * (and is parsed) before anyone is authenticated. A larger message closes the
 * socket with 1009 (Message Too Big).
 *
 * @nestjs/graphql creates the WebSocketServer itself and passes no option for
 * this; `ws` reads `maxPayload` from the server's options at each upgrade, so it
 * is set there once the driver has started. The path to the server is private
 * to the driver: if a Nest upgrade moves it, the start fails here (never a
 * silent 100 MiB).
 */
@Injectable()
export class WebSocketLimits implements OnApplicationBootstrap {
  private readonly logger = new Logger('WebSocketLimits');

  constructor(
    @Inject(ModuleRef) private readonly modules: ModuleRef,
    @Inject(ConfigService) private readonly config: ConfigService<AppConfig, true>,
  ) {}

  onApplicationBootstrap(): void {
    const graphql = this.modules.get(GraphQLModule, { strict: false });
    const driver = graphql.graphQlAdapter as unknown as { _subscriptionService?: { wss?: WebSocketServer } };
    const wss = driver._subscriptionService?.wss;
    if (!wss) throw new Error('WebSocketLimits: the GraphQL driver has no WebSocket server where expected (@nestjs/apollo changed?)');
    wss.options.maxPayload = this.config.get('GRAPHQL_MAX_BODY_BYTES', { infer: true });
    this.logger.debug(`WebSocket messages capped at ${wss.options.maxPayload} bytes`);
  }
}
