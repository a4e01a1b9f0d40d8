import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigService } from '@nestjs/config';
import { ConfigValidationError, type AppConfig } from '@app/common';
import { DatabaseStartupError, EmbeddedPostgresError } from '@app/database';
import { DEMO_USERS } from '@app/demo';
import { createApp } from './bootstrap';
import { installGracefulShutdown } from './lifecycle/graceful-shutdown';
import { StartupService } from './startup/startup.service';
import { dashboardPageDir } from './web/dashboard-page';

async function main(): Promise<void> {
  const app = await createApp();
  const config = app.get<ConfigService<AppConfig, true>>(ConfigService);
  const port = config.get('PORT', { infer: true });
  // SIGTERM / SIGINT: drain (finish what is in flight), then close; installed before the first request can arrive.
  installGracefulShutdown(app, { graceSeconds: config.get('SHUTDOWN_GRACE_SECONDS', { infer: true }) });
  await app.listen(port);
  const base = `http://localhost:${port}`;
  const page = fs.existsSync(path.join(dashboardPageDir(), 'index.html')) ? `${base}/` : `${base}/ (not built: run npm run build:web)`;
  const lines = [``, `Remediation tracker: the dashboard page at ${page}`, `  GraphQL at ${base}/graphql  (health: ${base}/health)`];
  if (
    app.get(StartupService).demoLoaded ||
    (config.get('DEMO', { infer: true }) && config.get('NODE_ENV', { infer: true }) !== 'production')
  ) {
    lines.push(`Demo sign-ins (password: ${config.get('DEMO_PASSWORD', { infer: true })}):`);
    for (const u of DEMO_USERS) lines.push(`  ${u.email.padEnd(28)} ${u.roles.join(',').padEnd(11)} ${u.part}`);
  }
  process.stdout.write(lines.join('\n') + '\n\n');
}

main().catch((err: unknown) => {
  // Configuration and database problems (embedded server, schema newer than this build, pooler) carry a message meant for people.
  const known = err instanceof ConfigValidationError || err instanceof EmbeddedPostgresError || err instanceof DatabaseStartupError;
  const wrapped = err instanceof Error && /Config validation error|Invalid configuration/.test(err.message);
  process.stderr.write(
    `\nThe server did not start.\n${known || wrapped ? (err as Error).message : ((err as Error)?.stack ?? String(err))}\n`,
  );
  process.exit(1);
});
