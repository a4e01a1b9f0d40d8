import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransactionHost } from '@nestjs-cls/transactional';
import { ClsService } from 'nestjs-cls';
import { Redis } from 'ioredis';
import { Actor, CASE_TIME_ZONE, DAY_MS, todayIn } from '@app/common';
import { NoticeBus } from '@app/database';
import { PromotionGateService } from '@app/promotion-gate';
import { listeners, TestSubscriber, until } from '../support/graphql-ws-client';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { childEnv, ensureBuild, killLeftoverServers, newDataDir, startServer, stopServer, type ServerChild } from '../support/server-child';
import { TestApp, type GqlResponse } from '../support/test-app';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const GATE_CHANGED = `subscription($key: String) { gateChanged(key: $key) { toState reason gate { key state } } }`;
const DASHBOARD_CHANGED = `subscription($incidentId: ID) { dashboardChanged(incidentId: $incidentId) { action entityType incidentId } }`;
const NOTIFICATION_ADDED = `subscription { notificationAdded { id kind countermeasureKey } }`;
const CREATE_GATE = `mutation($input: CreateGateInput!) { createGate(input: $input) { key state } }`;
const RUN_REMINDERS = `mutation { runReminders { total } }`;
const REVOKE = `mutation($id: ID!) { revokeSession(id: $id) { id } }`;

type GateChanged = { gateChanged: { toState: string; reason: string; gate: { key: string; state: string } } };
type DashboardChanged = { dashboardChanged: { action: string; entityType: string; incidentId: string | null } };
type NotificationAdded = { notificationAdded: { id: string; kind: string; countermeasureKey: string | null } };

/**
 * Live events across instances: two servers on ONE database, A (this process, a
 * TestApp) and B (the built server as a child process, same secrets). A change
 * made through B reaches the subscribers connected to A, with PostgreSQL's
 * LISTEN/NOTIFY (the default) and with Redis pub/sub (REDIS_URL); ending a
 * session through B closes that session's socket on A. No speed is asserted:
 * each test waits for its event.
 */
