import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '@app/common';
import { ApiKeysService, Permission, permissionsOf, USER_ROLES, type Role } from '@app/identity';
import { allOperations, allSubscriptions, fetchSchema, type Operation } from '../support/schema-walk';
import { liveSubscriptions, TestSubscriber, until } from '../support/graphql-ws-client';
import { errorCode, TestApp } from '../support/test-app';

/**
 * Deny by default, proven from the schema itself: every query and mutation is
 * listed by introspection, so a new operation is covered without touching
 * this file.
 */
const PUBLIC_OPERATIONS = new Set(['mutation.login', 'mutation.refreshSession', 'query.signInOptions', 'mutation.completeSsoSignIn']);
/** Operations that end the caller's own session: walked with a session of their own, so the walk's stays open. */
const ENDS_OWN_SESSION = new Set(['mutation.signOut']);
/** What a promotion system's API key (role SERVICE) may call: reading the gates, nothing else. */
const SERVICE_OPERATIONS = ['query.canPromote', 'query.gate', 'query.gates'];

describe('authorization walk', () => {
  let t: TestApp;
  let ops: Operation[];
  const tokens = new Map<Role, string>();
  let serviceKey: string;

  beforeAll(async () => {
    t = await TestApp.start();
    ops = allOperations(await fetchSchema(t));
    for (const role of USER_ROLES) tokens.set(role, await (await t.createUser([role])).token());
    serviceKey = (await t.app.get(ApiKeysService).create(Actor.system('test'), { name: '販促配信システム' })).secret;
  });
  afterAll(async () => t?.close());

  it('finds the operations of the schema (the walk is not empty)', () => {
    const names = ops.map((o) => `${o.kind}.${o.name}`);
    expect(names).toEqual(expect.arrayContaining(['query.me', 'query.users', 'mutation.login', 'mutation.createUser']));
  });

  it('refuses every operation except the sign-in ones to an anonymous caller with UNAUTHENTICATED', async () => {
    const outcomes: Record<string, string | undefined> = {};
    for (const op of ops) {
      if (PUBLIC_OPERATIONS.has(`${op.kind}.${op.name}`)) continue;
      const res = await t.gql(op.document, op.variables);
      outcomes[`${op.kind}.${op.name}`] = errorCode(res);
      expect(res.data?.[op.name] ?? null, `${op.name} returned data to an anonymous caller`).toBeNull();
    }
    for (const [name, code] of Object.entries(outcomes)) expect({ name, code }).toEqual({ name, code: 'UNAUTHENTICATED' });
  });

  it('refuses a forged or malformed token like no token', async () => {
    const me = ops.find((o) => o.name === 'me')!;
    const [header, payload] = tokens.get('ADMIN')!.split('.');
    for (const token of ['garbage', `${header}.${payload}.forgedsignature`, 'a.b.c']) {
      expect(errorCode(await t.gql(me.document, {}, token))).toBe('UNAUTHENTICATED');
    }
  });

  /**
   * A promotion system's API key holds SERVICE, which no user can hold: walked
   * apart from the users' matrix, as a plain assertion. It may read the gates;
   * every other operation, every mutation included, is FORBIDDEN.
   */
  it('refuses an API key (SERVICE) every operation except canPromote, gate and gates', async () => {
    const outcomes: Record<string, 'allowed' | 'refused'> = {};
    for (const op of ops) {
      const key = `${op.kind}.${op.name}`;
      if (PUBLIC_OPERATIONS.has(key)) continue;
      const res = await t.gql(op.document, op.variables, serviceKey);
      const code = errorCode(res);
      expect(code, `${key} as SERVICE`).not.toBe('UNAUTHENTICATED');
      expect(code, `${key} as SERVICE`).not.toBe('INTERNAL_SERVER_ERROR');
      if (code === 'FORBIDDEN') expect(res.data?.[op.name] ?? null, `${key} returned data to an API key`).toBeNull();
      outcomes[key] = code === 'FORBIDDEN' ? 'refused' : 'allowed';
    }
    const allowed = Object.keys(outcomes).filter((k) => outcomes[k] === 'allowed');
    expect(allowed.sort()).toEqual(SERVICE_OPERATIONS);
    expect(Object.keys(outcomes).filter((k) => k.startsWith('mutation.') && outcomes[k] !== 'refused')).toEqual([]);
  });

  it('refuses a forged, malformed or unknown API key like no token', async () => {
    const canPromote = ops.find((o) => o.name === 'canPromote')!;
    const tampered = `${serviceKey.slice(0, -1)}${serviceKey.endsWith('A') ? 'B' : 'A'}`;
    for (const key of [tampered, 'rtk_', `rtk_000000000000_${'A'.repeat(43)}`]) {
      expect(errorCode(await t.gql(canPromote.document, canPromote.variables, key))).toBe('UNAUTHENTICATED');
    }
  });

  /**
   * Who can call what, measured by calling every operation as a user holding
   * exactly one role. FORBIDDEN means refused; anything else (data, or an
   * input / not-found error from the placeholder arguments) means the guard
   * let the call through. The snapshot turns any change of access into a
   * reviewed diff.
   */
  it('matches the reviewed access matrix, role by role', async () => {
    const matrix: Record<string, Record<string, 'allowed' | 'refused'>> = {};
    for (const op of ops) {
      const key = `${op.kind}.${op.name}`;
      if (PUBLIC_OPERATIONS.has(key)) continue;
      matrix[key] = {};
      for (const role of USER_ROLES) {
        const token = ENDS_OWN_SESSION.has(key) ? await (await t.createUser([role])).token() : tokens.get(role);
        const res = await t.gql(op.document, op.variables, token);
        const code = errorCode(res);
        expect(code, `${key} as ${role}`).not.toBe('UNAUTHENTICATED');
        expect(code, `${key} as ${role}`).not.toBe('INTERNAL_SERVER_ERROR');
        matrix[key][role] = code === 'FORBIDDEN' ? 'refused' : 'allowed';
      }
    }
    expect(matrix).toMatchSnapshot();
  });

  /**
   * The matrix above is per role; a person may hold several. Every set of user
   * roles is offered to createUser (and, for the admin, to updateUserRoles on
   * itself): no account the API accepts may both judge the work (review
   * evidence, conduct the audit) and do it, decide on it or manage who judges it.
   */
  it('no account can both judge the remediation and do it, decide it or manage the accounts; nobody changes their own roles', async () => {
    const JUDGE: Permission[] = [Permission.EVIDENCE_REVIEW, Permission.AUDIT_CONDUCT];
    const PARTY: Permission[] = [
      Permission.USERS_MANAGE,
      Permission.REMEDIATION_WRITE,
      Permission.EVIDENCE_SUBMIT,
      Permission.GATE_DECIDE,
      Permission.RISK_ACCEPT,
    ];
    const sets = Array.from({ length: 2 ** USER_ROLES.length - 1 }, (_, i) => USER_ROLES.filter((_r, bit) => ((i + 1) >> bit) & 1));
    const admin = tokens.get('ADMIN')!;
    const me = (await t.gql<{ me: { id: string; version: number } }>(`{ me { id version } }`, {}, admin)).data!.me;
    const accepted: string[] = [];
    for (const [n, roles] of sets.entries()) {
      const created = await t.gql(
        `mutation($input: CreateUserInput!) { createUser(input: $input) { roles } }`,
        { input: { email: `role-set-${n}@example.test`, displayName: `役割 ${n}`, password: 'a-long-enough-password', roles } },
        admin,
      );
      const perms = permissionsOf(roles);
      const judges = JUDGE.some((p) => perms.has(p));
      const party = PARTY.some((p) => perms.has(p));
      if (!created.errors) accepted.push(roles.join('+'));
      expect({ roles, accepted: !created.errors }, created.errors?.[0]?.message).toEqual({ roles, accepted: !(judges && party) });
      if (created.errors) expect(created.errors[0]!.extensions!.reason).toBe('INCOMPATIBLE_ROLES');
      const self = await t.gql(
        `mutation($input: UpdateUserRolesInput!) { updateUserRoles(input: $input) { roles } }`,
        { input: { id: me.id, roles, expectedVersion: me.version } },
        admin,
      );
      expect([errorCode(self), self.errors?.[0]?.extensions?.reason], `own roles → ${roles.join('+')}`).toEqual([
        'FORBIDDEN',
        'SELF_ROLE_CHANGE',
      ]);
    }
    expect(accepted).toContain('AUDITOR');
    expect(accepted.filter((r) => r.includes('AUDITOR'))).toEqual(['AUDITOR']);
  });

  /**
   * Subscriptions (over WebSocket, graphql-ws) are walked too, as a plain
   * assertion (not in the snapshot): an anonymous connection is refused before
   * any operation runs; a caller is refused on FORBIDDEN, and allowed when the
   * server counts the subscription live (or answers anything else).
   */
  it('refuses every subscription to an anonymous connection; every role and an API key may subscribe to gateChanged', async () => {
    const subscriptions = allSubscriptions(await fetchSchema(t));
    expect(subscriptions.map((o) => o.name)).toContain('gateChanged');
    const callers: [string, string][] = [...USER_ROLES.map((r): [string, string] => [r, tokens.get(r)!]), ['SERVICE', serviceKey]];
    const outcomes: Record<string, Record<string, 'allowed' | 'refused'>> = {};
    for (const op of subscriptions) {
      const anonymous = new TestSubscriber(t, { query: op.document, variables: op.variables });
      await anonymous.waitForEnd();
      expect(anonymous.closed?.code, `${op.name} anonymous`).toBe(4403);
      expect(anonymous.results, `${op.name} anonymous`).toEqual([]);
      outcomes[op.name] = {};
      for (const [role, token] of callers) {
        const before = liveSubscriptions(t);
        const s = TestSubscriber.bearer(t, token, op.document, op.variables);
        await until(() => liveSubscriptions(t) > before || s.ended, `${op.name} as ${role}`);
        const code = s.graphqlErrors[0]?.extensions?.['code'];
        expect(s.closed?.code, `${op.name} as ${role}`).not.toBe(4403);
        expect(code, `${op.name} as ${role}`).not.toBe('UNAUTHENTICATED');
        expect(code, `${op.name} as ${role}`).not.toBe('INTERNAL_SERVER_ERROR');
        outcomes[op.name][role] = code === 'FORBIDDEN' ? 'refused' : 'allowed';
        await s.dispose();
        await until(() => liveSubscriptions(t) <= before, 'the subscription to end');
      }
    }
    expect(outcomes['gateChanged']).toEqual(Object.fromEntries(callers.map(([role]) => [role, 'allowed'])));
  });
});
