import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_TIME_ZONE, todayIn } from '@app/common';
import { Cluster, waitFor } from '../support/cluster';
import { ensureBuild } from '../support/server-child';

/**
 * Three instances behind HAProxy (deploy/haproxy.cfg) under a steady stream of
 * reads and writes through the balancer, while instances die (SIGKILL) or are
 * restarted one after another (SIGTERM, as a rolling update does). Every write
 * is a timeline entry with a text of its own, so that afterwards each write the
 * client saw acknowledged can be looked for, with its audit-trail entry, and
 * the trail's hash chain checked whole.
 */
const ADD_EVENT = `mutation($input: AddIncidentEventInput!) { addIncidentEvent(input: $input) { id } }`;
const READ = `query($id: ID!) { incident(id: $id) { id title } countermeasures(first: 5) { totalCount } }`;
const VERIFY = `{ verifyAuditTrail { intact entriesChecked firstBreak { kind seq } } }`;

interface LoadResult {
  /** The texts of the writes acknowledged (200, no error), in the order they were. */
  acked: string[];
  reads: number;
  /** Requests that failed in the end (after the client's own retries, when it makes any). */
  failures: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `workers` clients, each writing a timeline entry then reading, over and over,
 * through the balancer until stopped. With `clientRetries`, a failed request is
 * tried again (a write only after checking in the database that it was not
 * applied); without, every failure counts.
 */
function startLoad(c: Cluster, token: string, incidentId: string, opts: { workers: number; clientRetries: number }) {
  const run = randomBytes(3).toString('hex');
  const result: LoadResult = { acked: [], reads: 0, failures: [] };
  let stopping = false;
  const occurredOn = todayIn(CASE_TIME_ZONE, new Date());

  /** One request; resolves with what went wrong, or null. */
  const attempt = async (query: string, variables: Record<string, unknown>): Promise<string | null> => {
    try {
      const res = await c.gql(c.lbUrl, query, variables, token);
      if (res.status !== 200) return `HTTP ${res.status}: ${JSON.stringify(res.errors)}`;
      if (res.errors?.length) return `GraphQL: ${JSON.stringify(res.errors)}`;
      return null;
    } catch (err) {
      return `network: ${String((err as { cause?: unknown }).cause ?? err)}`;
    }
  };
  /** Whether the write with this text was applied (not known counts as not: the retry then asks again). */
  const applied = async (text: string) =>
    (await c.sql(`SELECT 1 FROM incident_events WHERE description = $1`, [text]).catch(() => [])).length > 0;

  const worker = async (w: number) => {
    for (let n = 1; !stopping; n++) {
      const text = `load ${run} worker ${w} write ${n}`;
      const input = { incidentId, occurredOn, kind: 'INVESTIGATION_STEP', description: text };
      let problem = await attempt(ADD_EVENT, { input });
      for (let retry = 0; problem && retry < opts.clientRetries; retry++) {
        await sleep(200);
        if (await applied(text)) {
          problem = null;
          break;
        }
        problem = await attempt(ADD_EVENT, { input });
      }
      if (problem) result.failures.push(`write "${text}": ${problem}`);
      else result.acked.push(text);

      let readProblem = await attempt(READ, { id: incidentId });
      for (let retry = 0; readProblem && retry < opts.clientRetries; retry++) {
        await sleep(200);
        readProblem = await attempt(READ, { id: incidentId });
      }
      if (readProblem) result.failures.push(`read: ${readProblem}`);
      else result.reads++;
    }
  };
  const workers = Array.from({ length: opts.workers }, (_, w) => worker(w + 1));
  return {
    result,
    /** Waits until `more` further writes are acknowledged (the load is flowing). */
    async progress(more: number, what: string): Promise<void> {
      const target = result.acked.length + more;
      await waitFor(`${more} more acknowledged writes (${what})`, () => (result.acked.length >= target ? true : undefined), 120_000);
    },
    async stop(): Promise<LoadResult> {
      stopping = true;
      await Promise.all(workers);
      return result;
    },
  };
}

describe('instances dying and restarting under load, behind HAProxy', () => {
  let c: Cluster;
  let incidentId: string;
  let token: string;

  beforeAll(async () => {
    // The built server (dist/); named here too, so that the test sequencer queues this file after the build.
    ensureBuild();
    c = await Cluster.start({ instances: 3 });
    token = (await c.signIn(c.lbUrl, 'president@example.com')).accessToken;
    const d = await c.data<{ incidents: { nodes: { id: string }[] } }>(c.lbUrl, `{ incidents { nodes { id } } }`, {}, token);
    incidentId = d.incidents.nodes[0]!.id;
  }, 300_000);

  afterAll(async () => {
    await c?.close();
  });

  /** Every acknowledged write is there once or more, each with its trail entry, and the chain verifies. */
  async function expectNothingLostOrHalfWritten(acked: string[]): Promise<void> {
    const rows = await c.sql<{ id: string; description: string; trail: number }>(
      `SELECT e.id::text AS id, e.description,
              (SELECT count(*)::int FROM audit_trail t
                WHERE t.action = 'incident.event_added' AND t.after -> 'event' ->> 'id' = e.id::text) AS trail
         FROM incident_events e WHERE e.description = ANY($1)`,
      [acked],
    );
    const found = new Set(rows.map((r) => r.description));
    expect(acked.filter((text) => !found.has(text))).toEqual([]);
    expect(rows.filter((r) => r.trail !== 1)).toEqual([]);
    const v = await c.data<{ verifyAuditTrail: { intact: boolean; firstBreak: unknown } }>(c.lbUrl, VERIFY, {}, token);
    expect(v.verifyAuditTrail).toMatchObject({ intact: true, firstBreak: null });
  }

  it('an instance killed with SIGKILL mid-stream: clients retry, every acknowledged write is there with its trail entry, the chain verifies', async () => {
    const load = startLoad(c, token, incidentId, { workers: 6, clientRetries: 5 });
    try {
      await load.progress(30, 'before the kill');
      expect(await c.killInstance(2)).toBe('SIGKILL');
      await c.waitOutOfPool(2);
      await load.progress(30, 'with instance 2 dead');
      await c.startInstance(2);
      await c.waitInPool(2);
      await load.progress(30, 'with instance 2 back');
    } finally {
      await load.stop();
    }
    const { acked, failures, reads } = load.result;
    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    await expectNothingLostOrHalfWritten(acked);
  }, 300_000);
  it('a rolling restart under load (each instance in turn: SIGTERM, it drains and exits 0, started again, back in the pool): zero failed requests, every acknowledged write there', async () => {
    const load = startLoad(c, token, incidentId, { workers: 6, clientRetries: 0 });
    const ended: (number | string | null)[] = [];
    try {
      await load.progress(20, 'before the restarts');
      for (const n of [1, 2, 3]) {
        ended.push(await c.restartInstance(n));
        await load.progress(20, `after instance ${n} was restarted`);
      }
    } finally {
      await load.stop();
    }
    const { acked, failures, reads } = load.result;
    expect(failures).toEqual([]);
    expect(ended).toEqual([0, 0, 0]);
    expect(reads).toBeGreaterThan(0);
    await expectNothingLostOrHalfWritten(acked);
  }, 420_000);
});
