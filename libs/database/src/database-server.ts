import { Logger } from '@nestjs/common';
import { EmbeddedPostgresServer } from './embedded/embedded-postgres';

/**
 * Where the database is: the server named by DATABASE_URL, or the embedded
 * one, started here, under DATA_DIR/pg.
 */
export class DatabaseServer {
  private constructor(
    readonly url: string,
    private readonly embedded?: EmbeddedPostgresServer,
  ) {}

  static async connect(config: { DATABASE_URL?: string; DATA_DIR: string }): Promise<DatabaseServer> {
    if (config.DATABASE_URL) return new DatabaseServer(config.DATABASE_URL);
    const logger = new Logger('EmbeddedPostgres');
    const started = Date.now();
    const embedded = await EmbeddedPostgresServer.start({
      dataDir: config.DATA_DIR,
      onLog: (line) => logger.debug(line),
      onWarn: (line) => logger.warn(line),
    });
    logger.log(`embedded PostgreSQL ready on 127.0.0.1:${embedded.port} (cluster ${embedded.clusterDir}) in ${Date.now() - started} ms`);
    return new DatabaseServer(embedded.url, embedded);
  }

  get isEmbedded(): boolean {
    return this.embedded !== undefined;
  }

  /** The URL without its password, for logs. */
  get safeUrl(): string {
    const u = new URL(this.url);
    if (u.password) u.password = '***';
    return u.toString();
  }

  /** Stops the embedded server if this process started it (or took it over); one it shares is left running. */
  async stop(): Promise<void> {
    if (!this.embedded) return;
    await this.embedded.stop();
    if (this.embedded.owned) new Logger('EmbeddedPostgres').log(`embedded PostgreSQL on port ${this.embedded.port} stopped`);
  }
}
