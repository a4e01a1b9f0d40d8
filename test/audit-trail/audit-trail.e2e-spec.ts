import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, TestApp } from '../support/test-app';

const TRAIL = `query($filter: AuditTrailFilterInput, $first: Int, $after: String) {
  auditTrail(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { seq action entityType entityId actorId actorLabel actor { email } before after requestId prevHash hash occurredAt }
  }
}`;
const VERIFY = `{ verifyAuditTrail { intact entriesChecked headSeq headHash firstBreak { kind seq } } }`;
const UPDATE_ROLES = `mutation($input: UpdateUserRolesInput!) { updateUserRoles(input: $input) { version roles } }`;

interface Entry {
  seq: string;
  action: string;
  entityType: string;
  entityId: string;
  actorId: string | null;
  actorLabel: string;
  actor: { email: string } | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  requestId: string | null;
  prevHash: string;
  hash: string;
}
type TrailRes = { auditTrail: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: Entry[] } };
type VerifyRes = {
  verifyAuditTrail: {
    intact: boolean;
    entriesChecked: number;
    headSeq: string;
    headHash: string;
    firstBreak: { kind: string; seq: string } | null;
  };
};

describe('the audit trail', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['createUser']>>;
  let adminToken: string;
  let auditorToken: string;

  beforeAll(async () => {
    t = await TestApp.start();
    admin = await t.createUser(['ADMIN'], { email: 'trail.admin@example.test' });
    adminToken = await admin.token();
    auditorToken = await (await t.createUser(['AUDITOR'])).token();
  });
  afterAll(async () => t?.close());

  it('records a change with its actor, the fields before and after (never the password hash) and the request id', async () => {
    const target = await t.createUser(['TASK_FORCE'], { displayName: '高橋 健' });
    const res = await t.gql(
      UPDATE_ROLES,
      { input: { id: target.user.id, roles: ['TASK_FORCE', 'EXECUTIVE'], expectedVersion: 1 } },
      adminToken,
      { 'x-request-id': 'req-roles-change-1' },
    );
    expect(res.errors).toBeUndefined();
    const trail = await t.gql<TrailRes>(TRAIL, { filter: { entityType: 'User', entityId: target.user.id } }, auditorToken);
    const [latest, created] = trail.data!.auditTrail.nodes;
    expect(latest).toMatchObject({
      action: 'user.roles_changed',
      actorId: admin.user.id,
      actorLabel: 'trail.admin@example.test',
      actor: { email: 'trail.admin@example.test' },
      requestId: 'req-roles-change-1',
      before: { roles: ['TASK_FORCE'], version: 1, displayName: '高橋 健' },
      after: { roles: ['TASK_FORCE', 'EXECUTIVE'], version: 2, displayName: '高橋 健' },
    });
    expect(created).toMatchObject({ action: 'user.created', before: null, actorLabel: 'system:test-factory', actor: null });
    expect(JSON.stringify(trail.data)).not.toMatch(/argon2|passwordHash|password_hash/);
  });

  it('a refused change leaves no entry', async () => {
    const target = [(await t.createUser(['TASK_FORCE'])).user]; // another user: nobody changes their own roles
    const before = await t.sql('SELECT seq FROM audit_trail');
    const stale = await t.gql(UPDATE_ROLES, { input: { id: target[0]!.id, roles: ['AUDITOR'], expectedVersion: 99 } }, adminToken);
    expect(errorCode(stale)).toBe('CONFLICT');
    const bad = await t.gql(
      `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`,
      { input: { email: 'x@example.test', displayName: 'x', password: 'short', roles: ['AUDITOR'] } },
      adminToken,
    );
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(await t.sql('SELECT seq FROM audit_trail')).toEqual(before);
  });

  it('many changes at the same moment never fork the chain: sequence without gaps, chain verifies', async () => {
    const targets = await Promise.all(Array.from({ length: 6 }, () => t.createUser(['TASK_FORCE'])));
    await Promise.all(
      targets.flatMap((u) => [
        t.gql(UPDATE_ROLES, { input: { id: u.user.id, roles: ['AUDITOR'], expectedVersion: 1 } }, adminToken),
        t.gql(UPDATE_ROLES, { input: { id: u.user.id, roles: ['EXECUTIVE'], expectedVersion: 1 } }, adminToken),
        t.createUser(['EXECUTIVE']),
      ]),
    );
    const rows = await t.sql<{ seq: string; prev_hash: string; hash: string }>(
      'SELECT seq::text AS seq, prev_hash, hash FROM audit_trail ORDER BY audit_trail.seq',
    );
    rows.forEach((r, i) => {
      expect(r.seq).toBe(String(i + 1));
      if (i > 0) expect(r.prev_hash).toBe(rows[i - 1]!.hash);
    });
    const v = await t.gql<VerifyRes>(VERIFY, {}, auditorToken);
    expect(v.data!.verifyAuditTrail).toMatchObject({
      intact: true,
      entriesChecked: rows.length,
      headSeq: String(rows.length),
      firstBreak: null,
    });
    expect(v.data!.verifyAuditTrail.headHash).toBe(rows.at(-1)!.hash);
  });

  it('pages newest first without repeats, and filters by actor and action', async () => {
    const all: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Awaited<ReturnType<typeof t.gql<TrailRes>>> = await t.gql<TrailRes>(TRAIL, { first: 7, after }, adminToken);
      all.push(...page.data!.auditTrail.nodes.map((n) => n.seq));
      if (!page.data!.auditTrail.pageInfo.hasNextPage) break;
      after = page.data!.auditTrail.pageInfo.endCursor;
    }
    const count = Number((await t.sql<{ n: string }>('SELECT count(*) n FROM audit_trail'))[0]!.n);
    expect(all).toHaveLength(count);
    expect(all.map(Number)).toEqual([...all.map(Number)].sort((a, b) => b - a));
    const byAdmin = await t.gql<TrailRes>(
      TRAIL,
      { filter: { actorId: admin.user.id, action: 'user.roles_changed' }, first: 100 },
      adminToken,
    );
    expect(byAdmin.data!.auditTrail.totalCount).toBeGreaterThan(0);
    expect(byAdmin.data!.auditTrail.nodes.every((n) => n.actorId === admin.user.id && n.action === 'user.roles_changed')).toBe(true);
  });

  it('the database itself refuses UPDATE, DELETE and TRUNCATE of the trail', async () => {
    for (const sql of [
      'UPDATE audit_trail SET action = $1 WHERE seq = 1',
      'DELETE FROM audit_trail WHERE seq = 1',
      'TRUNCATE audit_trail',
    ]) {
      const params = sql.includes('$1') ? ['tampered'] : [];
      await expect(t.sql(sql, params)).rejects.toThrow(/append-only/);
    }
  });

  it('tampering past the trigger is reported by verifyAuditTrail at the first altered entry', async () => {
    // Only the table owner can do this; it is what an insider with database rights would try.
    // The entry that created the admin (not a fixed seq: the start-up writes entries of its own first, e.g. the signing keys').
    const [created] = await t.sql<{ seq: string }>(
      `SELECT seq::text AS seq FROM audit_trail WHERE action = 'user.created' AND entity_id = $1`,
      [admin.user.id],
    );
    const seq = Number(created!.seq);
    await t.sql(`ALTER TABLE audit_trail DISABLE TRIGGER audit_trail_append_only`);
    await t.sql(`UPDATE audit_trail SET after = jsonb_set(after, '{roles}', '["AUDITOR"]') WHERE seq = $1`, [seq]);
    await t.sql(`ALTER TABLE audit_trail ENABLE TRIGGER audit_trail_append_only`);
    const v = await t.gql<VerifyRes>(VERIFY, {}, auditorToken);
    expect(v.data!.verifyAuditTrail).toMatchObject({
      intact: false,
      entriesChecked: seq - 1,
      headSeq: String(seq - 1),
      firstBreak: { kind: 'HASH_MISMATCH', seq: String(seq) },
    });
  });

  it('task-force members cannot read the trail', async () => {
    const member = await (await t.createUser(['TASK_FORCE'])).token();
    expect(errorCode(await t.gql(TRAIL, {}, member))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(VERIFY, {}, member))).toBe('FORBIDDEN');
  });
});
