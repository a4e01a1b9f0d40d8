import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Actor } from '@app/common';
import { TrailCheckpointsService } from '@app/audit-trail';
import { PromotionGateService } from '@app/promotion-gate';
import { TrailCheckpointsJob } from '../../apps/api/src/jobs/trail-checkpoints.job';
import { makeIncident } from '../support/remediation-factory';
import { signingKeyFile } from '../support/server-child';
import { TestApp } from '../support/test-app';

/** The statement that reads the trail's leaves to build its Merkle tree (trail-tree.ts): once per tree built. */
const TREE_READ = /FROM audit_trail WHERE seq > \$1 AND seq <= \$2/;

/**
 * Several instances learn of every commit that calls for a checkpoint (a gate held, a sign-off...): each used to
 * hash the whole trail for it, and all but one threw the result away. They now build one at a time, and those after
 * the first find the checkpoint that covers the commit.
 */
describe('a checkpoint made for one commit, with two instances listening', () => {
  let first: TestApp;
  let second: TestApp;
  const keys = mkdtempSync(path.join(tmpdir(), 'rt-keys-'));
  // One JWT secret and one pair of signing keys, as a deployment shares them.
  const shared = {
    JWT_SECRET: randomBytes(32).toString('hex'),
    TRAIL_SIGNING_KEY_FILE: signingKeyFile(keys, 'trail'),
    BUNDLE_SIGNING_KEY_FILE: signingKeyFile(keys, 'bundle'),
  };

  beforeAll(async () => {
    first = await TestApp.start(shared);
    second = await TestApp.start(shared, { sameDatabaseAs: first });
  }, 120_000);
  afterAll(async () => {
    await second?.close();
    await first?.close();
    rmSync(keys, { recursive: true, force: true });
  });

  /** Counts the tree reads of both instances (one process, one `pg`) while `work` runs. */
  async function treeReads(work: () => Promise<unknown>): Promise<number> {
    let n = 0;
    const query = Client.prototype.query;
    const spy = vi.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
      if (text && TREE_READ.test(text)) n++;
      return (query as (...a: unknown[]) => unknown).apply(this, args) as never;
    });
    try {
      await work();
    } finally {
      spy.mockRestore();
    }
    return n;
  }

  it('a gate held: both instances hear of it, the trail is hashed once, and the one checkpoint covers the hold', async () => {
    const { incident, chief } = await makeIncident(second);
    const gates = second.app.get(PromotionGateService);
    const gate = await gates.create(Actor.system('test'), {
      incidentId: incident.id,
      key: `once-${randomBytes(3).toString('hex')}`,
      name: '販促',
      reason: '停止',
    });
    // Whatever the set-up triggered is signed before the count starts.
    await first.app.get(TrailCheckpointsService).create(Actor.system('test'), 'ON_DEMAND');

    const reads = await treeReads(async () => {
      await gates.hold(Actor.user(chief.user), gate.key, gate.version, '再流出の疑い: 販促を即時停止');
      const [held] = await first.sql<{ seq: string }>(
        `SELECT seq::text AS seq FROM audit_trail WHERE action = 'gate.held' AND entity_id = $1`,
        [gate.id],
      );
      const seq = Number(held!.seq);
      // Both instances' jobs heard the commit (the trail's notices) and make a checkpoint for it...
      await vi.waitFor(
        async () => {
          const [row] = await first.sql<{ n: string }>(`SELECT count(*) AS n FROM trail_checkpoints WHERE tree_size >= $1`, [seq]);
          expect(Number(row!.n)).toBeGreaterThan(0);
        },
        { timeout: 30_000, interval: 50 },
      );
      // ...and a run queued behind each instance's own has finished once these are done.
      await Promise.all([
        first.app.get(TrailCheckpointsJob).trigger('GATE', seq),
        second.app.get(TrailCheckpointsJob).trigger('GATE', seq),
      ]);
    });
    expect(reads).toBe(1);
    const [{ n }] = await first.sql<{ n: string }>(`SELECT count(*) AS n FROM trail_checkpoints WHERE reason = 'GATE'`);
    expect(Number(n)).toBe(1);
  });

  it('asked at the same moment on both instances for one commit: one builds, the other hands back its checkpoint', async () => {
    // A trail entry no checkpoint covers yet (made on the instance started last: see TestApp's sameDatabaseAs).
    const { incident } = await makeIncident(second, '二件目の事案');
    await second.app.get(PromotionGateService).create(Actor.system('test'), {
      incidentId: incident.id,
      key: `once-${randomBytes(3).toString('hex')}`,
      name: '販促',
      reason: '停止',
    });
    const head = await first.app.get(TrailCheckpointsService).headSize();
    expect(Number((await first.app.get(TrailCheckpointsService).newest())!.treeSize)).toBeLessThan(head);
    let made: string[] = [];
    const reads = await treeReads(async () => {
      const both = await Promise.all(
        [first, second].map((app) => app.app.get(TrailCheckpointsService).create(Actor.system('test'), 'SIGN_OFF', head)),
      );
      made = both.map((c) => c.treeSize);
    });
    expect(reads).toBe(1);
    expect(made).toEqual([String(head), String(head)]);
  });
});
