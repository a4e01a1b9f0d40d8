import { describe, expect, it } from 'vitest';
import { checkpointReasonFor, scheduledCheckpointDue } from './checkpoint-triggers';

describe('when a checkpoint is made', () => {
  it('at once after a sign-off, a clearance, a gate change or a bundle export; not after other changes', () => {
    expect(checkpointReasonFor('countermeasure.signed_off')).toBe('SIGN_OFF');
    expect(checkpointReasonFor('audit.cleared')).toBe('CLEARANCE');
    expect(checkpointReasonFor('gate.state_changed')).toBe('GATE');
    expect(checkpointReasonFor('gate.authorized')).toBe('GATE');
    expect(checkpointReasonFor('evidence_bundle.exported')).toBe('BUNDLE');
    expect(checkpointReasonFor('countermeasure.status_changed')).toBeNull();
    expect(checkpointReasonFor('user.created')).toBeNull();
    expect(checkpointReasonFor('toString')).toBeNull();
  });

  const at = (iso: string) => new Date(iso);
  const newest = { treeSize: 10, createdAt: at('2026-12-01T00:00:00.000Z') };

  it('on schedule only when the trail grew past the newest checkpoint and the interval has passed since it', () => {
    const base = { headSize: 11, newest, intervalSeconds: 600 };
    expect(scheduledCheckpointDue({ ...base, now: at('2026-12-01T00:09:59.999Z') })).toBe(false);
    expect(scheduledCheckpointDue({ ...base, now: at('2026-12-01T00:10:00.000Z') })).toBe(true);
    expect(scheduledCheckpointDue({ ...base, headSize: 10, now: at('2026-12-01T05:00:00.000Z') })).toBe(false);
  });

  it('the first one as soon as the trail has an entry', () => {
    expect(scheduledCheckpointDue({ now: at('2026-12-01T00:00:00.000Z'), headSize: 0, newest: null, intervalSeconds: 600 })).toBe(false);
    expect(scheduledCheckpointDue({ now: at('2026-12-01T00:00:00.000Z'), headSize: 1, newest: null, intervalSeconds: 600 })).toBe(true);
  });
});
