import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwtService } from '@nestjs/jwt';
import { TransactionHost } from '@nestjs-cls/transactional';
import { ClsService } from 'nestjs-cls';
import { Actor, CASE_TIME_ZONE, todayIn } from '@app/common';
import { ApiKeysService, UsersService } from '@app/identity';
import { PromotionGateService } from '@app/promotion-gate';
import { listeners, TestSubscriber, until } from '../support/graphql-ws-client';
import { AppPubSub, PUB_SUB, SubscriptionTrigger } from '../../apps/api/src/subscriptions/pubsub.provider';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { errorCode, TestApp, type GqlResponse } from '../support/test-app';

const GATE_CHANGED = `subscription($key: String) {
  gateChanged(key: $key) {
    changeId fromState toState cause reason at
    gate { key state canPromote version blockers { kind } history { toState cause } }
  }
}`;
const SUSPEND = `mutation($input: GateDecisionInput!) { suspendGate(input: $input) { version state } }`;
const RELEASE = `mutation($input: GateDecisionInput!) { releaseGateHold(input: $input) { version state } }`;
const AUTHORIZE = `mutation($input: GateDecisionInput!) { authorizeGateReopening(input: $input) { version state } }`;

type GateChanged = {
  gateChanged: {
    changeId: string;
    fromState: string | null;
    toState: string;
    cause: string;
    reason: string;
    at: string;
    gate: {
      key: string;
      state: string;
      canPromote: boolean;
      version: number;
      blockers: { kind: string }[];
      history: { toState: string; cause: string }[];
    };
  };
};
type Decision = { version: number; state: string };

const ok = <T>(res: GqlResponse<T>): T => {
  expect(res.errors).toBeUndefined();
  return res.data!;
};

/**
 * `gateChanged` over graphql-ws, on the real server and PostgreSQL: the
 * connection is authenticated at `connection_init`, events come from what
 * PostgreSQL announces at commit, and each subscriber gets only its gate.
 */
