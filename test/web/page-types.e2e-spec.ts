import * as fs from 'node:fs';
import * as path from 'node:path';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printApiSchema } from '../../apps/api/src/web/print-schema';
import { TestApp } from '../support/test-app';

/**
 * The page's GraphQL types are generated from apps/web/schema.graphql, which
 * `npm run generate:web-types` prints from the server's code without starting
 * it. This proves the printed schema is the one the running server serves, so
 * the page is typed against the real API (npm run lint then proves the
 * committed files are current).
 */
describe('the schema the page is typed against', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is the schema the running server serves, and the committed apps/web/schema.graphql is that schema', async () => {
    const served = printSchema(lexicographicSortSchema(t.app.get(GraphQLSchemaHost).schema)) + '\n';
    expect(served).toContain('type ActivityEntry');
    expect(await printApiSchema()).toBe(served);
    expect(fs.readFileSync(path.resolve(__dirname, '../../apps/web/schema.graphql'), 'utf8')).toBe(served);
  }, 60_000);
});
