import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountermeasureParties1795680000100 } from '../../migrations/1795680000100-CountermeasureParties';
import { TestApp } from '../support/test-app';

/**
 * On the demo's data, the party history the commands wrote is exactly what the
 * migration fills from the trail, and it excludes exactly the people the old trail
 * query excluded. (The demo's items keep their first owner and contributors;
 * reassignments are covered by party-history.e2e-spec.ts.)
 */
describe('the party history on the demo', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ DEMO: 'true', DEMO_PASSWORD: 'demo-password-for-tests' });
  });
  afterAll(async () => t?.close());

  const rows = () =>
    t.sql(
      `SELECT countermeasure_id, user_id, role, since, until, started_by_entry_id, ended_by_entry_id FROM countermeasure_parties ORDER BY countermeasure_id, since, role, user_id`,
    );

  it('everyone who ever owned or contributed, per item, is who the trail query found (plus today’s owner)', async () => {
    // The query segregation of duties ran before the party history, over every item.
    const old = await t.sql<{ id: string; users: string[] }>(
      `SELECT c.id, array_agg(DISTINCT v.id ORDER BY v.id) AS users FROM countermeasures c
         LEFT JOIN audit_trail t ON t.entity_type = 'Countermeasure' AND t.entity_id = c.id::text
         CROSS JOIN LATERAL (
           SELECT t.before->>'ownerId' UNION ALL SELECT t.after->>'ownerId'
           UNION ALL SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(t.before->'contributorIds') = 'array' THEN t.before->'contributorIds' ELSE '[]'::jsonb END)
           UNION ALL SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(t.after->'contributorIds') = 'array' THEN t.after->'contributorIds' ELSE '[]'::jsonb END)
           UNION ALL SELECT cc.user_id::text FROM countermeasure_contributors cc WHERE cc.countermeasure_id = c.id
           UNION ALL SELECT c.owner_id::text
         ) AS v(id)
        WHERE v.id IS NOT NULL GROUP BY c.id ORDER BY c.id`,
    );
    const now = await t.sql<{ id: string; users: string[] }>(
      `SELECT countermeasure_id AS id, array_agg(DISTINCT user_id::text ORDER BY user_id::text) AS users FROM countermeasure_parties GROUP BY 1 ORDER BY 1`,
    );
    expect(old.length).toBeGreaterThan(5);
    expect(now).toEqual(old);
  });

  it('the migration’s fill from the demo’s trail is row for row what the commands wrote', async () => {
    const written = await rows();
    const runner = t.app.get<DataSource>(getDataSourceToken()).createQueryRunner();
    try {
      const migration = new CountermeasureParties1795680000100();
      await migration.down(runner);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    expect(await rows()).toEqual(written);
  });
});
