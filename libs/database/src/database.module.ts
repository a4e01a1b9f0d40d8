import { Global, Inject, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { ClsPluginTransactional } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@app/common';
import { DatabaseServer } from './database-server';
import { NoticeBus } from './notice-bus';
import { dataSourceOptions, runMigrations, type DatabaseTimeouts } from './data-source-options';
import { checkPooledSessionSettings } from './pooled-session-check';

/** Starts the embedded server when DATABASE_URL is unset; one instance per app. */
@Module({
  providers: [
    {
      provide: DatabaseServer,
      inject: [ConfigService],
      useFactory: (config: ConfigService<AppConfig, true>) =>
        DatabaseServer.connect({
          DATABASE_URL: config.get('DATABASE_URL', { infer: true }),
          DATA_DIR: config.get('DATA_DIR', { infer: true }),
        }),
    },
  ],
  exports: [DatabaseServer],
})
export class DatabaseServerModule {}

/**
 * The one transaction helper: @nestjs-cls/transactional on TypeORM. Each app
 * registers it with its ClsModule (the HTTP app also mounts the request
 * middleware); services use `@Transactional()` or `TransactionHost`.
 */
export function transactionalPlugin(): ClsPluginTransactional {
  return new ClsPluginTransactional({
    imports: [TypeOrmModule],
    adapter: new TransactionalAdapterTypeOrm({ dataSourceToken: getDataSourceToken() }),
  });
}

function timeoutsOf(config: ConfigService<AppConfig, true>): DatabaseTimeouts {
  return {
    statementMs: config.get('DB_STATEMENT_TIMEOUT_MS', { infer: true }),
    lockMs: config.get('DB_LOCK_TIMEOUT_MS', { infer: true }),
    idleInTransactionMs: config.get('DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', { infer: true }),
  };
}

/**
 * At start, behind a transaction pooler: the pooled connections have the settings
 * (checkPooledSessionSettings). On shutdown: closes the data source, then stops
 * the embedded server (in that order).
 */
class DatabaseLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(DatabaseServer) private readonly server: DatabaseServer,
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    @Inject(ConfigService) private readonly config: ConfigService<AppConfig, true>,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.get('DATABASE_POOLING', { infer: true }) === 'transaction') {
      await checkPooledSessionSettings(this.dataSource, timeoutsOf(this.config));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.server.stop();
  }
}

/**
 * The database. Migrations run at start-up, before anything reads, on their own
 * connection without the timeouts that every connection of the app's pool gets
 * (DB_STATEMENT_TIMEOUT_MS, DB_LOCK_TIMEOUT_MS, DB_IDLE_IN_TRANSACTION_TIMEOUT_MS),
 * to DATABASE_DIRECT_URL when set (never through a transaction pooler), under an
 * advisory lock: instances starting together apply each migration once, and a
 * build older than the schema refuses to start (DatabaseStartupError). Apps add
 * `ClsModule.forRoot({ plugins: [transactionalPlugin()] })` so that a change
 * and its audit-trail entry commit together or not at all.
 */
@Global()
@Module({
  imports: [
    DatabaseServerModule,
    TypeOrmModule.forRootAsync({
      imports: [DatabaseServerModule],
      inject: [ConfigService, DatabaseServer],
      useFactory: async (config: ConfigService<AppConfig, true>, server: DatabaseServer) => {
        const directUrl = config.get('DATABASE_DIRECT_URL', { infer: true }) ?? server.url;
        // Migrations first, on a direct connection of their own without the app's timeouts.
        await runMigrations(directUrl);
        return {
          ...dataSourceOptions(server.url, config.get('DATABASE_POOL_SIZE', { infer: true }), timeoutsOf(config), {
            pooling: config.get('DATABASE_POOLING', { infer: true }),
            directUrl,
          }),
          autoLoadEntities: true,
        };
      },
    }),
  ],
  providers: [DatabaseLifecycle, NoticeBus],
  exports: [DatabaseServerModule, NoticeBus],
})
export class DatabaseModule {}
