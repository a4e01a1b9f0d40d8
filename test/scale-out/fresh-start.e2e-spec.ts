import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_COUNTERMEASURES, DEMO_USERS } from '@app/demo';
import { freshDatabase, sqlAt } from '../support/fresh-database';
import {
  childEnv,
  ensureBuild,
  killLeftoverServers,
  newDataDir,
  runCli,
  signInAt,
  signingKeyFile,
  startServer,
  stopServer,
  type ServerChild,
} from '../support/server-child';

const ADMIN_EMAIL = 'admin@fresh-start.test';
const ADMIN_PASSWORD = 'fresh-start-password-2026';
const DEMO_PASSWORD = 'demo-password-2026';

/**
 * A deployment of several instances brought up for the first time (`docker compose up --scale api=3`, a
 * Kubernetes rollout): every instance starts at once on one empty database, each with ADMIN_EMAIL and the demo
 * on. The start-up work after the migrations (the admin, the demo case) is done once, by whichever instance comes
 * first; the others find it done. Before, two instances could both find no admin and both create one (the second
 * crashed on the unique e-mail), and both find the database empty and load the demo twice.
 */
describe('several instances started at once on an empty database', () => {
  const dirs: string[] = [];
  beforeAll(() => ensureBuild(), 300_000);
  afterAll(() => {
    killLeftoverServers();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  /** A new empty database and what every instance of a deployment shares, as the environment of a process. */
  async function deployment(): Promise<{ url: string; env: NodeJS.ProcessEnv }> {
    const url = await freshDatabase({ infix: '_fresh_', empty: true });
    const shared = newDataDir('rt-fresh-start-');
    dirs.push(shared);
    const env = childEnv({
      NODE_ENV: 'test',
      INSTANCES: '3',
      DATABASE_URL: url,
      // What a deployment shares: one DATA_DIR (its evidence folder mounted on every instance), the secrets, the keys.
      DATA_DIR: shared,
      EVIDENCE_SHARED_DIRECTORY: 'true',
      CHECKPOINT_DIR: path.join(shared, 'checkpoints'),
      BUNDLE_DIR: path.join(shared, 'bundles'),
      JWT_SECRET: randomBytes(32).toString('hex'),
      SECOND_FACTOR_KEY: randomBytes(32).toString('hex'),
      TRAIL_SIGNING_KEY_FILE: signingKeyFile(shared, 'trail'),
      BUNDLE_SIGNING_KEY_FILE: signingKeyFile(shared, 'bundle'),
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
      DEMO: 'true',
      DEMO_PASSWORD,
      PASSWORD_HASHING: 'fast',
      LOG_LEVEL: 'warn',
      // Three servers beside the other worker's tests on one PostgreSQL (max_connections 100): a small pool each.
      DATABASE_POOL_SIZE: '3',
    });
    return { url, env };
  }

  it('all three serve; the admin is created once and the demo case loaded once', async () => {
    const { url, env } = await deployment();
    const servers: ServerChild[] = [];
    try {
      const started = await Promise.allSettled([0, 1, 2].map(() => startServer(env)));
      for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
      expect(started.map((s) => (s.status === 'rejected' ? String(s.reason) : 'started'))).toEqual(['started', 'started', 'started']);
      for (const s of servers) expect((await fetch(`${s.baseUrl}/health/ready`)).status).toBe(200);

      const admins = await sqlAt<{ n: string }>(url, `SELECT count(*) AS n FROM users WHERE email = $1`, [ADMIN_EMAIL]);
      expect(Number(admins[0]!.n)).toBe(1);
      const [counts] = await sqlAt<{ users: string; incidents: string; countermeasures: string }>(
        url,
        `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM incidents) AS incidents,
                (SELECT count(*) FROM countermeasures) AS countermeasures`,
      );
      expect({
        users: Number(counts!.users),
        incidents: Number(counts!.incidents),
        countermeasures: Number(counts!.countermeasures),
      }).toEqual({
        users: DEMO_USERS.length + 1,
        incidents: 1,
        countermeasures: DEMO_COUNTERMEASURES.length,
      });
      const outputs = servers.map((s) => s.output());
      for (const o of outputs) expect(o).not.toMatch(/duplicate key|already exists/);

      // Every instance signs in both the admin and a demo user, and sees the one case.
      const president = DEMO_USERS.find((u) => u.roles.includes('EXECUTIVE'))!;
      for (const s of servers) {
        await signInAt(s.baseUrl, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
        const token = await signInAt(s.baseUrl, { email: president.email, password: DEMO_PASSWORD });
        const res = await fetch(`${s.baseUrl}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: '{ countermeasures(first: 50) { totalCount } }' }),
        });
        expect(((await res.json()) as { data: { countermeasures: { totalCount: number } } }).data.countermeasures.totalCount).toBe(
          DEMO_COUNTERMEASURES.length,
        );
      }
    } finally {
      for (const s of servers) await stopServer(s);
    }
  }, 300_000);

  it("the command line's load-demo beside a server starting on the same empty database: the case is loaded once", async () => {
    const { url, env } = await deployment();
    const migrated = await startServer({ ...env, DEMO: 'false', ADMIN_EMAIL: undefined, ADMIN_PASSWORD: undefined });
    await stopServer(migrated); // the schema in place, no user yet: what load-demo expects
    const cli = runCli(['load-demo'], env);
    const server = await startServer(env);
    try {
      const run = await cli;
      // Whichever came second found the case there: the command says so, or the server skips the demo.
      expect([run.code, run.code === 0 ? run.stdout : run.stderr]).toEqual(
        run.code === 0 ? [0, expect.stringContaining('demo case loaded')] : [1, expect.stringContaining('the database is not empty')],
      );
      const [counts] = await sqlAt<{ incidents: string; countermeasures: string }>(
        url,
        `SELECT (SELECT count(*) FROM incidents) AS incidents, (SELECT count(*) FROM countermeasures) AS countermeasures`,
      );
      expect({ incidents: Number(counts!.incidents), countermeasures: Number(counts!.countermeasures) }).toEqual({
        incidents: 1,
        countermeasures: DEMO_COUNTERMEASURES.length,
      });
      expect(server.output()).not.toMatch(/duplicate key|already exists/);
    } finally {
      await stopServer(server);
    }
  }, 300_000);
});
