import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigService } from '@nestjs/config';
import { getDataSourceToken } from '@nestjs/typeorm';
import { TransactionHost } from '@nestjs-cls/transactional';
import { ClsService } from 'nestjs-cls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Actor } from '@app/common';
import { AuditClearanceEntity, AuditEngagementEntity } from '@app/audits';
import {
  GateNotifications,
  PromotionGateService,
  verifyWebhook,
  WebhookDispatcher,
  WebhookTargets,
  type GateChangedNotice,
} from '@app/promotion-gate';
import { makeIncident } from '../support/remediation-factory';
import { errorCode, reasonOf, TestApp } from '../support/test-app';

/** What the receiver saw of one POST. */
interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A local promotion system: answers each POST with the next status of `answers` (then 200). */
async function receiver(answers: number[] = []) {
  const requests: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      res.statusCode = answers[requests.length - 1] ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/gate-hook`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A URL nobody listens on (a port that was just freed). */
async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/gate-hook`;
}

const WAIT = { timeout: 20_000, interval: 50 };

const DELIVERIES = `query($key: String!) { gate(key: $key) { key webhookUrl webhookDeliveries {
  id changeId url body status attemptCount nextAttemptAt deliveredAt failureReason createdAt
  attempts { id at httpStatus error durationMs } } } }`;

interface Delivery {
  id: string;
  changeId: string;
  url: string;
  body: string;
  status: string;
  attemptCount: number;
  nextAttemptAt: string;
  deliveredAt: string | null;
  failureReason: string | null;
  attempts: { id: string; at: string; httpStatus: number | null; error: string | null; durationMs: number }[];
}

/**
 * An admin (who configures webhooks) and an incident whose chief is signed in, with a standing
 * clearance of the external audit, so that a new gate of this incident is ELIGIBLE and an
 * executive's hold is a real state change (ELIGIBLE → SUSPENDED).
 */
async function adminAndClearedIncident(t: TestApp): Promise<{ adminToken: string; chiefToken: string; incidentId: string }> {
  const adminToken = await (await t.createUser(['ADMIN'])).token();
  const ctx = await makeIncident(t);
  const incidentId = ctx.incident.id;
  const chiefToken = await ctx.chief.token();
  const auditor = await t.createUser(['AUDITOR']);
  const engagement = await ctx.ds
    .getRepository(AuditEngagementEntity)
    .save({ incidentId, title: '外部監査', firm: 'セキュリティ監査株式会社', leadAuditorId: auditor.user.id, status: 'CLEARED' });
  await ctx.ds.getRepository(AuditClearanceEntity).insert({
    id: randomUUID(),
    engagementId: engagement.id,
    incidentId,
    clearedById: auditor.user.id,
    clearedByLabel: auditor.user.email,
    clearedAt: new Date(),
    statement: '確認した。',
    digest: 'a'.repeat(64),
    payload: { format: 'clearance/v1' },
  });
  return { adminToken, chiefToken, incidentId };
}

/** The gate's webhook configuration version, read as the admin would before changing it. */
async function webhookVersion(t: TestApp, key: string, token: string): Promise<number> {
  const read = await t.gql<{ gate: { webhookVersion: number } }>(
    `query($key: String!) { gate(key: $key) { webhookVersion } }`,
    { key },
    token,
  );
  expect(read.errors).toBeUndefined();
  return read.data!.gate.webhookVersion;
}

