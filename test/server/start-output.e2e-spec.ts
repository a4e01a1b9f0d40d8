import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/fresh-database';
import { childEnv, ensureBuild, killLeftoverServers, newDataDir, startServer, stopServer } from '../support/server-child';

/**
 * What `npm start` prints when its output is not a terminal (a pipe, a file, a
 * service manager): the banner for people, then one JSON object per log line
 * for log tools, never pino-pretty's coloured text. (On a terminal the same
 * logs are readable lines: the choice is apps/api/src/logging/log-output.ts,
 * unit-tested there.)
 */
describe('the server’s output when stdout is not a terminal', () => {
  let databaseUrl: string;
  let dataDir: string;

  beforeAll(async () => {
    ensureBuild();
    databaseUrl = await freshDatabase();
    dataDir = newDataDir('rt-output-');
  }, 180_000);

  afterAll(() => {
    killLeftoverServers();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('names the page’s address and /graphql in its banner, and writes its logs as JSON lines', async () => {
    const server = await startServer(
      childEnv({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir, DEMO: 'false', LOG_LEVEL: 'info', NODE_ENV: 'test' }),
    );
    try {
      const health = await fetch(`${server.baseUrl}/health`);
      expect(health.status).toBe(200);
      // The request's log line is written once the response is finished.
      while (!server.stdout().includes('"url":"/health"')) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await stopServer(server);
    }
    const out = server.stdout();
    expect(out).toContain(`the dashboard page at http://localhost:${server.port}/\n`);
    expect(out).toContain(`GraphQL at http://localhost:${server.port}/graphql`);
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/\u001b\[/); // no colours: nothing pretty-printed

    const lines = out.split('\n').filter((l) => l.trim() !== '');
    const banner = lines.filter((l) => !l.startsWith('{'));
    expect(banner.every((l) => /^(Remediation tracker: | {2}GraphQL at )/.test(l))).toBe(true);
    const logs = lines
      .filter((l) => l.startsWith('{'))
      .map(
        (l) =>
          JSON.parse(l) as {
            level: number;
            time: number;
            msg: string;
            req?: { method: string; url: string };
            res?: { statusCode: number };
          },
      );
    expect(logs.length).toBeGreaterThan(1);
    for (const log of logs) {
      expect(typeof log.level).toBe('number');
      expect(typeof log.time).toBe('number');
      expect(typeof log.msg).toBe('string');
    }
    expect(logs).toContainEqual(
      expect.objectContaining({
        msg: 'request completed',
        req: expect.objectContaining({ method: 'GET', url: '/health' }),
        res: expect.objectContaining({ statusCode: 200 }),
      }),
    );
  }, 120_000);
});
