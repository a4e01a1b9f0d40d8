import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_ROLES, type Role } from '@app/identity';
import { allOperations, fetchSchema, type Operation } from '../support/schema-walk';
import { errorCode, TestApp } from '../support/test-app';

/**
 * Deny by default, proven from the schema itself: every query and mutation is
 * listed by introspection, so a new operation is covered without touching
 * this file.
 */
const PUBLIC_OPERATIONS = new Set(['mutation.login']);

describe('authorization walk', () => {
  let t: TestApp;
  let ops: Operation[];
  const tokens = new Map<Role, string>();

  beforeAll(async () => {
    t = await TestApp.start();
    ops = allOperations(await fetchSchema(t));
    for (const role of ALL_ROLES) tokens.set(role, await (await t.createUser([role])).token());
  });
  afterAll(async () => t?.close());

  it('finds the operations of the schema (the walk is not empty)', () => {
    const names = ops.map((o) => `${o.kind}.${o.name}`);
    expect(names).toEqual(expect.arrayContaining(['query.me', 'query.users', 'mutation.login', 'mutation.createUser']));
  });

  it('refuses every operation except login to an anonymous caller with UNAUTHENTICATED', async () => {
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
      for (const role of ALL_ROLES) {
        const res = await t.gql(op.document, op.variables, tokens.get(role));
        const code = errorCode(res);
        expect(code, `${key} as ${role}`).not.toBe('UNAUTHENTICATED');
        expect(code, `${key} as ${role}`).not.toBe('INTERNAL_SERVER_ERROR');
        matrix[key][role] = code === 'FORBIDDEN' ? 'refused' : 'allowed';
      }
    }
    expect(matrix).toMatchSnapshot();
  });
});
