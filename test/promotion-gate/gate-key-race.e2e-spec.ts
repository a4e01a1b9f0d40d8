import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIncident } from '../support/remediation-factory';
import { errorCode, TestApp, type GqlResponse } from '../support/test-app';

const CREATE = `mutation($input: CreateGateInput!) { createGate(input: $input) { id key } }`;

/**
 * Two people create a gate with the same key at the same moment (for two
 * incidents, so no incident lock orders them): both find the key free, the
 * unique index lets one in. The other must hear CONFLICT (the key is taken),
 * never an internal error.
 */
describe('two gates created with one key at once', () => {
  let t: TestApp;
  let adminToken: string;
  let incidentA: string;
  let incidentB: string;

  beforeAll(async () => {
    t = await TestApp.start();
    adminToken = await (await t.createUser(['ADMIN'])).token();
    incidentA = (await makeIncident(t, '事案 A')).incident.id;
    incidentB = (await makeIncident(t, '事案 B')).incident.id;
  });
  afterAll(async () => t?.close());

  const create = (incidentId: string, key: string) =>
    t.gql<{ createGate: { id: string; key: string } }>(
      CREATE,
      { input: { incidentId, key, name: '新規顧客向け販促', reason: '監査完了まで停止' } },
      adminToken,
    );

  it('the one that loses at the unique index gets CONFLICT (KEY_TAKEN), not INTERNAL_SERVER_ERROR', async () => {
    // Made deterministic: another transaction has inserted the key and not committed yet, so the
    // API's own check finds the key free and its insert waits on the unique index.
    const other = new Client({ connectionString: t.databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(
        `INSERT INTO promotion_gates (incident_id, key, name, created_reason, state, version) VALUES ($1, 'web-dm', '先に作られた門', '停止', 'SUSPENDED', 1)`,
        [incidentA],
      );
      const pending = create(incidentB, 'web-dm');
      for (let waiting = false; !waiting;) {
        const [row] = await t.sql<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO "promotion_gates"%'`,
        );
        waiting = Number(row!.n) > 0;
      }
      await other.query('COMMIT');
      const res = await pending;
      expect(errorCode(res)).toBe('CONFLICT');
      expect(res.errors![0]!.extensions).toMatchObject({ reason: 'KEY_TAKEN', key: 'web-dm' });
      expect(JSON.stringify(res.errors)).not.toMatch(/duplicate key|UQ_|23505/);
    } finally {
      await other.end();
    }
    const rows = await t.sql<{ incident_id: string }>(`SELECT incident_id FROM promotion_gates WHERE key = 'web-dm'`);
    expect(rows).toEqual([{ incident_id: incidentA }]);
  });

  it('fired in parallel through the API, round after round: exactly one succeeds, every other is CONFLICT', async () => {
    for (let round = 0; round < 5; round++) {
      const key = `race-${round}`;
      const results: GqlResponse<{ createGate: { key: string } }>[] = await Promise.all([
        create(incidentA, key),
        create(incidentB, key),
        create(incidentA, key),
      ]);
      const codes = results.map(errorCode);
      expect(
        codes.filter((c) => c === undefined),
        `round ${round}: ${JSON.stringify(codes)}`,
      ).toHaveLength(1);
      expect(
        codes.filter((c) => c !== undefined).every((c) => c === 'CONFLICT'),
        `round ${round}: ${JSON.stringify(codes)}`,
      ).toBe(true);
      expect(await t.sql(`SELECT id FROM promotion_gates WHERE key = $1`, [key])).toHaveLength(1);
    }
  });
});
