import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The party history of the countermeasures context (`countermeasure_parties`):
 * who owned or contributed to an item, from when until when. Segregation of
 * duties used to read it out of the audit trail's JSON; from here on the
 * countermeasures context writes it with every change of owner or contributors.
 *
 * The fill replays the trail as the old query read it (entity type
 * `Countermeasure`; `countermeasure.created` after.ownerId/contributorIds,
 * `countermeasure.owner_assigned` before/after.ownerId and after.removedContributorId,
 * `countermeasure.contributors_changed` before/after.contributorIds), then makes
 * the open rows agree with today's owner and contributor rows, and finally keeps
 * anyone else the old query would have found (an ownerId or contributorIds in
 * any other entry of the item) as a closed row of that entry: nobody whom
 * segregation of duties excluded before the migration is allowed after it.
 */
export class CountermeasureParties1795680000100 implements MigrationInterface {
  name = 'CountermeasureParties1795680000100';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "countermeasure_parties" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "countermeasure_id" uuid NOT NULL, "user_id" uuid NOT NULL, "role" text NOT NULL, "since" TIMESTAMP WITH TIME ZONE NOT NULL, "until" TIMESTAMP WITH TIME ZONE, "started_by_entry_id" uuid, "ended_by_entry_id" uuid, CONSTRAINT "CHK_countermeasure_parties_period" CHECK ("until" IS NULL OR "until" >= "since"), CONSTRAINT "CHK_countermeasure_parties_role" CHECK ("role" IN ('OWNER', 'CONTRIBUTOR')), CONSTRAINT "PK_76a76d5c185ca7c42aa02a1cc2c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_countermeasure_parties_current" ON "countermeasure_parties"  ("countermeasure_id", "user_id", "role") WHERE "until" IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_countermeasure_parties_user" ON "countermeasure_parties"  ("user_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_countermeasure_parties_cm" ON "countermeasure_parties"  ("countermeasure_id", "since") `);
    await queryRunner.query(
      `ALTER TABLE "countermeasure_parties" ADD CONSTRAINT "FK_e2cf25eda32322663e91177c656" FOREIGN KEY ("countermeasure_id") REFERENCES "countermeasures"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "countermeasure_parties" ADD CONSTRAINT "FK_d3d9b31b429f728e0b0c6db0cd4" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await fillCountermeasureParties(queryRunner);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "countermeasure_parties" DROP CONSTRAINT "FK_d3d9b31b429f728e0b0c6db0cd4"`);
    await queryRunner.query(`ALTER TABLE "countermeasure_parties" DROP CONSTRAINT "FK_e2cf25eda32322663e91177c656"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_countermeasure_parties_cm"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_countermeasure_parties_user"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_countermeasure_parties_current"`);
    await queryRunner.query(`DROP TABLE "countermeasure_parties"`);
  }
}

/** One audit-trail entry of a countermeasure, as the fill reads it. */
export interface PartyTrailEntry {
  id: string;
  countermeasureId: string;
  action: string;
  occurredAt: Date;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** Today's parties of a countermeasure (the countermeasures row and its contributor rows). */
export interface CurrentParties {
  countermeasureId: string;
  ownerId: string;
  contributorIds: readonly string[];
  createdAt: Date;
}

export interface PartyRow {
  countermeasureId: string;
  userId: string;
  role: 'OWNER' | 'CONTRIBUTOR';
  since: Date;
  until: Date | null;
  startedByEntryId: string | null;
  endedByEntryId: string | null;
}

/**
 * The party history the trail tells (pure; the migration and its spec use it).
 * `entries` in trail order (seq); `now` closes an open row nobody holds today.
 */
export function partyHistoryFromTrail(entries: readonly PartyTrailEntry[], current: readonly CurrentParties[], now: Date): PartyRow[] {
  const rows: PartyRow[] = [];
  const open = new Map<string, PartyRow>(); // `${cm}|${role}|${user}`
  const key = (cm: string, role: PartyRow['role'], user: string) => `${cm}|${role}|${user}`;
  const start = (cm: string, role: PartyRow['role'], user: unknown, at: Date, entryId: string | null) => {
    if (typeof user !== 'string' || !user || open.has(key(cm, role, user))) return;
    const row: PartyRow = {
      countermeasureId: cm,
      userId: user,
      role,
      since: at,
      until: null,
      startedByEntryId: entryId,
      endedByEntryId: null,
    };
    rows.push(row);
    open.set(key(cm, role, user), row);
  };
  const end = (cm: string, role: PartyRow['role'], user: unknown, at: Date, entryId: string | null) => {
    if (typeof user !== 'string') return;
    const row = open.get(key(cm, role, user));
    if (!row) return;
    row.until = at < row.since ? row.since : at;
    row.endedByEntryId = entryId;
    open.delete(key(cm, role, user));
  };
  const ids = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : []);

