import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { TestProject } from 'vitest/node';
import { EmbeddedPostgresServer } from '../../libs/database/src/embedded/embedded-postgres';
import { dataSourceOptions } from '../../libs/database/src/data-source-options';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the database server the tests use (embedded or DATABASE_URL's). */
    dbServerUrl: string;
    /** A migrated, empty database that each test file copies (CREATE DATABASE ... TEMPLATE). */
    dbTemplate: string;
  }
}

/** Every database the tests touch must say so in its name: a test never wipes real data. */
export function assertTestDatabase(name: string): void {
  if (!/test/i.test(name)) {
    throw new Error(`Refusing to run tests against database "${name}": its name must contain "test".`);
  }
}

/**
 * Starts the database server for the whole run (the embedded one, or the server
 * of DATABASE_URL), creates a fresh migrated template database, and removes
 * everything the run created at the end.
 */
export default async function setup(project: TestProject) {
  // Which Node ran the tests, for CI's check that each run is on the Node it names (.ci/run).
  const results = path.join(project.config.root, 'test-results');
  fs.mkdirSync(results, { recursive: true });
  fs.writeFileSync(path.join(results, 'runtime.json'), JSON.stringify({ node: process.version, execPath: process.execPath }) + '\n');
  let embedded: EmbeddedPostgresServer | undefined;
  let tmp: string | undefined;
  let serverUrl: string;
  if (process.env.DATABASE_URL) {
    serverUrl = process.env.DATABASE_URL;
    assertTestDatabase(decodeURIComponent(new URL(serverUrl).pathname.slice(1)));
  } else {
    // A world-traversable temp folder, so that the root-run server can reach it.
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-test-'));
    fs.chmodSync(tmp, 0o755);
    embedded = await EmbeddedPostgresServer.start({ dataDir: tmp, database: 'test' });
    serverUrl = embedded.url;
  }
  const run = `test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const template = `${run}_tpl`;
  assertTestDatabase(template);

  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${template}"`);
  const templateUrl = withDatabase(serverUrl, template);
  const ds = new DataSource(dataSourceOptions(templateUrl, 2));
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();

  project.provide('dbServerUrl', serverUrl);
  project.provide('dbTemplate', template);

  return async () => {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${run}%`]);
    for (const { datname } of rows) {
      assertTestDatabase(datname);
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    await admin.end();
    await embedded?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
