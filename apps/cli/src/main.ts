import 'reflect-metadata';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ConfigService } from '@nestjs/config';
import { Actor, type AppConfig } from '@app/common';
import { CountermeasuresService, KeptStateService } from '@app/countermeasures';
import { poolRouteOf, revertLastMigration, withStartupLock } from '@app/database';
import { DemoLoader } from '@app/demo';
import { describeEvidenceStoreReport, EvidenceStoreReconciler } from '@app/evidence';
import { isRole, UsersService, type Role } from '@app/identity';
import { NotificationsService } from '@app/notifications';
import { DateRuleSweepsService, describeSweeps, sweepsFailed } from '@app/promotion-gate';
import { SigningKeysService } from '@app/signing-keys';
import { CliModule } from './cli.module';
import { generateMigration } from './migration-generator';
import { verifyAuditTrailCommand } from './verify-audit-trail.command';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  create-user --email E --password P --name N [--kana K] --role R [--role R ...]
                         create a user (roles: ADMIN, TASK_FORCE, EXECUTIVE, AUDITOR)
  migration:run          apply pending migrations (they also run when the server starts)
  migration:revert       undo the last migration
  migration:generate N   write migrations/<timestamp>-N.ts from the entity changes
  load-demo              load the demo case (only into an empty database)
  verify-audit-trail [--against FILE]
                         recompute the audit trail's hash chain, and compare a signed
                         checkpoint with today's trail (FILE, a checkpoint kept outside
                         the database; else the newest stored one): exit 1 if the chain
                         is broken or the checkpoint is TRUNCATED, INCONSISTENT_WITH_CHECKPOINT
                         or BAD_SIGNATURE
  keys                   print the keys document (JSON): the public signing keys, active and
                         retired, with their fingerprints and dates (as served at
                         /.well-known/remediation-tracker/keys)
  check-kept-state [--repair]
                         compare the figures the dashboard keeps (counts per status,
                         the daily status flow, each item's status time) with a recount;
                         exit 1 if they differ; --repair rebuilds them from the rows
  check-freshness        move ongoing measures OPERATING ⇄ DEGRADED by the age of their
                         accepted evidence (the server also does it daily)
  expire-risk-acceptances
                         end the risk acceptances past their last day (Asia/Tokyo):
                         findings reopen, clearances they broke are withdrawn
  reevaluate-gates       re-evaluate every promotion gate after catching up its
                         incident's dated rules (stores when each rule lapses next)
  run-sweeps             all of them, in order: expire-risk-acceptances,
                         check-freshness, reevaluate-gates (the server runs them at
                         start-up and daily at 00:00 JST; running twice changes nothing)
  reconcile-evidence-store
                         compare the stored evidence files with the evidence rows:
                         remove upload temp files left by a crash and stored files no
                         evidence refers to (older than EVIDENCE_ORPHAN_GRACE_SECONDS);
                         list evidence whose file is missing and exit 1 if any (the
                         server does it at start-up and hourly)
  run-reminders [--weekly-digest]
                         create today's reminders (due, overdue, review waiting, going
                         stale, expiring risk acceptances) and send their e-mail; with
                         --weekly-digest also the executives' weekly digest (the server
                         does both on schedule; running twice creates nothing new)