describe('the gate webhook: signed POSTs of every state change, retried, every attempt recorded', () => {
  let t: TestApp;
  let adminToken: string;
  let chiefToken: string;
  let incidentId: string;
  let n = 0;

  beforeAll(async () => {
    // Three attempts, then FAILED (the default is 12); the back-off is the default 1 s, 2 s, ...
    // The receivers listen on 127.0.0.1: private networks allowed here (refused by default, see the last suite).
    t = await TestApp.start({ GATE_WEBHOOK_MAX_ATTEMPTS: '3', GATE_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
    ({ adminToken, chiefToken, incidentId } = await adminAndClearedIncident(t));
  });
  afterAll(async () => t?.close());

  /** A new ELIGIBLE gate of the incident (made through the service, not the API under test). */
  async function eligibleGate() {
    const gate = await t.app.get(PromotionGateService).create(Actor.system('test'), {
      incidentId,
      key: `wh-${++n}-${randomBytes(3).toString('hex')}`,
      name: '新規顧客向け販売促進',
      reason: '漏えい事案の再発防止策の完了まで停止',
    });
    expect(gate.state).toBe('ELIGIBLE');
    return gate;
  }

  async function configure(key: string, url: string | null, secret: string | null) {
    const expectedWebhookVersion = await webhookVersion(t, key, adminToken);
    const res = await t.gql<{ configureGateWebhook: { webhookUrl: string | null } }>(
      `mutation($input: ConfigureGateWebhookInput!) { configureGateWebhook(input: $input) { webhookUrl } }`,
      { input: { key, url, secret, expectedWebhookVersion } },
      adminToken,
    );
    expect(res.errors).toBeUndefined();
    return res.data!.configureGateWebhook;
  }

  /** The chief (an executive) suspends the gate by hand through the API: ELIGIBLE → SUSPENDED. */
  async function suspend(key: string) {
    const read = await t.gql<{ gate: { version: number } }>(`query($key: String!) { gate(key: $key) { version } }`, { key }, chiefToken);
    const res = await t.gql<{ suspendGate: { state: string; history: { id: string; toState: string; cause: string }[] } }>(
      `mutation($input: GateDecisionInput!) { suspendGate(input: $input) { state history { id toState cause } } }`,
      { input: { key, expectedVersion: read.data!.gate.version, statement: '再流出の疑い: 販促を即時停止' } },
      chiefToken,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.suspendGate.state).toBe('SUSPENDED');
    return res.data!.suspendGate.history.at(-1)!;
  }

  async function deliveries(key: string): Promise<Delivery[]> {
    const res = await t.gql<{ gate: { webhookDeliveries: Delivery[] } }>(DELIVERIES, { key }, adminToken);
    expect(res.errors).toBeUndefined();
    return res.data!.gate.webhookDeliveries;
  }

  it('POSTs the change, signed with the secret, within seconds; the delivery is DELIVERED with one attempt, and admins see it', async () => {
    const hook = await receiver();
    const secret = `s3cret-${randomBytes(12).toString('hex')}`;
    try {
      const gate = await eligibleGate();
      expect(await configure(gate.key, hook.url, secret)).toEqual({ webhookUrl: hook.url });
      const change = await suspend(gate.key);
      expect(change).toMatchObject({ toState: 'SUSPENDED', cause: 'HELD_BY_HAND' });

      await vi.waitFor(async () => expect((await deliveries(gate.key))[0]?.status).toBe('DELIVERED'), WAIT);
      expect(hook.requests).toHaveLength(1);
      const [req] = hook.requests;
      const [d] = await deliveries(gate.key);

      // The body: the change as JSON, exactly what the outbox holds.
      expect(req.body).toBe(d.body);
      expect(JSON.parse(req.body)).toMatchObject({
        event: 'gate.changed',
        gateId: gate.id,
        key: gate.key,
        incidentId,
        changeId: change.id,
        fromState: 'ELIGIBLE',
        toState: 'SUSPENDED',
        cause: 'HELD_BY_HAND',
        canPromote: false,
        blockers: [expect.objectContaining({ kind: 'MANUAL_HOLD' })],
      });
      // The headers, and the signature as a receiver checks it.
      expect(req.headers['content-type']).toBe('application/json');
      expect(req.headers['x-gate-delivery']).toBe(d.id);
      const ts = req.headers['x-gate-timestamp'] as string;
      expect(ts).toMatch(/^\d+$/);
      expect(Math.abs(Number(ts) - Math.floor(req.at / 1000))).toBeLessThanOrEqual(5);
      expect(req.headers['x-gate-signature']).toBe(`sha256=${createHmac('sha256', secret).update(`${ts}.${req.body}`).digest('hex')}`);
      expect(verifyWebhook(secret, req.body, req.headers['x-gate-signature'] as string, ts, Math.floor(Date.now() / 1000))).toBe(true);
      expect(
        verifyWebhook('another-secret-1234567', req.body, req.headers['x-gate-signature'] as string, ts, Math.floor(Date.now() / 1000)),
      ).toBe(false);

      // The record: one attempt, 200, DELIVERED.
      expect(d).toMatchObject({ changeId: change.id, url: hook.url, status: 'DELIVERED', attemptCount: 1, failureReason: null });
      expect(d.deliveredAt).not.toBeNull();
      expect(d.attempts).toEqual([expect.objectContaining({ httpStatus: 200, error: null })]);
      expect(d.attempts[0].durationMs).toBeGreaterThanOrEqual(0);
      const [row] = await t.sql<{ status: string; attempts: number }>(
        `SELECT status, attempts FROM gate_webhook_deliveries WHERE id = $1`,
        [d.id],
      );
      expect(row).toEqual({ status: 'DELIVERED', attempts: 1 });
    } finally {
      await hook.close();
    }
  });

  it('shows deliveries to admins only: an executive reading the gate gets it, with FORBIDDEN for webhookDeliveries', async () => {
    const gate = await eligibleGate();
    const res = await t.gql<{ gate: { key: string; webhookDeliveries: unknown } }>(DELIVERIES, { key: gate.key }, chiefToken);
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors![0].path).toEqual(['gate', 'webhookDeliveries']);
    expect(res.data!.gate).toMatchObject({ key: gate.key, webhookDeliveries: null });
  });

  it('retries a receiver that answers 500 twice, then 200: three attempts recorded, the waits growing, finally DELIVERED', async () => {
    const hook = await receiver([500, 500, 200]);
    const secret = `s3cret-${randomBytes(12).toString('hex')}`;
    try {
      const gate = await eligibleGate();
      await configure(gate.key, hook.url, secret);
      await suspend(gate.key);

      await vi.waitFor(async () => expect((await deliveries(gate.key))[0]?.status).toBe('DELIVERED'), WAIT);
      const [d] = await deliveries(gate.key);
      expect(d.attemptCount).toBe(3);
      expect(d.attempts.map((a) => [a.httpStatus, a.error])).toEqual([
        [500, 'HTTP 500 Internal Server Error'],
        [500, 'HTTP 500 Internal Server Error'],
        [200, null],
      ]);
      // The waits double (1 s, then 2 s, each up to 20 % shorter: GATE_WEBHOOK_RETRY_BASE_MS): a retry never comes
      // before its time, so each gap is at least its wait, however busy the machine (which only makes gaps longer).
      const at = d.attempts.map((a) => Date.parse(a.at));
      expect(at[1] - at[0]).toBeGreaterThanOrEqual(800);
      expect(at[2] - at[1]).toBeGreaterThanOrEqual(1600);
      // The same delivery each time (the receiver de-duplicates on it), each attempt signed afresh.
      expect(hook.requests).toHaveLength(3);
      for (const r of hook.requests) {
        expect(r.headers['x-gate-delivery']).toBe(d.id);
        expect(r.body).toBe(d.body);
        expect(
          verifyWebhook(
            secret,
            r.body,
            r.headers['x-gate-signature'] as string,
            r.headers['x-gate-timestamp'] as string,
            Math.floor(r.at / 1000),
          ),
        ).toBe(true);
      }
    } finally {
      await hook.close();
    }
  });

  it('keeps a delivery to a receiver that is down PENDING, with each failure recorded and a later next attempt, then gives up as FAILED', async () => {
    const url = await closedPortUrl();
    const gate = await eligibleGate();
    await configure(gate.key, url, `s3cret-${randomBytes(12).toString('hex')}`);
    await suspend(gate.key);

    // Between the second and the third attempt: two failures on record, still PENDING, the next one later.
    await vi.waitFor(async () => {
      const [d] = await deliveries(gate.key);
      expect(d.attempts).toHaveLength(2);
      expect(d.attemptCount).toBe(2);
    }, WAIT);
    const [mid] = await deliveries(gate.key);
    expect(mid.status).toBe('PENDING');
    for (const a of mid.attempts) {
      expect(a.httpStatus).toBeNull();
      expect(a.error).toMatch(/ECONNREFUSED/);
    }
    expect(Date.parse(mid.nextAttemptAt)).toBeGreaterThan(Date.parse(mid.attempts[1].at));

    await vi.waitFor(async () => expect((await deliveries(gate.key))[0].status).toBe('FAILED'), WAIT);
    const [d] = await deliveries(gate.key);
    expect(d.attempts).toHaveLength(3);
    expect(d.failureReason).toMatch(/^gave up after 3 attempts; last: .*ECONNREFUSED/);
  });

  it('counts a receiver that does not answer within 5 s as a failed attempt (timed out), and retries', async () => {
    const hanging = http.createServer(() => undefined); // never answers
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    try {
      const gate = await eligibleGate();
      await configure(
        gate.key,
        `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/gate-hook`,
        `s3cret-${randomBytes(12).toString('hex')}`,
      );
      await suspend(gate.key);
      await vi.waitFor(async () => expect((await deliveries(gate.key))[0]?.attempts.length).toBeGreaterThanOrEqual(1), WAIT);
      const [d] = await deliveries(gate.key);
      expect(d.attempts[0]).toMatchObject({ httpStatus: null, error: 'timed out after 5000 ms' });
      expect(d.status).toBe('PENDING');
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  });

  it('two admins configuring one gate: the configuration made on an older webhookVersion is a CONFLICT and changes nothing', async () => {
    const gate = await eligibleGate();
    const secondAdmin = await (await t.createUser(['ADMIN'])).token();
    const CONFIGURE = `mutation($input: ConfigureGateWebhookInput!) { configureGateWebhook(input: $input) { webhookUrl webhookVersion version } }`;
    const read = await t.gql<{ gate: { webhookVersion: number; version: number } }>(
      `query($key: String!) { gate(key: $key) { webhookVersion version } }`,
      { key: gate.key },
      adminToken,
    );
    const seen = read.data!.gate; // both admins open the gate's settings here
    const secret = () => `s3cret-${randomBytes(12).toString('hex')}`;
    const missing = await t.gql(CONFIGURE, { input: { key: gate.key, url: 'http://127.0.0.1:9/hook', secret: secret() } }, adminToken);
    expect(errorCode(missing)).toBe('BAD_USER_INPUT');

    const first = await t.gql<{ configureGateWebhook: { webhookUrl: string; webhookVersion: number; version: number } }>(
      CONFIGURE,
      {
        input: { key: gate.key, url: 'http://127.0.0.1:9/hook-a', secret: secret(), expectedWebhookVersion: seen.webhookVersion },
      },
      adminToken,
    );
    expect(first.errors).toBeUndefined();
    // The webhook's version moved; the gate's own version (what an executive's decision names) did not.
    expect(first.data!.configureGateWebhook).toMatchObject({ webhookVersion: seen.webhookVersion + 1, version: seen.version });
    const row = () => t.sql('SELECT webhook_url, webhook_secret, webhook_version, version FROM promotion_gates WHERE key = $1', [gate.key]);
    const before = await row();
    const trailBefore = await t.sql('SELECT count(*)::int AS n FROM audit_trail');

    // The second admin, still looking at the settings before the first's change, would overwrite URL and secret unseen.
    const second = await t.gql(
      CONFIGURE,
      { input: { key: gate.key, url: 'http://127.0.0.1:9/hook-b', secret: secret(), expectedWebhookVersion: seen.webhookVersion } },
      secondAdmin,
    );
    expect([errorCode(second), reasonOf(second)]).toEqual(['CONFLICT', 'STALE_VERSION']);
    expect(await row()).toEqual(before);
    expect(await t.sql('SELECT count(*)::int AS n FROM audit_trail')).toEqual(trailBefore);

    // At the same moment: of two configurations naming one version, exactly one lands.
    const now = seen.webhookVersion + 1;
    const both = await Promise.all(
      [adminToken, secondAdmin].map((tok, i) =>
        t.gql(
          CONFIGURE,
          { input: { key: gate.key, url: `http://127.0.0.1:9/hook-c${i}`, secret: secret(), expectedWebhookVersion: now } },
          tok,
        ),
      ),
    );
    expect(both.map((r) => errorCode(r) ?? 'OK').sort()).toEqual(['CONFLICT', 'OK']);
    expect((await row())[0]).toMatchObject({ webhook_version: now + 1 });
  });

  it('fails the pending deliveries of a gate whose webhook was removed, with the reason, without sending them', async () => {
    const url = await closedPortUrl();
    const gate = await eligibleGate();
    await configure(gate.key, url, `s3cret-${randomBytes(12).toString('hex')}`);
    await suspend(gate.key);
    await vi.waitFor(async () => expect((await deliveries(gate.key))[0]?.attempts).toHaveLength(1), WAIT);
    expect(await configure(gate.key, null, null)).toEqual({ webhookUrl: null });

    await vi.waitFor(async () => expect((await deliveries(gate.key))[0].status).toBe('FAILED'), WAIT);
    const [d] = await deliveries(gate.key);
    expect(d.failureReason).toBe("not sent: the gate's webhook was removed");
    expect(d.attempts).toHaveLength(1);
  });

  it("sends a gate's deliveries one at a time, oldest first: a newer change waits while an older one is retried", async () => {
    const hook = await receiver([500, 200, 200]);
    try {
      const gate = await eligibleGate();
      await configure(gate.key, hook.url, `s3cret-${randomBytes(12).toString('hex')}`);
      const gates = t.app.get(PromotionGateService);
      // Configuring the webhook does not move the gate's version (only its state and hold do).
      const held = await gates.hold(Actor.system('test'), gate.key, gate.version, '一時停止');
      await gates.releaseHold(Actor.system('test'), gate.key, held.version, '解除');

      await vi.waitFor(async () => expect((await deliveries(gate.key)).map((d) => d.status)).toEqual(['DELIVERED', 'DELIVERED']), WAIT);
      const [newer, older] = await deliveries(gate.key);
      expect(hook.requests.map((r) => [r.headers['x-gate-delivery'], JSON.parse(r.body).toState])).toEqual([
        [older.id, 'SUSPENDED'],
        [older.id, 'SUSPENDED'],
        [newer.id, 'ELIGIBLE'],
      ]);
      expect(Date.parse(newer.attempts[0].at)).toBeGreaterThanOrEqual(Date.parse(older.attempts[1].at));
    } finally {
      await hook.close();
    }
  });

  it('connects to the address it checked, not to a second DNS answer (the name is resolved once per POST)', async () => {
    const hook = await receiver();
    const targets = t.app.get(WebhookTargets);
    const original = targets.resolver;
    const port = new URL(hook.url).port;
    // A name the system resolver does not know: only the checked answer can have carried the POST.
    targets.resolver = async (host) => (host === 'pinned.promo.invalid' ? [{ address: '127.0.0.1', family: 4 }] : original(host));
    try {
      const gate = await eligibleGate();
      await configure(gate.key, `http://pinned.promo.invalid:${port}/gate-hook`, `s3cret-${randomBytes(12).toString('hex')}`);
      await suspend(gate.key);
      await vi.waitFor(async () => expect((await deliveries(gate.key))[0]?.status).toBe('DELIVERED'), WAIT);
      expect(hook.requests).toHaveLength(1);
      expect(hook.requests[0]!.headers.host).toBe(`pinned.promo.invalid:${port}`);
    } finally {
      targets.resolver = original;
      await hook.close();
    }
  });

  it('never sends one delivery twice when two dispatchers (two server instances) run at once', async () => {
    const hook = await receiver();
    const second = new WebhookDispatcher(
      t.app.get(getDataSourceToken()),
      t.app.get(GateNotifications),
      t.app.get(ConfigService),
      t.app.get(WebhookTargets),
    );
    second.onApplicationBootstrap();
    try {
      const made = await Promise.all([1, 2, 3, 4, 5, 6].map(() => eligibleGate()));
      for (const g of made) await configure(g.key, hook.url, `s3cret-${randomBytes(12).toString('hex')}`);
      const gates = t.app.get(PromotionGateService);
      await Promise.all(made.map((g) => gates.hold(Actor.system('test'), g.key, g.version, '一斉停止')));

      await vi.waitFor(async () => {
        const rows = await t.sql<{ status: string }>(`SELECT status FROM gate_webhook_deliveries WHERE gate_id = ANY($1)`, [
          made.map((g) => g.id),
        ]);
        expect(rows.map((r) => r.status)).toEqual(Array(6).fill('DELIVERED'));
      }, WAIT);
      const ids = hook.requests.map((r) => r.headers['x-gate-delivery']);
      expect(ids).toHaveLength(6);
      expect(new Set(ids).size).toBe(6);
      const attempts = await t.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM gate_webhook_attempts a JOIN gate_webhook_deliveries d ON d.id = a.delivery_id WHERE d.gate_id = ANY($1)`,
        [made.map((g) => g.id)],
      );
      expect(attempts).toEqual([{ n: 6 }]);
    } finally {
      await second.onModuleDestroy();
      await hook.close();
    }
  });

  it('LISTENs again after its connection is lost, and deliveries keep going out', async () => {
    const notifications = t.app.get(GateNotifications);
    const before = await t.sql<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE application_name LIKE '%:listen:promotion_gate_changed' AND datname = current_database()`,
    );
    expect(before).toHaveLength(1);
    await t.sql(`SELECT pg_terminate_backend($1)`, [before[0].pid]);
    await vi.waitFor(async () => {
      const now = await t.sql<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE application_name LIKE '%:listen:promotion_gate_changed' AND datname = current_database()`,
      );
      expect(now).toHaveLength(1);
      expect(now[0].pid).not.toBe(before[0].pid);
      expect(notifications.listening).toBe(true);
    }, WAIT);

    const hook = await receiver();
    try {
      const gate = await eligibleGate();
      const notices: GateChangedNotice[] = [];
      const unsubscribe = notifications.subscribe((x) => x.gateId === gate.id && x.cause === 'HELD_BY_HAND' && notices.push(x));
      await configure(gate.key, hook.url, `s3cret-${randomBytes(12).toString('hex')}`);
      const change = await suspend(gate.key);
      await vi.waitFor(() => expect(notices.map((x) => x.changeId)).toEqual([change.id]), WAIT);
      await vi.waitFor(() => expect(hook.requests).toHaveLength(1), WAIT);
      unsubscribe();
    } finally {
      await hook.close();
    }
  });

  it('sends nothing for a change that rolled back; the next committed change is the only one sent', async () => {
    const hook = await receiver();
    try {
      const gate = await eligibleGate();
      await configure(gate.key, hook.url, `s3cret-${randomBytes(12).toString('hex')}`);
      const gates = t.app.get(PromotionGateService);
      const txHost = t.app.get(TransactionHost);
      const notices: GateChangedNotice[] = [];
      const unsubscribe = t.app
        .get(GateNotifications)
        .subscribe((x) => x.gateId === gate.id && x.cause === 'HELD_BY_HAND' && notices.push(x));
      await expect(
        t.app.get(ClsService).run(() =>
          txHost.withTransaction(async () => {
            await gates.hold(Actor.system('test'), gate.key, (await gates.getByKey(gate.key)).version, 'held, then rolled back');
            throw new Error('roll back');
          }),
        ),
      ).rejects.toThrow('roll back');
      expect(await t.sql(`SELECT id FROM gate_webhook_deliveries WHERE gate_id = $1`, [gate.id])).toEqual([]);
      expect((await gates.getByKey(gate.key)).state).toBe('ELIGIBLE');

      const change = await suspend(gate.key);
      await vi.waitFor(async () => expect((await deliveries(gate.key))[0]?.status).toBe('DELIVERED'), WAIT);
      expect(hook.requests.map((r) => JSON.parse(r.body).changeId)).toEqual([change.id]);
      expect(await deliveries(gate.key)).toHaveLength(1);
      // Subscribers (GraphQL subscriptions, the dispatcher) heard of the committed hold only (the creation's changes are filtered out).
      await vi.waitFor(() => expect(notices).toHaveLength(1), WAIT);
      expect(notices[0]).toMatchObject({
        changeId: change.id,
        key: gate.key,
        fromState: 'ELIGIBLE',
        toState: 'SUSPENDED',
        cause: 'HELD_BY_HAND',
      });
      unsubscribe();
    } finally {
      await hook.close();
    }
  });
});

/**
 * The server POSTs from inside the company's network: a webhook must not make it talk to
 * itself, the database, the cloud's metadata service or any internal host. Checked when the
 * URL is configured, and again before every POST, connecting to the address it checked.
 */
describe('webhook URLs that would reach internal hosts are refused (GATE_WEBHOOK_ALLOW_PRIVATE_NETWORKS off, the default)', () => {
  let t: TestApp;
  let adminToken: string;
  let chiefToken: string;
  let incidentId: string;
  let n = 0;

  beforeAll(async () => {
    // One attempt, then FAILED: a refused URL is not worth retrying in this test.
    t = await TestApp.start({ GATE_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false', GATE_WEBHOOK_MAX_ATTEMPTS: '1' });
    ({ adminToken, chiefToken, incidentId } = await adminAndClearedIncident(t));
  });
  afterAll(async () => t?.close());

  const gate = () =>
    t.app
      .get(PromotionGateService)
      .create(Actor.system('test'), { incidentId, key: `ssrf-${++n}-${randomBytes(3).toString('hex')}`, name: '販促', reason: '停止' });
  const configure = async (key: string, url: string) =>
    t.gql<{ configureGateWebhook: { webhookUrl: string | null } }>(
      `mutation($input: ConfigureGateWebhookInput!) { configureGateWebhook(input: $input) { webhookUrl } }`,
      {
        input: {
          key,
          url,
          secret: `s3cret-${randomBytes(12).toString('hex')}`,
          expectedWebhookVersion: await webhookVersion(t, key, adminToken),
        },
      },
      adminToken,
    );
  const suspend = async (key: string) => {
    const read = await t.gql<{ gate: { version: number } }>(`query($key: String!) { gate(key: $key) { version } }`, { key }, chiefToken);
    const res = await t.gql(
      `mutation($input: GateDecisionInput!) { suspendGate(input: $input) { state } }`,
      { input: { key, expectedVersion: read.data!.gate.version, statement: '停止' } },
      chiefToken,
    );
    expect(res.errors).toBeUndefined();
  };
  const deliveries = async (key: string): Promise<Delivery[]> => {
    const res = await t.gql<{ gate: { webhookDeliveries: Delivery[] } }>(DELIVERIES, { key }, adminToken);
    expect(res.errors).toBeUndefined();
    return res.data!.gate.webhookDeliveries;
  };

  it('refuses at configuration, with BAD_USER_INPUT / WEBHOOK_URL_NOT_ALLOWED and the reason, loopback, private, link-local, CGNAT, unspecified, mapped and credential-bearing URLs; nothing is stored', async () => {
    const g = await gate();
    const trailBefore = await t.sql('SELECT seq FROM audit_trail');
    const cases: [string, RegExp][] = [
      ['http://127.0.0.1:5432/', /127\.0\.0\.1 is a loopback/],
      ['http://localhost:5432/', /localhost resolves to .*loopback/],
      ['http://[::1]:8080/hook', /::1 is a loopback/],
      ['http://[::ffff:127.0.0.1]/hook', /IPv4-mapped 127\.0\.0\.1.*loopback/],
      ['http://2130706433/hook', /127\.0\.0\.1 is a loopback/],
      ['http://0x7f.1/hook', /127\.0\.0\.1 is a loopback/],
      ['http://10.0.0.8/hook', /private/],
      ['https://192.168.10.20/hook', /private/],
      ['http://[fd00::1]/hook', /unique local/],
      ['http://169.254.169.254/latest/meta-data/', /link-local/],
      ['http://100.64.0.1/hook', /carrier-grade NAT/],
      ['http://0.0.0.0:5432/', /unspecified/],
      ['http://224.0.0.1/hook', /multicast/],
      ['https://user:password@93.184.216.34/hook', /user name or password/],
      ['ftp://93.184.216.34/hook', /only http and https/],
    ];
    for (const [url, why] of cases) {
      const res = await configure(g.key, url);
      expect([errorCode(res), res.errors?.[0]?.extensions?.reason], url).toEqual(['BAD_USER_INPUT', 'WEBHOOK_URL_NOT_ALLOWED']);
      expect(res.errors![0]!.message, url).toMatch(why);
    }
    expect(await t.sql(`SELECT webhook_url FROM promotion_gates WHERE id = $1`, [g.id])).toEqual([{ webhook_url: null }]);
    expect(await t.sql('SELECT seq FROM audit_trail')).toEqual(trailBefore);
    // A public address is accepted (nothing is sent at configuration).
    expect((await configure(g.key, 'https://93.184.216.34/hook')).data?.configureGateWebhook.webhookUrl).toBe('https://93.184.216.34/hook');
  });

  it('a name with any one private address is refused, even next to a public one', async () => {
    const targets = t.app.get(WebhookTargets);
    const original = targets.resolver;
    targets.resolver = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.1.2.3', family: 4 },
    ];
    try {
      const res = await configure((await gate()).key, 'https://hooks.promo.invalid/gate');
      expect(res.errors?.[0]?.extensions?.reason).toBe('WEBHOOK_URL_NOT_ALLOWED');
      expect(res.errors![0]!.message).toMatch(/hooks\.promo\.invalid resolves to 10\.1\.2\.3 is a private/);
    } finally {
      targets.resolver = original;
    }
  });

  it('checks again before each POST: a URL stored before the rule (or a name that now resolves inside) is a failed attempt saying why, and nothing is sent', async () => {
    const hook = await receiver();
    try {
      const g = await gate();
      // As if configured before this rule existed: straight into the row.
      await t.sql(`UPDATE promotion_gates SET webhook_url = $2, webhook_secret = $3 WHERE id = $1`, [
        g.id,
        hook.url,
        's3cret-0123456789abcdef',
      ]);
      await suspend(g.key);
      await vi.waitFor(async () => expect((await deliveries(g.key))[0]?.status).toBe('FAILED'), WAIT);
      const [d] = await deliveries(g.key);
      expect(d.attempts).toEqual([
        expect.objectContaining({
          httpStatus: null,
          error: expect.stringMatching(/^not sent: the URL is not allowed: 127\.0\.0\.1 is a loopback address/),
        }),
      ]);
      expect(d.failureReason).toMatch(/127\.0\.0\.1 is a loopback/);
      expect(hook.requests).toEqual([]);
    } finally {
      await hook.close();
    }
  });

  it('DNS rebinding: a name that resolved to a public address when configured and to loopback at send time is not sent', async () => {
    const hook = await receiver();
    const targets = t.app.get(WebhookTargets);
    const original = targets.resolver;
    const port = new URL(hook.url).port;
    let calls = 0;
    targets.resolver = async () => (++calls === 1 ? [{ address: '93.184.216.34', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]);
    try {
      const g = await gate();
      const url = `http://rebind.promo.invalid:${port}/gate-hook`;
      expect((await configure(g.key, url)).data?.configureGateWebhook.webhookUrl).toBe(url);
      await suspend(g.key);
      await vi.waitFor(async () => expect((await deliveries(g.key))[0]?.status).toBe('FAILED'), WAIT);
      const [d] = await deliveries(g.key);
      expect(d.attempts[0]!.error).toMatch(/rebind\.promo\.invalid resolves to 127\.0\.0\.1 is a loopback/);
      expect(hook.requests).toEqual([]);
    } finally {
      targets.resolver = original;
      await hook.close();
    }
  });
});
