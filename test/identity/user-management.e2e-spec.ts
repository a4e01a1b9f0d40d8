import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, TestApp } from '../support/test-app';

const USER_FIELDS = 'id email displayName displayNameKana roles active version';
const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { ${USER_FIELDS} } }`;
const UPDATE_ROLES = `mutation($input: UpdateUserRolesInput!) { updateUserRoles(input: $input) { ${USER_FIELDS} } }`;
const DEACTIVATE = `mutation($input: UserVersionInput!) { deactivateUser(input: $input) { ${USER_FIELDS} } }`;
const REACTIVATE = `mutation($input: UserVersionInput!) { reactivateUser(input: $input) { ${USER_FIELDS} } }`;

interface U {
  id: string;
  email: string;
  displayName: string;
  displayNameKana: string | null;
  roles: string[];
  active: boolean;
  version: number;
}

describe('user management by admins', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['createUser']>>;
  let adminToken: string;

  beforeAll(async () => {
    t = await TestApp.start();
    admin = await t.createUser(['ADMIN']);
    adminToken = await admin.token();
  });
  afterAll(async () => t?.close());

  const create = (input: Record<string, unknown>) => t.gql<{ createUser: U }>(CREATE, { input }, adminToken);
  const countUsers = async () => Number((await t.sql<{ n: string }>('SELECT count(*) AS n FROM users'))[0]!.n);

  it('an admin creates a user with a Japanese name and several roles, who can then sign in', async () => {
    const res = await create({
      email: '  Hotline.Lead@Example.TEST ',
      displayName: '中村 さくら',
      displayNameKana: 'なかむら さくら',
      password: 'ホットライン窓口パスワード',
      roles: ['EXECUTIVE', 'TASK_FORCE', 'TASK_FORCE'],
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.createUser).toMatchObject({
      email: 'hotline.lead@example.test',
      displayName: '中村 さくら',
      displayNameKana: 'なかむら さくら',
      roles: ['TASK_FORCE', 'EXECUTIVE'],
      active: true,
      version: 1,
    });
    const token = await t.login('hotline.lead@example.test', 'ホットライン窓口パスワード');
    const me = await t.gql<{ me: { roles: string[]; permissions: string[] } }>(`{ me { roles permissions } }`, {}, token);
    expect(me.data!.me.roles).toEqual(['TASK_FORCE', 'EXECUTIVE']);
    expect(me.data!.me.permissions).not.toContain('users:manage');
    const [row] = await t.sql<{ password_hash: string }>(`SELECT password_hash FROM users WHERE email = 'hotline.lead@example.test'`);
    expect(row!.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('refuses bad input with a clear code and writes nothing', async () => {
    const before = await countUsers();
    const valid = { email: 'new.member@example.test', displayName: '新規 利用者', password: 'a-long-enough-password', roles: ['AUDITOR'] };
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ ...valid, email: 'not-an-email' }, 'BAD_USER_INPUT', /email/],
      [{ ...valid, password: 'short' }, 'BAD_USER_INPUT', /12/],
      [{ ...valid, roles: [] }, 'BAD_USER_INPUT', /role/],
      [{ ...valid, roles: ['OVERLORD'] }, 'BAD_USER_INPUT', /OVERLORD/],
      [{ ...valid, displayName: '' }, 'BAD_USER_INPUT', /displayName/],
      [{ ...valid, email: admin.user.email.toUpperCase() }, 'CONFLICT', /already exists/],
    ];
    for (const [input, code, message] of cases) {
      const res = await create(input);
      expect({ input, code: errorCode(res) }).toEqual({ input, code });
      expect(res.errors![0]!.message).toMatch(message);
    }
    expect(await countUsers()).toBe(before);
  });

  it('changes roles only from the version the admin read; a stale version is CONFLICT with the current one', async () => {
    const target = (
      await create({ email: 'roles@example.test', displayName: '役割 変更', password: 'a-long-enough-password', roles: ['TASK_FORCE'] })
    ).data!.createUser;
    const first = await t.gql<{ updateUserRoles: U }>(
      UPDATE_ROLES,
      { input: { id: target.id, roles: ['AUDITOR'], expectedVersion: 1 } },
      adminToken,
    );
    expect(first.data!.updateUserRoles).toMatchObject({ roles: ['AUDITOR'], version: 2 });

    const stale = await t.gql(UPDATE_ROLES, { input: { id: target.id, roles: ['EXECUTIVE'], expectedVersion: 1 } }, adminToken);
    expect(errorCode(stale)).toBe('CONFLICT');
    expect(stale.errors![0]!.extensions).toMatchObject({ reason: 'STALE_VERSION', currentVersion: 2, expectedVersion: 1 });
    const [row] = await t.sql<{ roles: string[]; version: number }>('SELECT roles, version FROM users WHERE id = $1', [target.id]);
    expect(row).toEqual({ roles: ['AUDITOR'], version: 2 });
  });

  it('two admins changing one user at the same moment: exactly one wins, the other gets CONFLICT', async () => {
    const other = await t.createUser(['ADMIN']);
    const otherToken = await other.token();
    const target = (
      await create({ email: 'race@example.test', displayName: '競合 確認', password: 'a-long-enough-password', roles: ['TASK_FORCE'] })
    ).data!.createUser;
    const results = await Promise.all([
      t.gql<{ updateUserRoles: U }>(UPDATE_ROLES, { input: { id: target.id, roles: ['AUDITOR'], expectedVersion: 1 } }, adminToken),
      t.gql<{ updateUserRoles: U }>(UPDATE_ROLES, { input: { id: target.id, roles: ['EXECUTIVE'], expectedVersion: 1 } }, otherToken),
    ]);
    const codes = results.map(errorCode).sort();
    expect(codes).toEqual(['CONFLICT', undefined].sort());
    const winner = results.find((r) => !r.errors)!.data!.updateUserRoles;
    const [row] = await t.sql<{ roles: string[]; version: number }>('SELECT roles, version FROM users WHERE id = $1', [target.id]);
    expect(row).toEqual({ roles: winner.roles, version: 2 });
  });

  it('deactivates and reactivates a user; doing it twice is CONFLICT', async () => {
    const u = await t.createUser(['AUDITOR']);
    const off = await t.gql<{ deactivateUser: U }>(DEACTIVATE, { input: { id: u.user.id, expectedVersion: 1 } }, adminToken);
    expect(off.data!.deactivateUser).toMatchObject({ active: false, version: 2 });
    const again = await t.gql(DEACTIVATE, { input: { id: u.user.id, expectedVersion: 2 } }, adminToken);
    expect(errorCode(again)).toBe('CONFLICT');
    const on = await t.gql<{ reactivateUser: U }>(REACTIVATE, { input: { id: u.user.id, expectedVersion: 2 } }, adminToken);
    expect(on.data!.reactivateUser).toMatchObject({ active: true, version: 3 });
    expect(await u.signIn()).toBeTruthy();
  });

  it('an unknown user id is NOT_FOUND; a malformed id is BAD_USER_INPUT', async () => {
    const missing = await t.gql(DEACTIVATE, { input: { id: '00000000-0000-4000-8000-000000000001', expectedVersion: 1 } }, adminToken);
    expect(errorCode(missing)).toBe('NOT_FOUND');
    const malformed = await t.gql(`query($id: ID!) { user(id: $id) { id } }`, { id: 'nope' }, adminToken);
    expect(errorCode(malformed)).toBe('BAD_USER_INPUT');
  });
});

describe('admins cannot lock everyone out', () => {
  let t2: TestApp;
  beforeAll(async () => {
    t2 = await TestApp.start();
  });
  afterAll(async () => t2?.close());

  it('an admin cannot lock themself out, and the last active admin cannot be removed', async () => {
    const only = await t2.createUser(['ADMIN']);
    const token = await only.token();
    const selfDemote = await t2.gql(UPDATE_ROLES, { input: { id: only.user.id, roles: ['EXECUTIVE'], expectedVersion: 1 } }, token);
    expect(errorCode(selfDemote)).toBe('FORBIDDEN');
    expect(selfDemote.errors![0]!.extensions!.reason).toBe('SELF_ROLE_CHANGE');
    const selfDeactivate = await t2.gql(DEACTIVATE, { input: { id: only.user.id, expectedVersion: 1 } }, token);
    expect(selfDeactivate.errors![0]!.extensions!.reason).toBe('SELF_LOCKOUT');

    // A second admin, then two admins demote each other at the same moment: one must remain.
    const second = await t2.createUser(['ADMIN']);
    const secondToken = await second.token();
    const results = await Promise.all([
      t2.gql(UPDATE_ROLES, { input: { id: second.user.id, roles: ['EXECUTIVE'], expectedVersion: 1 } }, token),
      t2.gql(UPDATE_ROLES, { input: { id: only.user.id, roles: ['EXECUTIVE'], expectedVersion: 1 } }, secondToken),
    ]);
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    // The loser is refused either by the service (LAST_ADMIN, it saw the other's
    // demotion under the lock) or by the guard (it was demoted before it got there).
    const reasons = results.map((r) => r.errors?.[0]?.extensions?.reason).filter(Boolean);
    expect(reasons).toHaveLength(1);
    expect(['LAST_ADMIN', 'PERMISSION_DENIED']).toContain(reasons[0]);
    const admins = await t2.sql(`SELECT id FROM users WHERE active AND 'ADMIN' = ANY(roles)`);
    expect(admins).toHaveLength(1);
  });
});

describe('roles that would defeat segregation of duties', () => {
  let t: TestApp;
  let first: Awaited<ReturnType<TestApp['createUser']>>;
  let firstToken: string;
  let secondToken: string;
  beforeAll(async () => {
    t = await TestApp.start();
    first = await t.createUser(['ADMIN'], { displayName: '管理者 一' });
    firstToken = await first.token();
    secondToken = await (await t.createUser(['ADMIN'], { displayName: '管理者 二' })).token();
  });
  afterAll(async () => t?.close());

  const rowOf = async (id: string) =>
    (await t.sql<{ roles: string[]; version: number }>('SELECT roles, version FROM users WHERE id = $1', [id]))[0];
  const trailCount = async () =>
    Number((await t.sql<{ n: string }>(`SELECT count(*) AS n FROM audit_trail WHERE action = 'user.roles_changed'`))[0]!.n);

  it('an admin cannot give itself AUDITOR (nor any other role): FORBIDDEN, SELF_ROLE_CHANGE, roles unchanged, nothing in the trail', async () => {
    const trailBefore = await trailCount();
    for (const roles of [['ADMIN', 'AUDITOR'], ['AUDITOR'], ['ADMIN', 'EXECUTIVE']]) {
      const res = await t.gql(UPDATE_ROLES, { input: { id: first.user.id, roles, expectedVersion: 1 } }, firstToken);
      expect([errorCode(res), res.errors?.[0]?.extensions?.reason], roles.join()).toEqual(['FORBIDDEN', 'SELF_ROLE_CHANGE']);
    }
    expect(await rowOf(first.user.id)).toEqual({ roles: ['ADMIN'], version: 1 });
    const me = await t.gql<{ me: { roles: string[] } }>(`{ me { roles } }`, {}, firstToken);
    expect(me.data!.me.roles).toEqual(['ADMIN']);
    expect(await trailCount()).toBe(trailBefore);
  });

  it('a second admin cannot make the first ADMIN+AUDITOR either: BAD_USER_INPUT, INCOMPATIBLE_ROLES, roles unchanged', async () => {
    const res = await t.gql(UPDATE_ROLES, { input: { id: first.user.id, roles: ['ADMIN', 'AUDITOR'], expectedVersion: 1 } }, secondToken);
    expect([errorCode(res), res.errors?.[0]?.extensions?.reason]).toEqual(['BAD_USER_INPUT', 'INCOMPATIBLE_ROLES']);
    expect(res.errors![0]!.extensions!.roles).toEqual(['AUDITOR', 'ADMIN']);
    expect(await rowOf(first.user.id)).toEqual({ roles: ['ADMIN'], version: 1 });
  });

  it('AUDITOR is refused with TASK_FORCE or EXECUTIVE too, at creation and at a role change; AUDITOR alone is fine', async () => {
    const member = (
      await t.gql<{ createUser: U }>(
        CREATE,
        {
          input: { email: 'member.sod@example.test', displayName: '対策 担当', password: 'a-long-enough-password', roles: ['TASK_FORCE'] },
        },
        secondToken,
      )
    ).data!.createUser;
    const usersBefore = await t.sql('SELECT id FROM users ORDER BY id');
    for (const roles of [
      ['TASK_FORCE', 'AUDITOR'],
      ['EXECUTIVE', 'AUDITOR'],
      ['ADMIN', 'AUDITOR'],
      ['AUDITOR', 'ADMIN', 'TASK_FORCE', 'EXECUTIVE'],
    ]) {
      const created = await t.gql(
        CREATE,
        { input: { email: 'dual.role@example.test', displayName: '兼務 不可', password: 'a-long-enough-password', roles } },
        secondToken,
      );
      expect([errorCode(created), created.errors?.[0]?.extensions?.reason], `create ${roles.join()}`).toEqual([
        'BAD_USER_INPUT',
        'INCOMPATIBLE_ROLES',
      ]);
      const changed = await t.gql(UPDATE_ROLES, { input: { id: member.id, roles, expectedVersion: 1 } }, secondToken);
      expect([errorCode(changed), changed.errors?.[0]?.extensions?.reason], `update ${roles.join()}`).toEqual([
        'BAD_USER_INPUT',
        'INCOMPATIBLE_ROLES',
      ]);
    }
    expect(await t.sql('SELECT id FROM users ORDER BY id')).toEqual(usersBefore);
    expect(await rowOf(member.id)).toEqual({ roles: ['TASK_FORCE'], version: 1 });
    // A person who moves from the task force to the audit side holds AUDITOR alone.
    const moved = await t.gql<{ updateUserRoles: U }>(
      UPDATE_ROLES,
      { input: { id: member.id, roles: ['AUDITOR'], expectedVersion: 1 } },
      secondToken,
    );
    expect(moved.data!.updateUserRoles).toMatchObject({ roles: ['AUDITOR'], version: 2 });
  });

  it('the database refuses such a user whatever the path (a CHECK on users.roles)', async () => {
    await expect(t.sql(`UPDATE users SET roles = ARRAY['ADMIN','AUDITOR'] WHERE id = $1`, [first.user.id])).rejects.toThrow(
      /CHK_users_auditor_independent/,
    );
    expect(await rowOf(first.user.id)).toEqual({ roles: ['ADMIN'], version: 1 });
  });
});

describe('listing users', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await TestApp.start();
    for (let i = 0; i < 5; i++) await t.createUser(['AUDITOR'], { email: `auditor${i}@example.test` });
    await t.createUser(['EXECUTIVE'], { email: 'exec@example.test' });
    token = await (await t.createUser(['TASK_FORCE'], { email: 'member@example.test' })).token();
  });
  afterAll(async () => t?.close());

  const USERS = `query($first: Int, $after: String, $filter: UserFilterInput) {
    users(first: $first, after: $after, filter: $filter) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { email } } }
  }`;
  type Res = {
    users: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { email: string } }[] };
  };

  it('pages through users by e-mail with cursors, no item twice, none skipped', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res: Awaited<ReturnType<typeof t.gql<Res>>> = await t.gql<Res>(USERS, { first: 3, after }, token);
      expect(res.data!.users.totalCount).toBe(7);
      seen.push(...res.data!.users.edges.map((e) => e.node.email));
      if (!res.data!.users.pageInfo.hasNextPage) break;
      after = res.data!.users.pageInfo.endCursor;
    }
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(7);
  });

  it('filters by role', async () => {
    const res = await t.gql<Res>(USERS, { filter: { role: 'AUDITOR' } }, token);
    expect(res.data!.users.totalCount).toBe(5);
    expect(res.data!.users.edges.map((e) => e.node.email)).toEqual([0, 1, 2, 3, 4].map((i) => `auditor${i}@example.test`));
  });

  it('refuses a page size over the cap and a cursor it did not issue', async () => {
    expect(errorCode(await t.gql(USERS, { first: 101 }, token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(USERS, { first: 0 }, token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(USERS, { after: 'not-a-cursor' }, token))).toBe('BAD_USER_INPUT');
  });
});