The database is DATABASE_URL, or the embedded one under DATA_DIR (default ./data);
a server already running on that DATA_DIR is shared.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return command ? 0 : 2;
  }
  const known = [
    'create-user',
    'migration:run',
    'migration:revert',
    'migration:generate',
    'load-demo',
    'verify-audit-trail',
    'keys',
    'check-kept-state',
    'check-freshness',
    'expire-risk-acceptances',
    'reevaluate-gates',
    'run-sweeps',
    'run-reminders',
    'reconcile-evidence-store',
  ];
  if (!known.includes(command)) {
    process.stderr.write(`Unknown command "${command}".\n\n${USAGE}\n`);
    return 2;
  }
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(), {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  try {
    const dataSource = app.get<DataSource>(getDataSourceToken());
    switch (command) {
      case 'create-user': {
        const { values } = parseArgs({
          args: rest,
          options: {
            email: { type: 'string' },
            password: { type: 'string' },
            name: { type: 'string' },
            kana: { type: 'string' },
            role: { type: 'string', multiple: true },
          },
        });
        const roles = values.role ?? [];
        const bad = roles.filter((r) => !isRole(r));
        if (!values.email || !values.password || !values.name || roles.length === 0 || bad.length > 0) {
          process.stderr.write(
            (bad.length
              ? `Unknown role(s): ${bad.join(', ')}\n`
              : 'create-user needs --email, --password, --name and at least one --role\n') +
              '\n' +
              USAGE +
              '\n',
          );
          return 2;
        }
        const user = await app.get(UsersService).create(Actor.system('cli'), {
          email: values.email,
          password: values.password,
          displayName: values.name,
          displayNameKana: values.kana,
          roles: roles as Role[],
        });
        process.stdout.write(`created ${user.email} (${user.roles.join(', ')}) id ${user.id}\n`);
        return 0;
      }
      case 'migration:run':
        // The data source applies pending migrations when it starts (under the migrations' lock; a
        // database upgraded by a newer build refuses every command, this one included).
        process.stdout.write(`migrations applied; ${dataSource.migrations.length} known, none pending\n`);
        return 0;
      case 'migration:revert':
        // On a direct connection of its own (DATABASE_DIRECT_URL when set), without the app's statement
        // timeout, under the migrations' lock (as migrations run).
        await revertLastMigration(poolRouteOf(dataSource).directUrl);
        process.stdout.write('reverted the last migration\n');
        return 0;
      case 'migration:generate': {
        const name = rest[0];
        if (!name) {
          process.stderr.write('migration:generate needs a name, e.g. AddCountermeasures\n');
          return 2;
        }
        const file = await generateMigration(dataSource, name, path.resolve(process.cwd(), 'migrations'));
        process.stdout.write(file ? `wrote ${file}\n` : 'no changes: the schema matches the entities\n');
        return 0;
      }
      case 'verify-audit-trail':
        // Awaited here: the app closes in the finally below.
        return await verifyAuditTrailCommand(app, rest, process.stdout);
      case 'keys': {
        process.stdout.write(JSON.stringify(await app.get(SigningKeysService).keysDocument(), null, 2) + '\n');
        return 0;
      }
      case 'check-kept-state': {
        const { values } = parseArgs({ args: rest, options: { repair: { type: 'boolean' } } });
        const kept = app.get(KeptStateService);
        const found = await kept.check();
        const describe = (r: typeof found) =>
          Object.entries(r)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ');
        const differs = (r: typeof found) => Object.values(r).some((n) => n > 0);
        process.stdout.write(`${differs(found) ? 'kept state DIFFERS from a recount' : 'kept state in step'}: ${describe(found)}\n`);
        if (!differs(found) || !values.repair) return differs(found) ? 1 : 0;
        const after = await kept.repair();
        process.stdout.write(`rebuilt from the rows: ${describe(after)}\n`);
        return differs(after) ? 1 : 0;
      }
      case 'check-freshness': {
        const { checked, moved, failed } = await app.get(CountermeasuresService).refreshAllFreshness();
        process.stdout.write(
          `${checked} ongoing measures checked; moved: ${moved.join(', ') || 'none'}${failed.length ? `; FAILED: ${failed.join(', ')}` : ''}\n`,
        );
        return failed.length ? 1 : 0;
      }
      case 'expire-risk-acceptances':
      case 'reevaluate-gates':
      case 'run-sweeps': {
        const sweeps = app.get(DateRuleSweepsService);
        const result =
          command === 'run-sweeps'
            ? await sweeps.runAll()
            : command === 'expire-risk-acceptances'
              ? { riskAcceptances: await sweeps.expireRiskAcceptances() }
              : { gates: await sweeps.reevaluateGates() };
        for (const line of describeSweeps(result)) process.stdout.write(`${line}\n`);
        return sweepsFailed(result) ? 1 : 0;
      }
      case 'reconcile-evidence-store': {
        // Temp files of uploads in progress (the server's, on this DATA_DIR) are left alone:
        // only those older than an hour or of a process that is gone are removed.
        const report = await app.get(EvidenceStoreReconciler).reconcile();
        for (const line of describeEvidenceStoreReport(report)) process.stdout.write(`${line}\n`);
        return report.missing.length > 0 ? 1 : 0;
      }
      case 'run-reminders': {
        const { values } = parseArgs({ args: rest, options: { 'weekly-digest': { type: 'boolean' } } });
        const service = app.get(NotificationsService);
        const runs = [await service.runDaily()];
        if (values['weekly-digest']) runs.push(await service.runWeeklyDigest());
        for (const run of runs) {
          const kinds = Object.entries(run.created)
            .filter(([, n]) => n > 0)
            .map(([k, n]) => `${k} ${n}`);
          process.stdout.write(
            `${run.total} notifications created (${kinds.join(', ') || 'none'}); e-mail sent ${run.emailsSent}, failed ${run.emailsFailed}\n`,
          );
          if (run.failedKinds.length) process.stderr.write(`failed: ${run.failedKinds.join(', ')} (see the log above)\n`);
        }
        return runs.some((r) => r.failedKinds.length > 0) ? 1 : 0;
      }
      case 'load-demo': {
        // Under the servers' start-up lock: a server starting on the same empty database may be loading it too.
        return await withStartupLock(
          poolRouteOf(dataSource).directUrl,
          async () => {
            if ((await app.get(UsersService).count()) > 0) {
              process.stderr.write('the database is not empty; the demo loads only into an empty database\n');
              return 1;
            }
            const config = app.get<ConfigService<AppConfig, true>>(ConfigService);
            await app.get(DemoLoader).load(config.get('DEMO_PASSWORD', { infer: true }));
            process.stdout.write('demo case loaded\n');
            return 0;
          },
          () => process.stderr.write('a server is doing its start-up work on this database; waiting for it\n'),
        );
      }
    }
    return 2;
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const e = err as Error & { code?: string; details?: unknown };
    process.stderr.write(`${e?.code ? `${e.code}: ` : ''}${e?.message ?? String(err)}\n`);
    process.exit(1);
  },
);
