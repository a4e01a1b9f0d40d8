import { createHash } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, TestApp, type GqlResponse } from '../support/test-app';

/**
 * The authenticator app and the recovery codes (issue 16): enrolling (the secret shown once, sealed at rest; ten
 * recovery codes with the first factor, kept as hashes), proving the factor at sign-in and for step-up (a code is
 * never accepted twice; a recovery code works once; wrong codes are limited like passwords), removing it (with a
 * fresh proof; never the last one a role requires). Codes are computed here from the secret, as an app would.
 */

const START = `mutation($label: String!) { startTotpEnrolment(label: $label) { factorId secret otpauthUri } }`;
const CONFIRM = `mutation($factorId: ID!, $code: String!) {
  confirmTotpEnrolment(factorId: $factorId, code: $code) { factor { id kind label createdAt lastUsedAt } recoveryCodes } }`;
const VERIFY = `mutation($code: String!) { verifySecondFactor(code: $code) { id state secondFactorMethod secondFactorAt current } }`;
const FACTORS = `{ mySecondFactors { id kind label createdAt lastUsedAt } }`;
const LEFT = `{ recoveryCodesLeft }`;
const REMOVE = `mutation($id: ID!) { removeSecondFactor(id: $id) { id kind label removedAt } }`;
const REGENERATE = `mutation { regenerateRecoveryCodes }`;
const CURRENT = `{ currentSession { id state secondFactorMethod } }`;
const SESSIONS = `{ mySessions { id } }`;

type Started = { startTotpEnrolment: { factorId: string; secret: string; otpauthUri: string } };
type Confirmed = {
  confirmTotpEnrolment: { factor: { id: string; kind: string; label: string; lastUsedAt: string | null }; recoveryCodes: string[] | null };
};
type Verified = { verifySecondFactor: { id: string; state: string; secondFactorMethod: string; current: boolean } };

const ok = <T>(res: GqlResponse<T>): T => {
  expect(res.errors).toBeUndefined();
  return res.data!;
};
const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The app's code for a 30-second step (RFC 6238 with the defaults an app uses: SHA-1, 6 digits, 30 s). */
function codeAt(secret: string, step: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: step * 30_000 });
}
const stepNow = () => Math.floor(Date.now() / 30_000);
/** Six digits that are the code of no step near now (so certainly wrong, whenever the server checks it). */
function wrongCode(secret: string): string {
  const near = new Set([-3, -2, -1, 0, 1, 2, 3].map((d) => codeAt(secret, stepNow() + d)));
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, '0');
    if (!near.has(candidate)) return candidate;
  }
}