  for (const e of entries) {
    const cm = e.countermeasureId;
    const before = e.before ?? {};
    const after = e.after ?? {};
    if (e.action === 'countermeasure.created') {
      start(cm, 'OWNER', after.ownerId, e.occurredAt, e.id);
      for (const u of ids(after.contributorIds)) start(cm, 'CONTRIBUTOR', u, e.occurredAt, e.id);
    } else if (e.action === 'countermeasure.owner_assigned') {
      if (before.ownerId !== after.ownerId) {
        end(cm, 'OWNER', before.ownerId, e.occurredAt, e.id);
        start(cm, 'OWNER', after.ownerId, e.occurredAt, e.id);
      }
      end(cm, 'CONTRIBUTOR', after.removedContributorId, e.occurredAt, e.id);
    } else if (e.action === 'countermeasure.contributors_changed') {
      const was = ids(before.contributorIds);
      const is = ids(after.contributorIds);
      for (const u of was) if (!is.includes(u)) end(cm, 'CONTRIBUTOR', u, e.occurredAt, e.id);
      for (const u of is) if (!was.includes(u)) start(cm, 'CONTRIBUTOR', u, e.occurredAt, e.id);
    }
  }

  // The open rows agree with today's rows (the trail of an item may begin before the trail did).
  for (const c of current) {
    const cm = c.countermeasureId;
    const latest = rows.filter((r) => r.countermeasureId === cm).reduce((t, r) => (r.since > t ? r.since : t), c.createdAt);
    for (const row of [...open.values()]) {
      if (row.countermeasureId !== cm) continue;
      const holds = row.role === 'OWNER' ? row.userId === c.ownerId : c.contributorIds.includes(row.userId);
      if (!holds) end(cm, row.role, row.userId, now, null);
    }
    const hasAny = (role: PartyRow['role'], u: string) => rows.some((r) => r.countermeasureId === cm && r.role === role && r.userId === u);
    start(cm, 'OWNER', c.ownerId, hasAny('OWNER', c.ownerId) ? latest : c.createdAt, null);
    for (const u of c.contributorIds) start(cm, 'CONTRIBUTOR', u, hasAny('CONTRIBUTOR', u) ? latest : c.createdAt, null);
  }

  // Anyone else the old trail query found (an ownerId or contributorIds in any entry) stays excluded.
  for (const e of entries) {
    const cm = e.countermeasureId;
    const seen: [PartyRow['role'], string][] = [];
    for (const side of [e.before, e.after]) {
      if (!side) continue;
      if (typeof side.ownerId === 'string' && side.ownerId) seen.push(['OWNER', side.ownerId]);
      for (const u of ids(side.contributorIds)) seen.push(['CONTRIBUTOR', u]);
    }
    for (const [role, u] of seen) {
      if (rows.some((r) => r.countermeasureId === cm && r.userId === u)) continue;
      rows.push({
        countermeasureId: cm,
        userId: u,
        role,
        since: e.occurredAt,
        until: e.occurredAt,
        startedByEntryId: e.id,
        endedByEntryId: e.id,
      });
    }
  }
  return rows;
}

/** Reads the trail and today's rows, writes the history (in batches). */
export async function fillCountermeasureParties(queryRunner: QueryRunner, now: Date = new Date()): Promise<number> {
  const entries = (
    (await queryRunner.query(
      `SELECT t."id", t."entity_id", t."action", t."occurred_at", t."before", t."after"
       FROM "audit_trail" t JOIN "countermeasures" c ON c."id"::text = t."entity_id"
      WHERE t."entity_type" = 'Countermeasure'
      ORDER BY t."seq"`,
    )) as {
      id: string;
      entity_id: string;
      action: string;
      occurred_at: Date;
      before: Record<string, unknown> | null;
      after: Record<string, unknown> | null;
    }[]
  ).map((r) => ({
    id: r.id,
    countermeasureId: r.entity_id,
    action: r.action,
    occurredAt: new Date(r.occurred_at),
    before: r.before,
    after: r.after,
  }));
  const current = (
    (await queryRunner.query(
      `SELECT c."id", c."owner_id", c."created_at",
            COALESCE((SELECT array_agg(cc."user_id"::text ORDER BY cc."user_id") FROM "countermeasure_contributors" cc WHERE cc."countermeasure_id" = c."id"), '{}') AS "contributor_ids"
       FROM "countermeasures" c`,
    )) as { id: string; owner_id: string; created_at: Date; contributor_ids: string[] }[]
  ).map((r) => ({
    countermeasureId: r.id,
    ownerId: r.owner_id,
    contributorIds: r.contributor_ids,
    createdAt: new Date(r.created_at),
  }));
  const users = new Set(((await queryRunner.query(`SELECT "id"::text AS "id" FROM "users"`)) as { id: string }[]).map((u) => u.id));
  // A trail id that names no user (never the case in practice: users are never deleted) cannot be a foreign key.
  const rows = partyHistoryFromTrail(entries, current, now).filter((r) => users.has(r.userId));
  for (let i = 0; i < rows.length; i += 500) {
    const batch = rows.slice(i, i + 500);
    const params: unknown[] = [];
    const values = batch.map((r) => {
      params.push(r.countermeasureId, r.userId, r.role, r.since, r.until, r.startedByEntryId, r.endedByEntryId);
      const n = params.length;
      return `($${n - 6}, $${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
    });
    await queryRunner.query(
      `INSERT INTO "countermeasure_parties" ("countermeasure_id", "user_id", "role", "since", "until", "started_by_entry_id", "ended_by_entry_id") VALUES ${values.join(', ')}`,
      params,
    );
  }
  return rows.length;
}
