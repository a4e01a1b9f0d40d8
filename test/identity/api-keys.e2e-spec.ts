import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '@app/common';
import { PromotionGateService } from '@app/promotion-gate';
import { makeIncident } from '../support/remediation-factory';
import { errorCode, TestApp, type GqlResponse } from '../support/test-app';

/**
 * Service-account API keys of the promotion systems: admins create and revoke
 * them; a key (role SERVICE) reads the promotion gates and is refused
 * everything else; the secret is shown once and stored only as a hash.
 */
const KEY_FIELDS =
  'id name prefix role createdById createdByLabel createdAt active revokedAt revokedById revokedByLabel revocationReason lastUsedAt';
const CREATE = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { ${KEY_FIELDS} } } }`;
const REVOKE = `mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { ${KEY_FIELDS} } }`;
const LIST = `query($first: Int, $after: String) { apiKeys(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name prefix active } } } }`;
const CAN_PROMOTE = `query($gate: String!) { canPromote(gate: $gate) { key state canPromote since } }`;
const GATE = `query($key: String!) { gate(key: $key) { key state canPromote blockers { kind itemKey message } } }`;
const GATE_KEY = 'new-customer-promotion';

interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  role: string;
  createdById: string | null;
  createdByLabel: string;
  createdAt: string;
  active: boolean;
  revokedAt: string | null;
  revokedById: string | null;
  revokedByLabel: string | null;
  revocationReason: string | null;
  lastUsedAt: string | null;
}

describe('API keys of the promotion systems', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['createUser']>>;
  let adminToken: string;

  beforeAll(async () => {
    t = await TestApp.start();
    admin = await t.createUser(['ADMIN'], { displayName: '管理者 花子' });
    adminToken = await admin.token();
    const { incident } = await makeIncident(t);
    await t.app.get(PromotionGateService).create(Actor.system('test'), {
      incidentId: incident.id,
      key: GATE_KEY,
      name: '新規顧客向け販促',
      reason: '監査完了まで停止',
    });
  });
  afterAll(async () => t?.close());

  const create = (input: Record<string, unknown>, token = adminToken) =>
    t.gql<{ createApiKey: { secret: string; apiKey: ApiKey } }>(CREATE, { input }, token);
  const revoke = (input: Record<string, unknown>, token = adminToken) => t.gql<{ revokeApiKey: ApiKey }>(REVOKE, { input }, token);
  const newKey = async (name: string) => {
    const res = await create({ name });
    expect(res.errors).toBeUndefined();
    return res.data!.createApiKey;
  };
  /** Everything the key part of the database holds, and the trail's length: to prove a refusal wrote nothing. */
  const state = async () => ({
    keys: await t.sql(`SELECT * FROM api_keys ORDER BY id`),
    users: await t.sql(`SELECT id, roles, version FROM users ORDER BY id`),
    trail: Number((await t.sql<{ n: string }>(`SELECT count(*) AS n FROM audit_trail`))[0]!.n),
  });
  const reason = (res: GqlResponse) => res.errors?.[0]?.extensions?.reason;

  it('an admin creates a key with a Japanese name: the secret is returned once, in the rtk_<prefix>_<secret> format, and the key is SERVICE', async () => {
    const res = await create({ name: '  販促配信システム (本番)  ' });
    expect(res.errors).toBeUndefined();
    const { secret, apiKey } = res.data!.createApiKey;
    expect(secret).toMatch(/^rtk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(secret.startsWith(`rtk_${apiKey.prefix}_`)).toBe(true);
    expect(apiKey).toMatchObject({
      name: '販促配信システム (本番)',
      role: 'SERVICE',
      createdById: admin.user.id,
      createdByLabel: admin.user.email,
      active: true,
      revokedAt: null,
      revocationReason: null,
      lastUsedAt: null,
    });
    // Never shown again: the list and the type have no secret field at all.
    const list = await t.gql<{ apiKeys: { edges: { node: Record<string, unknown> }[] } }>(LIST, {}, adminToken);
    const listed = list.data!.apiKeys.edges.find((e) => e.node.id === apiKey.id)!.node;
    expect(JSON.stringify(listed)).not.toContain(secret.slice(17));
    const noField = await t.gql(`{ apiKeys { nodes { secret } } }`, {}, adminToken);
    expect(noField.errors?.[0]?.message).toMatch(/Cannot query field "secret"/);
  });

  it('stores only SHA-256 of the key: the secret appears nowhere in the database, the audit trail included', async () => {
    const { secret, apiKey } = await newKey('秘密の保管確認');
    const secretPart = secret.slice(`rtk_${apiKey.prefix}_`.length);
    const [row] = await t.sql<{ secret_hash: string; prefix: string }>(`SELECT secret_hash, prefix FROM api_keys WHERE id = $1`, [
      apiKey.id,
    ]);
    expect(row!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.secret_hash).not.toBe(secret);
    expect(row!.prefix).toBe(apiKey.prefix);
    const { createHash } = await import('node:crypto');
    expect(row!.secret_hash).toBe(createHash('sha256').update(secret).digest('hex'));
    // Every row of every table, as text: neither the key nor its secret part is there.
    const tables = await t.sql<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    expect(tables.map((x) => x.table_name)).toEqual(expect.arrayContaining(['api_keys', 'audit_trail', 'users']));
    for (const { table_name } of tables) {
      const [hit] = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM "${table_name}" x WHERE x::text LIKE $1`, [`%${secretPart}%`]);
      expect({ table_name, hits: Number(hit!.n) }).toEqual({ table_name, hits: 0 });
    }
    // The trail records the creation, by the admin, without the secret or its hash.
    const [entry] = await t.sql<{ actor_id: string; actor_label: string; after: unknown }>(
      `SELECT actor_id, actor_label, after FROM audit_trail WHERE entity_type = 'ApiKey' AND entity_id = $1 AND action = 'api_key.created'`,
      [apiKey.id],
    );
    expect(entry).toMatchObject({ actor_id: admin.user.id, actor_label: admin.user.email });
    expect(entry!.after).toMatchObject({ name: '秘密の保管確認', prefix: apiKey.prefix, role: 'SERVICE', revokedAt: null });
    expect(JSON.stringify(entry!.after)).not.toContain(row!.secret_hash);
  });

  it('the key reads canPromote, gate(key) and gates over GraphQL, with Authorization: Bearer <key>', async () => {
    const { secret } = await newKey('販促配信システム (検証)');
    const check = await t.gql<{ canPromote: { key: string; state: string; canPromote: boolean; since: string } }>(
      CAN_PROMOTE,
      { gate: GATE_KEY },
      secret,
    );
    expect(check.errors).toBeUndefined();
    const expected = await t.app.get(PromotionGateService).canPromote(GATE_KEY);
    expect(check.data!.canPromote).toEqual({ key: GATE_KEY, state: 'SUSPENDED', canPromote: false, since: expected.since.toISOString() });
    const gate = await t.gql<{ gate: { key: string; state: string; canPromote: boolean; blockers: unknown[] } }>(
      GATE,
      { key: GATE_KEY },
      secret,
    );
    expect(gate.errors).toBeUndefined();
    expect(gate.data!.gate).toMatchObject({ key: GATE_KEY, state: 'SUSPENDED', canPromote: false });
    expect(gate.data!.gate.blockers).toEqual(expected.blockers.map((b) => ({ kind: b.kind, itemKey: b.itemKey, message: b.message })));
    const gates = await t.gql<{ gates: { key: string }[] }>(`{ gates { key } }`, {}, secret);
    expect(gates.data!.gates.map((g) => g.key)).toEqual([GATE_KEY]);
    // An unknown gate is NOT_FOUND for a key too (the guard let it through; the gate is missing).
    expect(errorCode(await t.gql(CAN_PROMOTE, { gate: 'no-such-gate' }, secret))).toBe('NOT_FOUND');
  });

  it('the key is FORBIDDEN everywhere else: me, countermeasures, incidents, users, the audit trail, and every kind of mutation', async () => {
    const { secret } = await newKey('権限確認');
    const before = await state();
    const refused: [string, string, Record<string, unknown>][] = [
      ['me', `{ me { id } }`, {}],
      ['countermeasures', `{ countermeasures(first: 1) { totalCount } }`, {}],
      ['incidents', `{ incidents { totalCount } }`, {}],
      ['users', `{ users { totalCount } }`, {}],
      ['auditTrail', `{ auditTrail { totalCount } }`, {}],
      ['apiKeys', LIST, {}],
      ['createApiKey', CREATE, { input: { name: '自分で増やす' } }],
      ['createIncident', `mutation { createIncident(input: { title: "乗っ取り" }) { id } }`, {}],
      ['suspendGate', `mutation { suspendGate(input: { key: "${GATE_KEY}", expectedVersion: 1, statement: "x" }) { key } }`, {}],
      [
        'createUser',
        `mutation { createUser(input: { email: "x@example.test", displayName: "x", password: "a-long-enough-password", roles: [ADMIN] }) { id } }`,
        {},
      ],
    ];
    for (const [name, query, variables] of refused) {
      const res = await t.gql(query, variables, secret);
      expect({ name, code: errorCode(res), reason: reason(res) }).toEqual({ name, code: 'FORBIDDEN', reason: 'PERMISSION_DENIED' });
      expect(res.errors![0]!.message).toMatch(/SERVICE/);
    }
    const after = await state();
    // Only lastUsedAt of the key may move (telemetry); nothing else, and no trail entry.
    expect(after.trail).toBe(before.trail);
    expect(after.users).toEqual(before.users);
    expect(after.keys.map(({ last_used_at: _, ...k }) => k)).toEqual(before.keys.map(({ last_used_at: _, ...k }) => k));
  });

  it('a revoked key is UNAUTHENTICATED at once; the revocation keeps who, when and why, and is in the trail', async () => {
    const { secret, apiKey } = await newKey('解約予定の代理店');
    expect(errorCode(await t.gql(CAN_PROMOTE, { gate: GATE_KEY }, secret))).toBeUndefined();
    const res = await revoke({ id: apiKey.id, reason: '  代理店との契約終了  ' });
    expect(res.errors).toBeUndefined();
    expect(res.data!.revokeApiKey).toMatchObject({
      id: apiKey.id,
      active: false,
      revokedById: admin.user.id,
      revokedByLabel: admin.user.email,
      revocationReason: '代理店との契約終了',
    });
    expect(res.data!.revokeApiKey.revokedAt).not.toBeNull();
    const refused = await t.gql(CAN_PROMOTE, { gate: GATE_KEY }, secret);
    expect(errorCode(refused)).toBe('UNAUTHENTICATED');
    expect(reason(refused)).toBe('INVALID_API_KEY');
    expect(refused.data?.canPromote ?? null).toBeNull();
    const http = await fetch(`${t.baseUrl}/gates/${GATE_KEY}`, { headers: { authorization: `Bearer ${secret}` } });
    expect(http.status).toBe(401);
    const [entry] = await t.sql<{
      actor_label: string;
      before: { revokedAt: unknown };
      after: { revokedAt: unknown; revocationReason: string };
    }>(`SELECT actor_label, before, after FROM audit_trail WHERE entity_id = $1 AND action = 'api_key.revoked'`, [apiKey.id]);
    expect(entry!.actor_label).toBe(admin.user.email);
    expect(entry!.before.revokedAt).toBeNull();
    expect(entry!.after).toMatchObject({ revokedAt: res.data!.revokeApiKey.revokedAt, revocationReason: '代理店との契約終了' });
  });

  it('an unknown, forged or malformed key is UNAUTHENTICATED, and a JWT keeps working beside keys', async () => {
    const { secret, apiKey } = await newKey('偽造確認');
    const forged = `rtk_${apiKey.prefix}_${'A'.repeat(43)}`;
    const otherPrefix = `rtk_000000000000_${secret.slice(-43)}`;
    // An upper-cased prefix is a different key only when the prefix has a letter (a-f) in it.
    const upperCased = `rtk_${apiKey.prefix.toUpperCase()}_${secret.slice(-43)}`;
    for (const bad of [forged, otherPrefix, 'rtk_', `${secret}x`, secret.slice(0, -1), ...(upperCased === secret ? [] : [upperCased])]) {
      const res = await t.gql(CAN_PROMOTE, { gate: GATE_KEY }, bad);
      expect({ bad, code: errorCode(res), reason: reason(res) }).toEqual({ bad, code: 'UNAUTHENTICATED', reason: 'INVALID_API_KEY' });
    }
    // The JWT path is unchanged: no token, a garbage token, a valid token.
    const none = await t.gql(`{ me { id } }`);
    expect([errorCode(none), reason(none), none.errors![0]!.message]).toEqual([
      'UNAUTHENTICATED',
      'INVALID_TOKEN',
      'Sign in first: send Authorization: Bearer <accessToken>',
    ]);
    expect(reason(await t.gql(`{ me { id } }`, {}, 'garbage'))).toBe('INVALID_TOKEN');
    const me = await t.gql<{ me: { id: string } }>(`{ me { id } }`, {}, adminToken);
    expect(me.data!.me.id).toBe(admin.user.id);
  });

  it('records lastUsedAt on use, at most once a minute (not a write per request)', async () => {
    const { secret, apiKey } = await newKey('利用記録');
    const lastUsed = async () =>
      (await t.sql<{ last_used_at: Date | null }>(`SELECT last_used_at FROM api_keys WHERE id = $1`, [apiKey.id]))[0]!.last_used_at;
    expect(await lastUsed()).toBeNull();
    await t.gql(CAN_PROMOTE, { gate: GATE_KEY }, secret);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await t.gql(CAN_PROMOTE, { gate: GATE_KEY }, secret);
    await t.gql(CAN_PROMOTE, { gate: GATE_KEY }, secret);
    expect(await lastUsed()).toEqual(first);
    // A minute later (moved back in the database rather than waiting), the next use records again.
    await t.sql(`UPDATE api_keys SET last_used_at = last_used_at - interval '61 seconds' WHERE id = $1`, [apiKey.id]);
    const moved = await lastUsed();
    await t.gql(CAN_PROMOTE, { gate: GATE_KEY }, secret);
    expect((await lastUsed())!.getTime()).toBeGreaterThanOrEqual(first!.getTime());
    expect((await lastUsed())!.getTime()).toBeGreaterThan(moved!.getTime());
  });

  it('only admins create, revoke and list keys: task force, executives and auditors are FORBIDDEN and nothing is written', async () => {
    const { apiKey } = await newKey('権限外の操作対象');
    const before = await state();
    for (const role of ['TASK_FORCE', 'EXECUTIVE', 'AUDITOR'] as const) {
      const token = await (await t.createUser([role])).token();
      const snapshot = await state();
      const attempts: [string, GqlResponse][] = [
        ['createApiKey', await create({ name: `${role} の鍵` }, token)],
        ['revokeApiKey', await revoke({ id: apiKey.id, reason: '勝手に' }, token)],
        ['apiKeys', await t.gql(LIST, {}, token)],
      ];
      for (const [op, res] of attempts) {
        expect({ role, op, code: errorCode(res) }).toEqual({ role, op, code: 'FORBIDDEN' });
        expect(res.data?.[op] ?? null).toBeNull();
      }
      const after = await state();
      expect(after.keys).toEqual(snapshot.keys);
      expect(after.trail).toBe(snapshot.trail);
    }
    expect((await state()).keys).toEqual(before.keys);
    // Anonymous: UNAUTHENTICATED.
    expect(errorCode(await create({ name: '匿名' }, ''))).toBe('UNAUTHENTICATED');
  });

  it('refuses bad input with a clear code and changes nothing (rows and trail compared)', async () => {
    const { apiKey } = await newKey('入力検査の対象');
    const revoked = await newKey('取消済み');
    expect((await revoke({ id: revoked.apiKey.id, reason: '不要になった' })).errors).toBeUndefined();
    const before = await state();
    const cases: [string, GqlResponse, string, string | undefined][] = [
      ['blank name', await create({ name: '   ' }), 'BAD_USER_INPUT', 'INVALID_API_KEY_NAME'],
      ['empty name', await create({ name: '' }), 'BAD_USER_INPUT', 'INVALID_API_KEY_NAME'],
      ['101-character name', await create({ name: '販'.repeat(101) }), 'BAD_USER_INPUT', 'INVALID_API_KEY_NAME'],
      ['control character in the name', await create({ name: '販促\u0000システム' }), 'BAD_USER_INPUT', 'INVALID_API_KEY_NAME'],
      ['absurdly long name', await create({ name: 'x'.repeat(5000) }), 'BAD_USER_INPUT', undefined],
      ['unknown id', await revoke({ id: '00000000-0000-4000-8000-000000000000', reason: '理由' }), 'NOT_FOUND', 'API_KEY_NOT_FOUND'],
      ['id that is not a UUID', await revoke({ id: 'not-a-uuid', reason: '理由' }), 'BAD_USER_INPUT', undefined],
      ['blank reason', await revoke({ id: apiKey.id, reason: '  ' }), 'BAD_USER_INPUT', 'REASON_REQUIRED'],
      ['over-long reason', await revoke({ id: apiKey.id, reason: '理'.repeat(1001) }), 'BAD_USER_INPUT', 'REASON_REQUIRED'],
      ['revoking twice', await revoke({ id: revoked.apiKey.id, reason: 'もう一度' }), 'CONFLICT', 'API_KEY_ALREADY_REVOKED'],
      ['a cursor the API never issued', await t.gql(LIST, { after: 'garbage' }, adminToken), 'BAD_USER_INPUT', 'INVALID_CURSOR'],
    ];
    for (const [label, res, code, why] of cases) {
      expect({ label, code: errorCode(res) }).toEqual({ label, code });
      if (why) expect({ label, reason: reason(res) }).toEqual({ label, reason: why });
    }
    expect(await state()).toEqual(before);
    // The 100-character name is accepted (the limit counts characters, not UTF-16 units).
    expect((await create({ name: '🔑'.repeat(100) })).data!.createApiKey.apiKey.name).toBe('🔑'.repeat(100));
  });

  it('a user can never be given SERVICE: createUser and updateUserRoles refuse it with BAD_USER_INPUT, writing nothing', async () => {
    const member = await t.createUser(['TASK_FORCE']);
    const before = await state();
    const created = await t.gql(
      `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`,
      { input: { email: 'service@example.test', displayName: '連携 用', password: 'a-long-enough-password', roles: ['SERVICE'] } },
      adminToken,
    );
    expect([errorCode(created), reason(created)]).toEqual(['BAD_USER_INPUT', 'ROLE_NOT_FOR_USERS']);
    const updated = await t.gql(
      `mutation($input: UpdateUserRolesInput!) { updateUserRoles(input: $input) { id } }`,
      { input: { id: member.user.id, roles: ['TASK_FORCE', 'SERVICE'], expectedVersion: member.user.version } },
      adminToken,
    );
    expect([errorCode(updated), reason(updated)]).toEqual(['BAD_USER_INPUT', 'ROLE_NOT_FOR_USERS']);
    expect(updated.errors![0]!.extensions).toMatchObject({ roles: ['SERVICE'], allowed: ['ADMIN', 'TASK_FORCE', 'EXECUTIVE', 'AUDITOR'] });
    expect(await state()).toEqual(before);
  });

  it('lists keys newest first, a page at a time, revoked ones included', async () => {
    const names = ['頁送り 1', '頁送り 2', '頁送り 3'];
    const made: ApiKey[] = [];
    for (const name of names) made.push((await newKey(name)).apiKey);
    type Page = {
      apiKeys: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string };
        edges: { node: { id: string; name: string; active: boolean } }[];
      };
    };
    const total = Number((await t.sql<{ n: string }>(`SELECT count(*) AS n FROM api_keys`))[0]!.n);
    const first = await t.gql<Page>(LIST, { first: 2 }, adminToken);
    expect(first.data!.apiKeys.totalCount).toBe(total);
    expect(first.data!.apiKeys.edges.map((e) => e.node.name)).toEqual(['頁送り 3', '頁送り 2']);
    expect(first.data!.apiKeys.pageInfo.hasNextPage).toBe(true);
    const seen = [...first.data!.apiKeys.edges.map((e) => e.node.id)];
    let after: string | null = first.data!.apiKeys.pageInfo.endCursor;
    while (after) {
      const page: GqlResponse<Page> = await t.gql<Page>(LIST, { first: 2, after }, adminToken);
      seen.push(...page.data!.apiKeys.edges.map((e) => e.node.id));
      after = page.data!.apiKeys.pageInfo.hasNextPage ? page.data!.apiKeys.pageInfo.endCursor : null;
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(seen[2]).toBe(made[0]!.id);
    const all = await t.sql<{ id: string }>(`SELECT id FROM api_keys ORDER BY created_at DESC, id DESC`);
    expect(seen).toEqual(all.map((r) => r.id));
  });
});
