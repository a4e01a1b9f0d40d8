import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Actor } from '@app/common';
import { TrailCheckpointsService } from '@app/audit-trail';
import { TestApp } from '../support/test-app';

const CREATE = `mutation { createTrailCheckpoint { treeSize keyId } }`;

/**
 * Every instance makes checkpoints (on sign-offs, gate changes, on demand...). One instance's checkpoint may land
 * while another is making its own; the second must not take the first's for a trail that shrank: a false
 * TRAIL_INCONSISTENT reads as "history was changed". What it reads of the stored checkpoints comes before what it
 * reads of the trail's size, and the trail only grows.
 */
describe('a checkpoint made while another instance makes one', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start();
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('lands a checkpoint that covers at least what was committed, without a TRAIL_INCONSISTENT', async () => {
    const auditorToken = await (await t.createUser(['AUDITOR'])).token();
    const service = t.app.get(TrailCheckpointsService);
    const newest = TrailCheckpointsService.prototype.newest;
    let other: Promise<unknown> | null = null;
    // The first time this request looks at the stored checkpoints, another instance has just committed an entry and
    // stored a checkpoint that covers it (its own create, not serialized with this process's).
    const spy = vi.spyOn(TrailCheckpointsService.prototype, 'newest').mockImplementation(async function (this: TrailCheckpointsService) {
      if (!other) {
        other = (async () => {
          await t.createUser(['TASK_FORCE'], { displayName: '別インスタンス 花子' });
          spy.mockImplementation(newest);
          await (service as unknown as { createNow: (a: Actor, r: string) => Promise<unknown> }).createNow(
            Actor.system('instance-2'),
            'ON_DEMAND',
          );
        })();
        await other;
      }
      return newest.call(this);
    });
    try {
      const res = await t.gql<{ createTrailCheckpoint: { treeSize: string } }>(CREATE, {}, auditorToken);
      expect(other).not.toBeNull();
      expect(res.errors).toBeUndefined();
      const head = await service.headSize();
      expect(Number(res.data!.createTrailCheckpoint.treeSize)).toBe(head);
    } finally {
      spy.mockRestore();
    }
  });
});