describe('gateChanged subscription (graphql-ws)', () => {
  let t: TestApp;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let chiefToken: string;
  let memberToken: string;
  let gates: PromotionGateService;
  const open: TestSubscriber[] = [];
  const subscribe = <T = GateChanged>(token: string | null, variables: Record<string, unknown> = {}, query = GATE_CHANGED) => {
    const s = TestSubscriber.bearer<T>(t, token, query, variables);
    open.push(s as TestSubscriber);
    return s;
  };
  /** Opens subscriptions and waits until the server counts them (so that no event can be missed). */
  const live = async <T = GateChanged>(...subs: [string, Record<string, unknown>?][]) => {
    const before = listeners(t, 'gateChanged');
    const made = subs.map(([token, vars]) => subscribe<T>(token, vars ?? {}));
    await until(() => listeners(t, 'gateChanged') >= before + made.length || made.some((s) => s.ended), 'the subscriptions to be live');
    for (const s of made) expect(s.ended, JSON.stringify({ closed: s.closed, error: s.error })).toBe(false);
    return made;
  };
  const version = async (key: string) => (await gates.getByKey(key)).version;
  const decide = async (mutation: string, key: string, statement: string, token = chiefToken) => {
    const res = await t.gql<Record<string, Decision>>(mutation, { input: { key, expectedVersion: await version(key), statement } }, token);
    return Object.values(ok(res))[0]!;
  };
  /**
   * Creates a gate and waits until the server has published its creation (seen on
   * the server's own PubSub): a notice arriving late would otherwise reach the
   * subscribers a test opens next.
   */
  const createGate = async (key: string, name = '新規顧客向け販促') => {
    const pubSub = t.app.get<AppPubSub>(PUB_SUB);
    const seen: { key: string; toState: string }[] = [];
    const id = await pubSub.subscribe(SubscriptionTrigger.GATE_CHANGED, (e: unknown) => {
      const ev = e as { gate: { key: string }; toState: string };
      seen.push({ key: ev.gate.key, toState: ev.toState });
    });
    try {
      const created = await gates.create(Actor.system('test'), { incidentId: ctx.incident.id, key, name, reason: '監査完了まで停止' });
      await until(() => seen.some((x) => x.key === key && x.toState === created.state), 'the creation to be published');
      return created;
    } finally {
      pubSub.unsubscribe(id);
    }
  };

  /** An incident whose rules hold (a verified countermeasure, a cleared audit): its gates are ELIGIBLE. */
  beforeAll(async () => {
    t = await TestApp.start();
    gates = t.app.get(PromotionGateService);
    ctx = await makeIncident(t);
    chiefToken = await ctx.chief.token();
    const owner = await ctx.addMember(['TASK_FORCE'], 'システム運用担当');
    const ownerToken = await owner.token();
    memberToken = ownerToken;
    const lead = await t.createUser(['AUDITOR'], { displayName: '監査 主任' });
    const leadToken = await lead.token();
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id, {
      requiredForGate: true,
      requirements: [{ title: '権限棚卸し結果' }],
    });
    const move = `mutation($input: MoveCountermeasureInput!) { moveCountermeasure(input: $input) { version } }`;
    ok(await t.gql(move, { input: { id: cm.id, expectedVersion: 1, to: 'IN_PROGRESS' } }, ownerToken));
    const [req] = await t.sql<{ id: string }>('SELECT id FROM countermeasure_requirements WHERE countermeasure_id = $1', [cm.id]);
    const attest = `mutation($input: SubmitEvidenceAttestationInput!) { submitEvidenceAttestation(input: $input) { id sha256 } }`;
    const e = ok(
      await t.gql<{ submitEvidenceAttestation: { id: string; sha256: string } }>(
        attest,
        { input: { requirementId: req!.id, title: '棚卸し', statement: '完了', effectiveOn: todayIn(CASE_TIME_ZONE, new Date()) } },
        ownerToken,
      ),
    ).submitEvidenceAttestation;
    ok(await t.gql(move, { input: { id: cm.id, expectedVersion: 2, to: 'IMPLEMENTED' } }, ownerToken));
    ok(
      await t.gql(
        `mutation($input: ReviewEvidenceInput!) { reviewEvidence(input: $input) { decision } }`,
        { input: { evidenceId: e.id, sha256: e.sha256, expectedVersion: 1, decision: 'ACCEPTED' } },
        leadToken,
      ),
    );
    ok(
      await t.gql(
        `mutation($input: SignOffCountermeasureInput!) { signOffCountermeasure(input: $input) { digest } }`,
        { input: { countermeasureId: cm.id, expectedVersion: 3 } },
        leadToken,
      ),
    );
    const engagement = ok(
      await t.gql<{ createAuditEngagement: { id: string } }>(
        `mutation($input: CreateAuditEngagementInput!) { createAuditEngagement(input: $input) { id } }`,
        {
          input: { incidentId: ctx.incident.id, title: '監査', firm: '監査法人', leadAuditorId: lead.user.id, countermeasureIds: [cm.id] },
        },
        chiefToken,
      ),
    ).createAuditEngagement;
    const engagementVersion = async () =>
      (await t.sql<{ version: number }>('SELECT version FROM audit_engagements WHERE id = $1', [engagement.id]))[0]!.version;
    for (const to of ['FIELDWORK', 'REPORTING']) {
      ok(
        await t.gql(
          `mutation($input: MoveAuditEngagementInput!) { moveAuditEngagement(input: $input) { id } }`,
          { input: { id: engagement.id, expectedVersion: await engagementVersion(), to } },
          leadToken,
        ),
      );
    }
    ok(
      await t.gql(
        `mutation($input: ClearAuditInput!) { clearAudit(input: $input) { id } }`,
        { input: { engagementId: engagement.id, expectedVersion: await engagementVersion(), statement: '全対象の運用を確認した' } },
        leadToken,
      ),
    );
  });

  afterAll(async () => {
    // One subscriber is deliberately left open: closing the app must close its socket too.
    await until(() => listeners(t, 'gateChanged') === 0, 'the earlier subscriptions to end');
    const lingering = subscribe(memberToken, {});
    await until(() => listeners(t, 'gateChanged') === 1 || lingering.ended, 'the lingering subscription');
    expect(lingering.ended).toBe(false);
    await t?.close();
    await until(() => lingering.ended, 'the server to close the lingering socket');
    expect(lingering.closed?.code).toBe(1001); // Going away
    await Promise.all(open.map((s) => s.dispose()));
  });

  it('a task-force member sees the reopening and the re-suspension as they commit: the gate after the change, and the change', async () => {
    const key = 'new-customer-promotion';
    const created = await createGate(key);
    expect(created.state).toBe('ELIGIBLE');
    const [sub] = await live([memberToken, { key }]);

    const opened = await decide(AUTHORIZE, key, '監査完了を確認し再開を承認する');
    const held = await decide(SUSPEND, key, '報道対応中のため一時停止');
    expect([opened.state, held.state]).toEqual(['OPEN', 'SUSPENDED']);

    const [first, second] = (await sub!.waitForResults(2)).map((r) => r.data!.gateChanged);
    expect(first).toMatchObject({ fromState: 'ELIGIBLE', toState: 'OPEN', cause: 'AUTHORIZED', reason: '監査完了を確認し再開を承認する' });
    expect(first!.gate).toMatchObject({ key, state: expect.any(String) });
    expect(second).toMatchObject({ fromState: 'OPEN', toState: 'SUSPENDED', cause: 'HELD_BY_HAND' });
    expect(second!.reason).toContain('報道対応中のため一時停止');
    // The gate as it is after the change: state, version, blockers, history (fresh loaders per event).
    expect(second!.gate).toMatchObject({
      key,
      state: 'SUSPENDED',
      canPromote: false,
      version: held.version,
      blockers: [{ kind: 'MANUAL_HOLD' }],
    });
    expect(second!.gate.history.at(-1)).toEqual({ toState: 'SUSPENDED', cause: 'HELD_BY_HAND' });
    expect(second!.gate.history.length).toBe(first!.gate.history.length + 1);
    expect(new Date(second!.at).getTime()).toBeGreaterThanOrEqual(new Date(first!.at).getTime());
    const [row] = await t.sql<{ id: string }>(
      `SELECT id FROM promotion_gate_history WHERE cause = 'HELD_BY_HAND' ORDER BY at DESC LIMIT 1`,
    );
    expect(second!.changeId).toBe(row!.id);
    expect(sub!.graphqlErrors).toEqual([]);
    await sub!.dispose();
  });

  it('refuses a connection without a valid credential: 4403 with a reason that says what to do, and no data', async () => {
    const member = await ctx.addMember();
    const token = await member.token();
    const [header, payload] = token.split('.');
    const gone = await ctx.addMember();
    const goneToken = await gone.token();
    await t.app.get(UsersService).deactivate(Actor.system('test'), gone.user.id, gone.user.version);
    const expired = t.app.get(JwtService).sign({ sub: member.user.id }, { expiresIn: -60 });
    const api = t.app.get(ApiKeysService);
    const revoked = await api.create(Actor.system('test'), { name: '失効済みの販促システム' });
    await api.revoke(Actor.system('test'), revoked.apiKey.id, '漏えいの疑い');

    const cases: [string, string | null, RegExp][] = [
      ['no token', null, /^Forbidden: Sign in first: send connectionParams/],
      ['not a bearer value', token, /^Forbidden: Malformed authorization/],
      ['garbage', 'Bearer garbage', /^Forbidden: The access token is not valid$/],
      ['forged signature', `Bearer ${header}.${payload}.forgedsignature`, /^Forbidden: The access token is not valid$/],
      ['expired', `Bearer ${expired}`, /^Forbidden: The access token has expired; sign in again$/],
      ['deactivated user', `Bearer ${goneToken}`, /^Forbidden: This account is deactivated; ask an admin$/],
      ['revoked API key', `Bearer ${revoked.secret}`, /^Forbidden: The API key is not valid, or it has been revoked/],
      ['unknown API key', `Bearer rtk_0123456789ab_${'A'.repeat(43)}`, /^Forbidden: The API key is not valid, or it has been revoked/],
    ];
    const subs = cases.map(([, authorization]) => {
      const s = new TestSubscriber<GateChanged>(t, { authorization, query: GATE_CHANGED });
      open.push(s as TestSubscriber);
      return s;
    });
    await Promise.all(subs.map((s) => s.waitForEnd()));
    subs.forEach((s, i) => {
      const [name, authorization, reason] = cases[i]!;
      expect(s.closed?.code, name).toBe(4403);
      expect(s.closed?.reason, name).toMatch(reason);
      expect(s.results, name).toEqual([]);
      // Nothing leaked: neither the credential nor who it names.
      const secret = authorization?.replace(/^Bearer /, '') ?? '';
      if (secret) expect(s.closed!.reason).not.toContain(secret.slice(-20));
      expect(s.closed!.reason).not.toContain(gone.user.id);
      expect(s.closed!.reason).not.toContain(member.user.id);
    });
  });

  it('a promotion system subscribes with its API key (role SERVICE, GATE_READ)', async () => {
    const key = 'existing-web';
    await createGate(key, '既存顧客向けWeb');
    const { secret } = await t.app.get(ApiKeysService).create(Actor.system('test'), { name: '販促配信システム' });
    const [sub] = await live([secret, { key }]);
    const held = await decide(SUSPEND, key, '再停止');
    const [event] = (await sub!.waitForResults(1)).map((r) => r.data!.gateChanged);
    expect(event).toMatchObject({ toState: 'SUSPENDED', gate: { key, state: 'SUSPENDED', version: held.version } });
    await decide(RELEASE, key, '再開可能');
    await sub!.dispose();
  });

  it('the guard runs at subscribe and every event re-checks the connection: a user deactivated since gets nothing more', async () => {
    const key = 'guard-check';
    await createGate(key, 'ガード確認');
    const watcher = await ctx.addMember();
    const leaving = await ctx.addMember();
    const [sentinel, doomed] = await live([await watcher.token(), { key }], [await leaving.token(), { key }]);
    await t.app.get(UsersService).deactivate(Actor.system('test'), leaving.user.id, leaving.user.version);
    await decide(SUSPEND, key, '一時停止');
    await sentinel!.waitForResults(1);
    await doomed!.waitForEnd();
    expect(doomed!.results).toEqual([]);
    expect(doomed!.closed).toEqual({ code: 4403, reason: 'Forbidden: This account is deactivated; ask an admin' });

    // Authenticated at the connection, deactivated before the next subscribe: the AccessGuard refuses that operation.
    const late = await ctx.addMember();
    const [first] = await live([await late.token(), { key }]);
    await t.app.get(UsersService).deactivate(Actor.system('test'), late.user.id, late.user.version);
    const next = first!.also<GateChanged>(GATE_CHANGED, { key });
    await next.waitForEnd();
    expect(next.results.filter((r) => r.data)).toEqual([]);
    expect(next.graphqlErrors).toEqual([
      expect.objectContaining({
        message: 'This account is deactivated; ask an admin',
        extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }),
      }),
    ]);
    await first!.dispose();
    await decide(RELEASE, key, '再開可能');
    await sentinel!.dispose();
  });

  it('serves subscriptions only, with the same validation as HTTP', async () => {
    const query = subscribe<{ me: unknown }>(memberToken, {}, `query { me { id } }`);
    await query.waitForEnd();
    expect(query.results).toEqual([]);
    expect(query.graphqlErrors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } })]);
    expect(query.graphqlErrors[0]!.message).toContain('POST /graphql');

    const mutation = subscribe(memberToken, {}, `mutation { login(input: { email: "a@b.c", password: "x" }) { accessToken } }`);
    await mutation.waitForEnd();
    expect(mutation.graphqlErrors.map((e) => e.extensions?.['code'])).toEqual(['BAD_USER_INPUT']);

    const invalid = subscribe(memberToken, {}, `subscription { gateChanged { nope } }`);
    await invalid.waitForEnd();
    expect(invalid.graphqlErrors.map((e) => e.extensions?.['code'])).toEqual(['GRAPHQL_VALIDATION_FAILED']);

    // The query limits of HTTP apply (here: more than 30 aliases).
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: changeId`).join(' ');
    const tooMany = subscribe(memberToken, {}, `subscription { gateChanged { ${aliases} } }`);
    await tooMany.waitForEnd();
    expect(tooMany.graphqlErrors.map((e) => e.extensions?.['code'])).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(tooMany.results).toEqual([]);

    // A fragment chain that doubles at every level (2^60 fields written out) is measured once per fragment and
    // refused by the shape limits alone, before GraphQL's own rules run.
    const chain = Array.from({ length: 60 }, (_, i) => `fragment F${i} on GateChangeEvent { ...F${i + 1} ...F${i + 1} }`).join(' ');
    const doubling = subscribe(
      memberToken,
      {},
      `subscription { gateChanged { ...F0 } } ${chain} fragment F60 on GateChangeEvent { changeId }`,
    );
    await doubling.waitForEnd();
    expect(doubling.graphqlErrors.map((e) => e.extensions?.['reason'])).toEqual(['TOO_MANY_FIELDS']);

    // And the token cap: a document over it is refused while it is parsed.
    const long = subscribe(memberToken, {}, `subscription { gateChanged { ${'changeId '.repeat(2100)} } }`);
    await long.waitForEnd();
    expect(long.graphqlErrors[0]!.message).toMatch(/Document contains more th\w+ 2000 tokens/);
  });

  it('publishes nothing for a change that rolls back, nor for a refused mutation', async () => {
    const key = 'rollback-check';
    await createGate(key, 'ロールバック確認');
    const [sub] = await live([memberToken, { key }]);

    // Refused by the rules and by the guard: nothing is written, nothing is announced.
    expect(
      errorCode(await t.gql(SUSPEND, { input: { key, expectedVersion: (await version(key)) - 1, statement: '古い版' } }, chiefToken)),
    ).toBe('CONFLICT');
    expect(
      errorCode(await t.gql(SUSPEND, { input: { key, expectedVersion: await version(key), statement: '権限なし' } }, memberToken)),
    ).toBe('FORBIDDEN');
    // The service issues pg_notify inside the transaction, which then rolls back.
    const txHost = t.app.get(TransactionHost);
    const v = await version(key);
    await expect(
      t.app.get(ClsService).run(() =>
        txHost.withTransaction(async () => {
          const held = await gates.hold(Actor.user(ctx.chief.user), key, v, 'ロールバックされる停止');
          expect(held.state).toBe('SUSPENDED'); // changed inside the transaction ...
          throw new Error('roll back');
        }),
      ),
    ).rejects.toThrow('roll back');
    expect((await gates.getByKey(key)).state).toBe('ELIGIBLE'); // ... and rolled back

    // A committed change afterwards is the first (and only) event: nothing came before it.
    await decide(SUSPEND, key, 'コミットされる停止');
    const events = (await sub!.waitForResults(1)).map((r) => r.data!.gateChanged);
    expect(events.map((e) => [e.toState, e.reason])).toEqual([['SUSPENDED', expect.stringContaining('コミットされる停止')]]);
    await decide(RELEASE, key, '再開可能');
    await sub!.waitForResults(2);
    expect(sub!.results.map((r) => r.data!.gateChanged.cause)).toEqual(['HELD_BY_HAND', 'HOLD_RELEASED']);
    await sub!.dispose();
  });

  it('two subscribers with different keys each get only their gate; one without a key gets both', async () => {
    const [k1, k2] = ['key-one', 'key-two'];
    await createGate(k1, '一');
    await createGate(k2, '二');
    const [one, two, all] = await live([memberToken, { key: k1 }], [chiefToken, { key: k2.toUpperCase() }], [memberToken, {}]);

    // Interleaved, so that a wrongly delivered event would sit between the right ones.
    await decide(SUSPEND, k1, '一を停止');
    await decide(SUSPEND, k2, '二を停止');
    await decide(RELEASE, k1, '一を再開');
    await decide(RELEASE, k2, '二を再開');

    const seen = async (s: TestSubscriber<GateChanged>, n: number) =>
      (await s.waitForResults(n)).map((r) => `${r.data!.gateChanged.gate.key}:${r.data!.gateChanged.cause}`);
    expect(await seen(one!, 2)).toEqual([`${k1}:HELD_BY_HAND`, `${k1}:HOLD_RELEASED`]);
    expect(await seen(two!, 2)).toEqual([`${k2}:HELD_BY_HAND`, `${k2}:HOLD_RELEASED`]);
    expect(await seen(all!, 4)).toEqual([`${k1}:HELD_BY_HAND`, `${k2}:HELD_BY_HAND`, `${k1}:HOLD_RELEASED`, `${k2}:HOLD_RELEASED`]);
    await Promise.all([one!.dispose(), two!.dispose(), all!.dispose()]);
  });
});
