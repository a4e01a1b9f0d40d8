import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_ROLES } from '@app/identity';
import { allOperations, fetchSchema, type Operation } from '../support/schema-walk';
import { errorCode, TestApp } from '../support/test-app';

/**
 * A session that has not proved its second factor (SECOND_FACTOR_PENDING), or must still enrol one
 * (ENROLMENT_PENDING), may call only the operations of signing in: proven from the schema itself, for every
 * role, so a new operation is refused to such a session unless it is marked @DuringSignIn on purpose.
 */
const PUBLIC_OPERATIONS = new Set(['mutation.login', 'mutation.refreshSession', 'query.signInOptions', 'mutation.completeSsoSignIn']);
const ENDS_OWN_SESSION = new Set(['mutation.signOut']);

/** Reviewed: what a session in each state may call (the rest answers SECOND_FACTOR_REQUIRED). */
const DURING_SIGN_IN: Record<'SECOND_FACTOR_PENDING' | 'ENROLMENT_PENDING', string[]> = {
  // Prove the factor one has (a code, a recovery code, a passkey). The enrolment operations pass the guard too,
  // and their services refuse a session that has not proved the factor it has (SECOND_FACTOR_REQUIRED or
  // STEP_UP_REQUIRED: test/identity/totp.e2e-spec.ts, passkeys.e2e-spec.ts), so a password alone adds no factor.
  SECOND_FACTOR_PENDING: [
    'mutation.confirmTotpEnrolment',
    'mutation.finishPasskeyRegistration',
    'mutation.finishPasskeyVerification',
    'mutation.signOut',
    'mutation.startPasskeyRegistration',
    'mutation.startPasskeyVerification',
    'mutation.startTotpEnrolment',
    'mutation.verifySecondFactor',
    'query.currentSession',
    'query.me',
    'query.mySecondFactors',
  ],
  // Enrol a first factor (an authenticator app or a passkey), then prove it.
  ENROLMENT_PENDING: [
    'mutation.confirmTotpEnrolment',
    'mutation.finishPasskeyRegistration',
    'mutation.finishPasskeyVerification',
    'mutation.signOut',
    'mutation.startPasskeyRegistration',
    'mutation.startPasskeyVerification',
    'mutation.startTotpEnrolment',
    'mutation.verifySecondFactor',
    'query.currentSession',
    'query.me',
    'query.mySecondFactors',
  ],
};

describe('second-factor walk: a session that has not proved its factor does nothing else', () => {
  let t: TestApp;
  let ops: Operation[];

  beforeAll(async () => {
    t = await TestApp.start();
    ops = allOperations(await fetchSchema(t)).filter((op) => !PUBLIC_OPERATIONS.has(`${op.kind}.${op.name}`));
  });
  afterAll(async () => t?.close());

  const pendingToken = async (role: (typeof USER_ROLES)[number], state: string) => {
    const token = await (await t.createUser([role])).token();
    await t.sql(`UPDATE auth_sessions SET state = $1, second_factor_method = NULL, second_factor_at = NULL WHERE id = $2`, [
      state,
      TestApp.sessionOf(token),
    ]);
    return token;
  };

  for (const state of ['SECOND_FACTOR_PENDING', 'ENROLMENT_PENDING'] as const) {
    it(`${state}: every role may call exactly the reviewed sign-in operations`, async () => {
      for (const role of USER_ROLES) {
        const token = await pendingToken(role, state);
        const allowed: string[] = [];
        for (const op of ops) {
          const key = `${op.kind}.${op.name}`;
          const res = await t.gql(op.document, op.variables, ENDS_OWN_SESSION.has(key) ? await pendingToken(role, state) : token);
          const code = errorCode(res);
          expect(code, `${key} as ${role} (${state})`).not.toBe('INTERNAL_SERVER_ERROR');
          expect(code, `${key} as ${role} (${state})`).not.toBe('UNAUTHENTICATED');
          if (code === 'SECOND_FACTOR_REQUIRED' || code === 'FORBIDDEN') {
            expect(res.data?.[op.name] ?? null, `${key} returned data to a ${state} session`).toBeNull();
          } else {
            allowed.push(key);
          }
        }
        expect({ role, allowed: allowed.sort() }).toEqual({ role, allowed: DURING_SIGN_IN[state] });
      }
    });
  }
});
