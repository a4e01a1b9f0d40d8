import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_TIME_ZONE, todayIn } from '@app/common';
import { pdf } from '../evidence/support-files';
import { upload } from '../evidence/support-files-http';
import { Cluster, waitFor } from '../support/cluster';
import { ensureBuild } from '../support/server-child';
import { TestSubscriber } from '../support/graphql-ws-client';
import type { TestApp } from '../support/test-app';

/**
 * Three instances of the built server on one PostgreSQL, HAProxy in front
 * (deploy/haproxy.cfg), evidence in the in-process S3 server, the demo case
 * loaded once: any request may reach any instance, so what one instance did
 * is seen, to the letter, by the others.
 */
const GATE_CHANGED = `subscription($key: String) { gateChanged(key: $key) { toState cause reason gate { key version } } }`;
const DASHBOARD_CHANGED = `subscription($incidentId: ID) { dashboardChanged(incidentId: $incidentId) { action entityType incidentId } }`;
const CREATE_GATE = `mutation($input: CreateGateInput!) { createGate(input: $input) { key state } }`;
const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }`;
const ME = `{ me { email roles } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`;
const ADDRESS_MAX_FAILURES = 4;

type GateChanged = { gateChanged: { toState: string; cause: string; reason: string; gate: { key: string; version: number } } };
type DashboardChanged = { dashboardChanged: { action: string; entityType: string; incidentId: string | null } };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** graphql-ws-client's TestSubscriber reaches a server by its base URL only. */
const server = (baseUrl: string) => ({ baseUrl }) as TestApp;

interface Receiver {
  url: string;
  /** X-Checkpoint-Delivery id → how many POSTs carried it. */
  deliveries: Map<string, number>;
  close(): Promise<void>;
}

/** A webhook receiver on loopback that answers 200 and counts the POSTs by their delivery id. */
async function startReceiver(): Promise<Receiver> {
  const deliveries = new Map<string, number>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['x-checkpoint-delivery'] ?? 'none');
      deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/checkpoints`,
    deliveries,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('three instances behind HAProxy: any request on any instance', () => {
  let c: Cluster;
  let incidentId: string;
  let receiver: Receiver;
  const subscribers: TestSubscriber<unknown>[] = [];

  beforeAll(async () => {
    // The built server (dist/); named here too, so that the test sequencer queues this file after the build.
    ensureBuild();
    receiver = await startReceiver();
    c = await Cluster.start({
      instances: 3,
      env: {
        // The per-address limit of failed sign-ins made small (the instances trust one proxy hop: X-Forwarded-For).
        LOGIN_ADDRESS_MAX_FAILURES: String(ADDRESS_MAX_FAILURES),
        LOGIN_WINDOW_SECONDS: '3600',
        // Every checkpoint POSTed to the receiver here (on loopback); a scheduled one whenever the trail grew.
        CHECKPOINT_WEBHOOK_URL: receiver.url,
        CHECKPOINT_WEBHOOK_SECRET: randomBytes(32).toString('hex'),
        CHECKPOINT_INTERVAL_SECONDS: '1',
        GATE_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      },
    });
    const { accessToken } = await c.signIn(c.lbUrl, 'president@example.com');
    const d = await c.data<{ incidents: { nodes: { id: string }[] } }>(c.lbUrl, `{ incidents { nodes { id } } }`, {}, accessToken);
    incidentId = d.incidents.nodes[0]!.id;
  }, 300_000);

  afterAll(async () => {
    await Promise.all(subscribers.map((s) => s.dispose()));
    await c?.close();
    await receiver?.close();
  });

  it('signed in on instance 1, subscribed on instance 3, changed through instance 2: the subscriber gets the change', async () => {
    const president = await c.signIn(c.url(1), 'president@example.com');
    const gateSub = TestSubscriber.bearer<GateChanged>(server(c.url(3)), president.accessToken, GATE_CHANGED, {});
    const dashSub = gateSub.also<DashboardChanged>(DASHBOARD_CHANGED, { incidentId });
    subscribers.push(gateSub as TestSubscriber<unknown>, dashSub as TestSubscriber<unknown>);

    // graphql-ws does not confirm a subscription: until the first event arrives, another gate is created
    // (each creation is a gateChanged and a dashboardChanged), always through instance 2, with the
    // session opened on instance 1.
    const created: string[] = [];
    await waitFor(
      'gateChanged and dashboardChanged on instance 3',
      async () => {
        if (gateSub.results.length > 0 && dashSub.results.length > 0) return true;
        if (gateSub.ended) throw new Error(`the subscription ended: ${JSON.stringify({ closed: gateSub.closed, error: gateSub.error })}`);
        const key = `fan-out-check-${created.length + 1}`;
        const input = { incidentId, key, name: `配信確認 ${created.length + 1}`, reason: 'created through instance 2' };
        await c.data(c.url(2), CREATE_GATE, { input }, president.accessToken);
        created.push(key);
        await sleep(2_000);
        return gateSub.results.length > 0 && dashSub.results.length > 0 ? true : undefined;
      },
      90_000,
    );

    const gateEvent = gateSub.results[0]!;
    expect(gateEvent.errors).toBeUndefined();
    expect(created).toContain(gateEvent.data!.gateChanged.gate.key);
    expect(gateEvent.data!.gateChanged).toMatchObject({ toState: 'SUSPENDED', cause: 'CREATED', reason: 'created through instance 2' });
    const dashEvent = dashSub.results[0]!;
    expect(dashEvent.errors).toBeUndefined();
    expect(dashEvent.data!.dashboardChanged).toMatchObject({ incidentId, entityType: 'PromotionGate' });
  }, 120_000);

  it('a refresh token issued by instance 1 works on instance 2, once; the new access token works on instance 3', async () => {
    const first = await c.signIn(c.url(1), 'security.lead@example.com');
    const next = (
      await c.data<{ refreshSession: { accessToken: string; refreshToken: string } }>(c.url(2), REFRESH, { t: first.refreshToken })
    ).refreshSession;
    expect(next.refreshToken).not.toBe(first.refreshToken);
    const me = await c.data<{ me: { email: string; roles: string[] } }>(c.url(3), ME, {}, next.accessToken);
    expect(me.me).toEqual({ email: 'security.lead@example.com', roles: ['TASK_FORCE'] });

    // Used a second time, on yet another instance: a copy is in someone's hands, the session ends everywhere.
    const reused = await c.gql(c.url(3), REFRESH, { t: first.refreshToken });
    expect(reused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const after = await c.gql(c.url(1), ME, {}, next.accessToken);
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  }, 60_000);

  it('evidence uploaded through instance 1 is downloaded, byte for byte, through instance 2 and through the balancer', async () => {
    const owner = await c.signIn(c.url(1), 'cs.lead@example.com');
    const d = await c.data<{ countermeasure: { requirements: { id: string }[] } }>(
      c.url(1),
      `query($key: String) { countermeasure(key: $key) { requirements { id } } }`,
      { key: 'CM-006' },
      owner.accessToken,
    );
    const bytes = pdf(`monthly service report ${Date.now()}`);
    const up = await upload(
      server(c.url(1)),
      owner.accessToken,
      { requirementId: d.countermeasure.requirements[0]!.id, effectiveOn: todayIn(CASE_TIME_ZONE, new Date()) },
      [{ bytes, name: 'サービス提供状況の月次報告.pdf' }],
    );
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const downloadPath = up.body.downloadPath as string;
    expect(downloadPath).toMatch(/^\/evidence\/[0-9a-f-]+\/content$/);

    const reader = await c.signIn(c.url(2), 'president@example.com');
    for (const base of [c.url(2), c.url(3), c.lbUrl]) {
      const res = await fetch(`${base}${downloadPath}`, { headers: { authorization: `Bearer ${reader.accessToken}` } });
      expect(res.status, base).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes), base).toBe(true);
    }
  }, 60_000);
  it('wrong passwords from one address spread over the three instances: the limit counts them all, every instance refuses that address (LOGIN_THROTTLED)', async () => {
    const login = (n: number, address: string, password: string) =>
      c.gql(c.url(n), LOGIN, { input: { email: 'auditor2@example.com', password } }, undefined, { 'x-forwarded-for': address });
    const reasons: unknown[] = [];
    for (let k = 0; k < ADDRESS_MAX_FAILURES; k++)
      reasons.push((await login((k % 3) + 1, '203.0.113.7', 'wrong password')).errors?.[0]?.extensions?.reason);
    expect(reasons).toEqual(Array(ADDRESS_MAX_FAILURES).fill('INVALID_CREDENTIALS'));
    // No instance saw more than two of the four failures: counted per instance, the right password would pass here.
    for (const n of [1, 2, 3]) {
      const refused = await login(n, '203.0.113.7', 'demo-password-2026');
      expect(refused.errors?.[0]?.extensions, `instance ${n}`).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'LOGIN_THROTTLED' });
      expect(refused.data ?? null).toBeNull();
    }
    // Another address is not affected.
    const fine = await login(2, '198.51.100.9', 'demo-password-2026');
    expect(fine.errors).toBeUndefined();
  }, 60_000);
  it("background work once across the instances: one trail-checkpoint-tick per minute, whichever instance ran it; each checkpoint's webhook copy POSTed exactly once", async () => {
    const admin = await c.signIn(c.lbUrl, 'admin@example.com');
    // A checkpoint on demand through each instance: each has a webhook copy that any instance may claim and send.
    for (const n of [1, 2, 3]) await c.data(c.url(n), `mutation { createTrailCheckpoint { treeSize } }`, {}, admin.accessToken);

    // Each of the three instances' schedule clock sends the tick every minute: one job per minute is run.
    type Job = { createdOn: string; state: string };
    const ticks = await waitFor(
      'two minutes of trail-checkpoint-tick jobs completed',
      async () => {
        const d = await c.data<{ backgroundJobs: { nodes: Job[] } }>(
          c.lbUrl,
          `{ backgroundJobs(first: 100, name: "trail-checkpoint-tick", state: COMPLETED) { nodes { createdOn state } } }`,
          {},
          admin.accessToken,
        );
        return d.backgroundJobs.nodes.length >= 2 ? d.backgroundJobs.nodes : undefined;
      },
      180_000,
    );
    const minutes = ticks.map((j) => new Date(j.createdOn).toISOString().slice(0, 16));
    expect(minutes.length).toBe(new Set(minutes).size);

    // Every checkpoint's webhook copy is done, and the receiver got each exactly once.
    const copies = await waitFor(
      'every webhook copy done',
      async () => {
        const rows = await c.sql<{ id: string; status: string }>(
          `SELECT id::text AS id, status FROM trail_checkpoint_copies WHERE target = 'WEBHOOK'`,
        );
        return rows.length >= 3 && rows.every((r) => r.status === 'DONE') ? rows : undefined;
      },
      120_000,
    );
    expect([...receiver.deliveries.keys()].sort()).toEqual(copies.map((r) => r.id).sort());
    expect([...receiver.deliveries.entries()].filter(([, times]) => times !== 1)).toEqual([]);
  }, 360_000);
});