describe('TOTP second factor and recovery codes', () => {
  let t: TestApp;

  beforeAll(async () => {
    // The default policy (AUDITOR, EXECUTIVE, ADMIN must have a second factor), the production step-up window,
    // and three free wrong codes before the throttle's delays.
    t = await TestApp.start({ STEP_UP_MAX_AGE_SECONDS: '300', LOGIN_MAX_FAILURES: '3' }, { secondFactorPolicy: 'default' });
  });
  afterAll(async () => t?.close());

  /** Enrols an authenticator app in the session of `token` with the current code; returns what the app knows. */
  async function enrol(token: string, label = '業務用 iPhone') {
    const started = ok(await t.gql<Started>(START, { label }, token)).startTotpEnrolment;
    const step = stepNow();
    const confirmed = ok(await t.gql<Confirmed>(CONFIRM, { factorId: started.factorId, code: codeAt(started.secret, step) }, token));
    return { ...started, step, ...confirmed.confirmTotpEnrolment };
  }

  /** The trail entries a user wrote, as JSON text (to look for what must never be there). */
  async function trailOf(userId: string) {
    return t.sql<{ action: string; text: string }>(
      `SELECT action, row_to_json(a)::text AS text FROM audit_trail a WHERE actor_id = $1 ORDER BY seq`,
      [userId],
    );
  }

  it('an executive signing in with a password must enrol first; confirming makes the session ACTIVE and shows ten recovery codes once', async () => {
    const u = await t.createUser(['EXECUTIVE'], { displayName: '役員 花子' });
    const token = await u.signIn();
    expect(ok(await t.gql<{ currentSession: { state: string } }>(CURRENT, {}, token)).currentSession.state).toBe('ENROLMENT_PENDING');
    const refused = await t.gql(SESSIONS, {}, token);
    expect(errorCode(refused)).toBe('SECOND_FACTOR_REQUIRED');
    expect(refused.errors![0]!.extensions!.next).toBe('ENROL');

    const started = ok(await t.gql<Started>(START, { label: '  業務用 iPhone ' }, token)).startTotpEnrolment;
    expect(started.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(started.otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(started.secret);
    expect(decodeURIComponent(uri.pathname)).toContain(u.user.email);
    // Not yet a factor: not listed, and the secret is stored sealed, never in clear.
    expect(ok(await t.gql<{ mySecondFactors: unknown[] }>(FACTORS, {}, token)).mySecondFactors).toEqual([]);
    const [stored] = await t.sql<{ secret: string; last_used_step: string | null }>(
      `SELECT secret, last_used_step FROM totp_secrets WHERE factor_id = $1`,
      [started.factorId],
    );
    expect(stored!.secret).toMatch(/^v1\./);
    expect(stored!.secret).not.toContain(started.secret);
    expect(stored!.last_used_step).toBeNull();

    const step = stepNow();
    const confirmed = ok(await t.gql<Confirmed>(CONFIRM, { factorId: started.factorId, code: codeAt(started.secret, step) }, token));
    const { factor, recoveryCodes } = confirmed.confirmTotpEnrolment;
    expect(factor).toMatchObject({ id: started.factorId, kind: 'TOTP', label: '業務用 iPhone' });
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes!) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);

    // Only the hashes are kept, one per code shown.
    const rows = await t.sql<{ code_hash: string; used_at: Date | null }>(
      `SELECT code_hash, used_at FROM recovery_codes WHERE user_id = $1`,
      [u.user.id],
    );
    expect(rows.map((r) => r.code_hash).sort()).toEqual(recoveryCodes!.map((c) => sha256Hex(c.replace(/-/g, ''))).sort());
    expect(rows.every((r) => r.used_at === null)).toBe(true);

    const current = ok(await t.gql<{ currentSession: { state: string; secondFactorMethod: string } }>(CURRENT, {}, token)).currentSession;
    expect(current).toMatchObject({ state: 'ACTIVE', secondFactorMethod: 'TOTP' });
    expect(ok(await t.gql<{ mySessions: unknown[] }>(SESSIONS, {}, token)).mySessions.length).toBeGreaterThan(0);
    expect(ok(await t.gql<{ mySecondFactors: { id: string; label: string }[] }>(FACTORS, {}, token)).mySecondFactors).toMatchObject([
      { id: started.factorId, kind: 'TOTP', label: '業務用 iPhone' },
    ]);
    expect(ok(await t.gql<{ recoveryCodesLeft: number }>(LEFT, {}, token)).recoveryCodesLeft).toBe(10);

    // The trail says who enrolled what, never the secret or a code.
    const trail = await trailOf(u.user.id);
    const enrolled = trail.find((e) => e.action === 'auth.second-factor-enrolled');
    expect(enrolled?.text).toContain('業務用 iPhone');
    expect(enrolled?.text).toContain(started.factorId);
    for (const e of trail) {
      expect(e.text).not.toContain(started.secret);
      expect(e.text).not.toContain(stored!.secret);
      for (const code of [codeAt(started.secret, step), ...recoveryCodes!]) expect(e.text).not.toContain(code);
    }
  });

  it('a wrong code at confirmation is refused and changes nothing; a malformed label is refused before anything is written', async () => {
    const u = await t.createUser(['TASK_FORCE']);
    const token = await u.signIn();
    const blank = await t.gql(START, { label: '   ' }, token);
    expect(errorCode(blank)).toBe('BAD_USER_INPUT');
    expect(blank.errors![0]!.extensions!.field).toBe('label');
    expect(await t.sql(`SELECT 1 FROM user_second_factors WHERE user_id = $1`, [u.user.id])).toEqual([]);

    const started = ok(await t.gql<Started>(START, { label: 'Pixel' }, token)).startTotpEnrolment;
    const snapshot = () =>
      Promise.all([
        t.sql(`SELECT * FROM user_second_factors WHERE user_id = $1`, [u.user.id]),
        t.sql(`SELECT * FROM totp_secrets WHERE factor_id = $1`, [started.factorId]),
        t.sql(`SELECT * FROM recovery_codes WHERE user_id = $1`, [u.user.id]),
        t.sql(`SELECT * FROM auth_sessions WHERE id = $1`, [TestApp.sessionOf(token)]),
      ]);
    const before = await snapshot();
    const wrong = await t.gql(CONFIRM, { factorId: started.factorId, code: wrongCode(started.secret) }, token);
    expect(errorCode(wrong)).toBe('UNAUTHENTICATED');
    expect(wrong.errors![0]!.extensions!.reason).toBe('INVALID_SECOND_FACTOR');
    expect(wrong.data).toBeNull();
    expect(await snapshot()).toEqual(before);
    const malformed = await t.gql(CONFIRM, { factorId: started.factorId, code: 'twelve' }, token);
    expect(errorCode(malformed)).toBe('BAD_USER_INPUT');
    expect(malformed.errors![0]!.extensions).toMatchObject({ reason: 'INVALID_INPUT', field: 'code' });
    expect(await snapshot()).toEqual(before);
    const unknown = await t.gql(CONFIRM, { factorId: 'not-an-id', code: '123456' }, token);
    expect(unknown.errors![0]!.extensions!.reason).toBe('SECOND_FACTOR_NOT_FOUND');
  });

  it('a new start replaces an unconfirmed enrolment (its secret forgotten); a second app is refused once one is confirmed', async () => {
    const u = await t.createUser(['TASK_FORCE']);
    const token = await u.signIn();
    const first = ok(await t.gql<Started>(START, { label: '古い端末' }, token)).startTotpEnrolment;
    const second = ok(await t.gql<Started>(START, { label: '新しい端末' }, token)).startTotpEnrolment;
    expect(await t.sql(`SELECT 1 FROM totp_secrets WHERE factor_id = $1`, [first.factorId])).toEqual([]);
    const [replaced] = await t.sql<{ removed_at: Date | null }>(`SELECT removed_at FROM user_second_factors WHERE id = $1`, [
      first.factorId,
    ]);
    expect(replaced!.removed_at).not.toBeNull();
    const stale = await t.gql(CONFIRM, { factorId: first.factorId, code: codeAt(first.secret, stepNow()) }, token);
    expect(stale.errors![0]!.extensions!.reason).toBe('SECOND_FACTOR_NOT_FOUND');

    ok(await t.gql(CONFIRM, { factorId: second.factorId, code: codeAt(second.secret, stepNow()) }, token));
    const again = await t.gql(START, { label: 'もう一台' }, token);
    expect(errorCode(again)).toBe('CONFLICT');
    expect(again.errors![0]!.extensions!.reason).toBe('SECOND_FACTOR_EXISTS');
  });

  it('a password sign-in of a user with an app is SECOND_FACTOR_PENDING, refused everything else until verifySecondFactor; a code works once', async () => {
    const u = await t.createUser(['TASK_FORCE']);
    const app = await enrol(await u.signIn());
    const pending = await u.signIn();
    expect(ok(await t.gql<{ currentSession: { state: string } }>(CURRENT, {}, pending)).currentSession.state).toBe('SECOND_FACTOR_PENDING');
    const refused = await t.gql(SESSIONS, {}, pending);
    expect(errorCode(refused)).toBe('SECOND_FACTOR_REQUIRED');
    expect(refused.errors![0]!.extensions!.next).toBe('VERIFY');
    // The password alone cannot add another factor either.
    expect(errorCode(await t.gql(START, { label: '侵入者の端末' }, pending))).toBe('SECOND_FACTOR_REQUIRED');

    // Text that is no code at all is a bad input: not a guess, so neither counted nor trailed.
    const malformed = await t.gql(VERIFY, { code: '12345' }, pending);
    expect(errorCode(malformed)).toBe('BAD_USER_INPUT');
    expect(malformed.errors![0]!.extensions).toMatchObject({ reason: 'INVALID_INPUT', field: 'code' });
    // The code already used at enrolment is refused (replay); the session stays pending.
    const replay = await t.gql(VERIFY, { code: codeAt(app.secret, app.step) }, pending);
    expect(replay.errors![0]!.extensions!.reason).toBe('INVALID_SECOND_FACTOR');
    expect(ok(await t.gql<{ currentSession: { state: string } }>(CURRENT, {}, pending)).currentSession.state).toBe('SECOND_FACTOR_PENDING');

    const next = codeAt(app.secret, app.step + 1);
    const verified = ok(await t.gql<Verified>(VERIFY, { code: `${next.slice(0, 3)} ${next.slice(3)}` }, pending)).verifySecondFactor;
    expect(verified).toMatchObject({ id: TestApp.sessionOf(pending), state: 'ACTIVE', secondFactorMethod: 'TOTP', current: true });
    expect(ok(await t.gql<{ mySessions: unknown[] }>(SESSIONS, {}, pending)).mySessions.length).toBeGreaterThan(0);
    const [stored] = await t.sql<{ last_used_step: string }>(`SELECT last_used_step FROM totp_secrets WHERE factor_id = $1`, [
      app.factorId,
    ]);
    expect(stored!.last_used_step).toBe(String(app.step + 1));
    const listed = ok(await t.gql<{ mySecondFactors: { lastUsedAt: string | null }[] }>(FACTORS, {}, pending)).mySecondFactors;
    expect(listed[0]!.lastUsedAt).not.toBeNull();

    // The same code in another session: refused.
    const other = await u.signIn();
    const twice = await t.gql(VERIFY, { code: next }, other);
    expect(twice.errors![0]!.extensions!.reason).toBe('INVALID_SECOND_FACTOR');
    expect(ok(await t.gql<{ currentSession: { state: string } }>(CURRENT, {}, other)).currentSession.state).toBe('SECOND_FACTOR_PENDING');
    const failures = (await trailOf(u.user.id)).filter((e) => e.action === 'auth.second-factor-failed');
    expect(failures).toHaveLength(2);
    for (const f of failures) expect(f.text).not.toContain(next);
    expect(failures.map((f) => JSON.parse(f.text).after.reason)).toEqual(['REPLAYED', 'REPLAYED']);
  });

  it('a recovery code completes a sign-in once (typed in upper case without hyphens), and is then used up', async () => {
    const u = await t.createUser(['TASK_FORCE']);
    const app = await enrol(await u.signIn());
    const code = app.recoveryCodes![3]!;
    const pending = await u.signIn();
    const verified = ok(await t.gql<Verified>(VERIFY, { code: code.replace(/-/g, '').toUpperCase() }, pending)).verifySecondFactor;
    expect(verified).toMatchObject({ state: 'ACTIVE', secondFactorMethod: 'RECOVERY_CODE' });
    const used = await t.sql<{ used_at: Date | null }>(`SELECT used_at FROM recovery_codes WHERE code_hash = $1`, [
      sha256Hex(code.replace(/-/g, '')),
    ]);
    expect(used[0]!.used_at).not.toBeNull();
    expect(ok(await t.gql<{ recoveryCodesLeft: number }>(LEFT, {}, pending)).recoveryCodesLeft).toBe(9);

    const again = await u.signIn();
    const refused = await t.gql(VERIFY, { code }, again);
    expect(refused.errors![0]!.extensions!.reason).toBe('INVALID_SECOND_FACTOR');
    expect(ok(await t.gql<{ currentSession: { state: string } }>(CURRENT, {}, again)).currentSession.state).toBe('SECOND_FACTOR_PENDING');
    for (const e of await trailOf(u.user.id)) expect(e.text).not.toContain(code);
  });

  it('wrong codes are limited per user and address: after LOGIN_MAX_FAILURES, attempts are refused with LOGIN_THROTTLED unchecked', async () => {
    const u = await t.createUser(['TASK_FORCE']);
    const app = await enrol(await u.signIn());
    const pending = await u.signIn();
    const wrong = wrongCode(app.secret);
    for (let i = 0; i < 3; i++) {
      expect((await t.gql(VERIFY, { code: wrong }, pending)).errors![0]!.extensions!.reason).toBe('INVALID_SECOND_FACTOR');
    }
    // After the free failures each opening admits one attempt (the first after 1 s): of five at once, at least four wait.
    const burst = await Promise.all(Array.from({ length: 5 }, () => t.gql(VERIFY, { code: wrong }, pending)));
    const throttled = burst.filter((r) => r.errors?.[0]?.extensions?.reason === 'LOGIN_THROTTLED');
    expect(throttled.length).toBeGreaterThanOrEqual(4);
    for (const r of throttled) {
      expect(errorCode(r)).toBe('TOO_MANY_REQUESTS');
      expect(r.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
    // Every checked code left a failure in the trail, none of the refused-unchecked ones did.
    const failures = (await trailOf(u.user.id)).filter((e) => e.action === 'auth.second-factor-failed');
    expect(failures).toHaveLength(3 + (5 - throttled.length));
    for (const f of failures) expect(f.text).not.toContain(wrong);
    expect(ok(await t.gql<{ currentSession: { state: string } }>(CURRENT, {}, pending)).currentSession.state).toBe('SECOND_FACTOR_PENDING');
  });

  it('removing a factor needs a fresh proof; never the last one a role requires; the last one takes the recovery codes with it', async () => {
    // A task-force member (no factor required) removes their only app.
    const member = await t.createUser(['TASK_FORCE']);
    const token = await member.signIn();
    const app = await enrol(token);
    await t.sql(`UPDATE auth_sessions SET second_factor_at = now() - interval '10 minutes' WHERE id = $1`, [TestApp.sessionOf(token)]);
    const stale = await t.gql(REMOVE, { id: app.factorId }, token);
    expect(errorCode(stale)).toBe('STEP_UP_REQUIRED');
    expect(await t.sql(`SELECT 1 FROM user_second_factors WHERE id = $1 AND removed_at IS NULL`, [app.factorId])).toHaveLength(1);

    ok(await t.gql(VERIFY, { code: app.recoveryCodes![0] }, token));
    const removed = ok(await t.gql<{ removeSecondFactor: { id: string; removedAt: string | null } }>(REMOVE, { id: app.factorId }, token));
    expect(removed.removeSecondFactor).toMatchObject({ id: app.factorId, kind: 'TOTP', label: '業務用 iPhone' });
    expect(removed.removeSecondFactor.removedAt).not.toBeNull();
    expect(ok(await t.gql<{ mySecondFactors: unknown[] }>(FACTORS, {}, token)).mySecondFactors).toEqual([]);
    expect(await t.sql(`SELECT 1 FROM totp_secrets WHERE factor_id = $1`, [app.factorId])).toEqual([]);
    expect(ok(await t.gql<{ recoveryCodesLeft: number }>(LEFT, {}, token)).recoveryCodesLeft).toBe(0);
    const [row] = await t.sql<{ removed_by_label: string }>(`SELECT removed_by_label FROM user_second_factors WHERE id = $1`, [
      app.factorId,
    ]);
    expect(row!.removed_by_label).toBe(member.user.email);
    const entry = (await trailOf(member.user.id)).find((e) => e.action === 'auth.second-factor-removed');
    expect(JSON.parse(entry!.text).after.recoveryCodesInvalidated).toBe(9);
    // Without a factor, a password sign-in is ACTIVE again.
    const later = await member.signIn();
    expect(ok(await t.gql<{ currentSession: { state: string } }>(CURRENT, {}, later)).currentSession.state).toBe('ACTIVE');

    // An auditor's only factor stays.
    const auditor = await t.createUser(['AUDITOR']);
    const auditorToken = await auditor.signIn();
    const auditorApp = await enrol(auditorToken);
    const last = await t.gql(REMOVE, { id: auditorApp.factorId }, auditorToken);
    expect(errorCode(last)).toBe('CONFLICT');
    expect(last.errors![0]!.extensions!.reason).toBe('LAST_SECOND_FACTOR');
    expect(await t.sql(`SELECT 1 FROM user_second_factors WHERE id = $1 AND removed_at IS NULL`, [auditorApp.factorId])).toHaveLength(1);
    // Nobody removes another user's factor: it is not found for them.
    const other = await t.gql(REMOVE, { id: auditorApp.factorId }, await member.token());
    expect(other.errors![0]!.extensions!.reason).toBe('SECOND_FACTOR_NOT_FOUND');
  });

  it('regenerating recovery codes (with a fresh proof) voids the unused old ones', async () => {
    const u = await t.createUser(['TASK_FORCE']);
    const token = await u.signIn();
    const app = await enrol(token);
    const fresh = ok(await t.gql<{ regenerateRecoveryCodes: string[] }>(REGENERATE, {}, token)).regenerateRecoveryCodes;
    expect(fresh).toHaveLength(10);
    expect(fresh.filter((c) => app.recoveryCodes!.includes(c))).toEqual([]);
    expect(ok(await t.gql<{ recoveryCodesLeft: number }>(LEFT, {}, token)).recoveryCodesLeft).toBe(10);

    const old = await t.gql(VERIFY, { code: app.recoveryCodes![0] }, token);
    expect(old.errors![0]!.extensions!.reason).toBe('INVALID_SECOND_FACTOR');
    expect(ok(await t.gql<Verified>(VERIFY, { code: fresh[0] }, token)).verifySecondFactor.secondFactorMethod).toBe('RECOVERY_CODE');

    const entry = (await trailOf(u.user.id)).find((e) => e.action === 'auth.recovery-codes-regenerated');
    expect(JSON.parse(entry!.text).after).toEqual({ issued: 10, invalidated: 10 });
    for (const e of await trailOf(u.user.id)) for (const c of [...fresh, ...app.recoveryCodes!]) expect(e.text).not.toContain(c);

    // Without a factor there is nothing to regenerate.
    const none = await t.createUser(['TASK_FORCE']);
    const refused = await t.gql(REGENERATE, {}, await none.token());
    expect(refused.errors![0]!.extensions!.reason).toBe('SECOND_FACTOR_NOT_FOUND');
    expect(await t.sql(`SELECT 1 FROM recovery_codes WHERE user_id = $1`, [none.user.id])).toEqual([]);
  });
});