describe.each([
  ['PostgreSQL LISTEN/NOTIFY', {} as Record<string, string>],
  ['Redis pub/sub', { REDIS_URL } as Record<string, string>],
])(
  'two instances on one database, events by %s',
  (mode, extra) => {
    let a: TestApp;
    let b: ServerChild;
    let dataDirB: string;
    let ctx: Awaited<ReturnType<typeof makeIncident>>;
    let chiefToken: string;
    let owner: Awaited<ReturnType<Awaited<ReturnType<typeof makeIncident>>['addMember']>>;
    let ownerToken: string;
    const open: TestSubscriber<unknown>[] = [];

    /** GraphQL over HTTP to instance B. */
    const gqlB = async <T = Record<string, unknown>>(query: string, variables: Record<string, unknown>, token: string) => {
      const res = await fetch(`${b.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GqlResponse<T>;
    };
    const ok = <T>(res: GqlResponse<T>): T => {
      expect(res.errors).toBeUndefined();
      return res.data!;
    };
    /** Subscribes on A and waits until A counts the subscription (so no event can be missed). */
    const liveOnA = async <T>(
      token: string,
      query: string,
      trigger: Parameters<typeof listeners>[1],
      variables: Record<string, unknown> = {},
    ) => {
      const before = listeners(a, trigger);
      const sub = TestSubscriber.bearer<T>(a, token, query, variables);
      open.push(sub as TestSubscriber<unknown>);
      await until(() => listeners(a, trigger) > before || sub.ended, `the ${trigger} subscription on A to be live`);
      expect(sub.ended, JSON.stringify({ closed: sub.closed, error: sub.error })).toBe(false);
      return sub;
    };

    beforeAll(async () => {
      ensureBuild();
      const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), SECOND_FACTOR_KEY: randomBytes(32).toString('hex') };
      a = await TestApp.start({ ...secrets, ...extra });
      expect(a.app.get(NoticeBus).mode).toBe(extra.REDIS_URL ? 'redis' : 'postgres');
      dataDirB = newDataDir('rt-instance-b-');
      b = await startServer(
        childEnv({
          NODE_ENV: 'test',
          DATABASE_URL: a.databaseUrl,
          DATA_DIR: dataDirB,
          DEMO: 'false',
          LOG_LEVEL: 'warn',
          PASSWORD_HASHING: 'fast',
          STEP_UP_MAX_AGE_SECONDS: '86400',
          ...secrets,
          ...extra,
        }),
      );
      ctx = await makeIncident(a, `二拠点 (${mode})`);
      chiefToken = await ctx.chief.token();
      owner = await ctx.addMember(['TASK_FORCE'], 'システム運用担当');
      ownerToken = await owner.token();
    }, 240_000);

    afterAll(async () => {
      for (const s of open) await s.dispose().catch(() => undefined);
      if (b) await stopServer(b);
      killLeftoverServers();
      await a?.close();
      if (dataDirB) fs.rmSync(dataDirB, { recursive: true, force: true });
    });

    it('a gate created through B reaches gateChanged and dashboardChanged subscribers on A', async () => {
      const key = `two-instances-${randomBytes(3).toString('hex')}`;
      const gateSub = await liveOnA<GateChanged>(chiefToken, GATE_CHANGED, 'gateChanged');
      const dashSub = await liveOnA<DashboardChanged>(chiefToken, DASHBOARD_CHANGED, 'dashboardChanged', { incidentId: ctx.incident.id });

      ok(
        await gqlB(CREATE_GATE, { input: { incidentId: ctx.incident.id, key, name: '二拠点の販促', reason: 'B からの停止' } }, chiefToken),
      );

      await until(() => gateSub.results.some((r) => r.data?.gateChanged.gate.key === key) || gateSub.ended, 'the new gate on A', 60_000);
      const created = gateSub.results.map((r) => r.data!.gateChanged).find((e) => e.gate.key === key)!;
      expect(created).toEqual({ toState: 'SUSPENDED', reason: expect.stringContaining('B からの停止'), gate: { key, state: 'SUSPENDED' } });

      await until(
        () => dashSub.results.some((r) => r.data?.dashboardChanged.entityType === 'PromotionGate') || dashSub.ended,
        'a dashboardChanged about the gate on A',
        60_000,
      );
      const change = dashSub.results.map((r) => r.data!.dashboardChanged).find((e) => e.entityType === 'PromotionGate')!;
      expect(change.incidentId).toBe(ctx.incident.id);
    });

    it('a notification created by a reminder run on B reaches its addressee subscribed on A', async () => {
      const dueSoon = todayIn(CASE_TIME_ZONE, new Date(Date.now() + 3 * DAY_MS));
      const cm = await makeCountermeasure(a, ctx.incident.id, owner.user.id, { dueDate: dueSoon });
      const sub = await liveOnA<NotificationAdded>(ownerToken, NOTIFICATION_ADDED, 'notificationAdded');
      const admin = await a.createUser(['ADMIN']);

      ok(await gqlB(RUN_REMINDERS, {}, await admin.token()));

      await until(
        () => sub.results.some((r) => r.data?.notificationAdded.kind === 'DUE_IN_7_DAYS') || sub.ended,
        'the reminder on A',
        60_000,
      );
      const note = sub.results.map((r) => r.data!.notificationAdded).find((n) => n.kind === 'DUE_IN_7_DAYS')!;
      const [row] = await a.sql<{ user_id: string; countermeasure_id: string }>(
        'SELECT user_id, countermeasure_id FROM notifications WHERE id = $1',
        [note.id],
      );
      expect(row).toEqual({ user_id: owner.user.id, countermeasure_id: cm.id });
    });

    it("ending a session through B closes that session's socket on A (4403)", async () => {
      const member = await ctx.addMember(['TASK_FORCE'], '法務担当');
      const token = await member.token();
      const sub = await liveOnA(token, NOTIFICATION_ADDED, 'notificationAdded');

      // The member ends their own session through B (as "sign out everywhere else" would from another device).
      ok(await gqlB(REVOKE, { id: TestApp.sessionOf(token) }, token));

      await sub.waitForEnd();
      expect(sub.closed?.code).toBe(4403);
      expect(sub.closed?.reason).toContain('session was ended');
    });

    // Only the Redis mode has this case: defined there alone, so the PostgreSQL mode reports no skipped test.
    if (extra.REDIS_URL)
      it('with Redis, a change that rolls back is never published; the next committed one is', async () => {
        const gates = a.app.get(PromotionGateService);
        const [rolledBack, committed] = ['rolled-back', 'committed'].map((k) => `${k}-${randomBytes(3).toString('hex')}`);
        const sub = await liveOnA<GateChanged>(chiefToken, GATE_CHANGED, 'gateChanged');
        // Everything published on this database's channels, straight from Redis.
        const spy = new Redis(REDIS_URL);
        const heard: { channel: string; message: string }[] = [];
        try {
          const prefix = `remediation-tracker:${new URL(a.databaseUrl).pathname.slice(1)}:`;
          spy.on('pmessage', (_p: string, channel: string, message: string) =>
            heard.push({ channel: channel.slice(prefix.length), message }),
          );
          await spy.psubscribe(`${prefix}*`);

          // Made on A inside a transaction that then rolls back (a gate, its history, its trail entry, its notices).
          const txHost = a.app.get(TransactionHost);
          await expect(
            a.app.get(ClsService).run(() =>
              txHost.withTransaction(async () => {
                await gates.create(Actor.user(ctx.chief.user), {
                  incidentId: ctx.incident.id,
                  key: rolledBack,
                  name: '取り消される',
                  reason: '取消',
                });
                throw new Error('roll back');
              }),
            ),
          ).rejects.toThrow('roll back');
          expect(await a.sql('SELECT 1 FROM promotion_gates WHERE key = $1', [rolledBack])).toEqual([]);

          // Then one committed through B: the first gate event A's subscriber gets, and the first gate notice Redis carried.
          ok(
            await gqlB(
              CREATE_GATE,
              { input: { incidentId: ctx.incident.id, key: committed, name: 'コミット', reason: '確認中' } },
              chiefToken,
            ),
          );
          const [first] = await sub.waitForResults(1);
          expect(first!.data!.gateChanged.gate.key).toBe(committed);
          await until(() => heard.some((h) => h.channel === 'promotion_gate_changed'), 'the gate notice in Redis');
          const gateNotices = heard
            .filter((h) => h.channel === 'promotion_gate_changed')
            .map((h) => JSON.parse(h.message) as { key: string });
          expect(gateNotices[0]!.key).toBe(committed);
          expect(heard.filter((h) => h.message.includes(rolledBack))).toEqual([]);
        } finally {
          spy.disconnect();
        }
      });
  },
  120_000,
);
