import { describe, expect, it } from 'vitest';
import { compareCheckpoint, noCheckpoint, type CheckpointFacts } from './checkpoint-check';

const ROOT = 'QG9CjwlbsEvxPkHuaVw65w6Ddl004ebZYiH/Ce00as0=';
const OTHER = 'uv/T0BsVsZpwxT9LKK3JJuqvDQ3a4/b1ZG4i8y+4Q/A=';
const facts = (over: Partial<CheckpointFacts> = {}): CheckpointFacts => ({
  source: 'GIVEN',
  size: 10,
  rootHash: ROOT,
  signedBy: { keyId: '89d2893d', status: 'ACTIVE' },
  currentSize: 12,
  currentRootOfSize: ROOT,
  missingSeq: null,
  ...over,
});

describe('a checkpoint compared with today’s trail', () => {
  it('CONSISTENT when signed, no larger than today and its root is today’s root of its size', () => {
    expect(compareCheckpoint(facts())).toMatchObject({
      code: 'CONSISTENT',
      ok: true,
      treeSize: '10',
      currentTreeSize: '12',
      keyId: '89d2893d',
    });
    expect(compareCheckpoint(facts({ currentSize: 10 })).code).toBe('CONSISTENT');
    expect(compareCheckpoint(facts({ signedBy: { keyId: '0badc0de', status: 'RETIRED' } })).message).toMatch(/retired/);
  });

  it('an unsigned one proves nothing, whatever else holds: BAD_SIGNATURE first', () => {
    expect(compareCheckpoint(facts({ signedBy: null, size: 99, currentRootOfSize: null }))).toMatchObject({
      code: 'BAD_SIGNATURE',
      ok: false,
    });
  });

  it('TRUNCATED when it covers more entries than the trail holds, naming the entries gone', () => {
    const r = compareCheckpoint(facts({ size: 15, currentSize: 12, currentRootOfSize: null }));
    expect(r).toMatchObject({ code: 'TRUNCATED', ok: false });
    expect(r.message).toContain('#13–#15');
  });

  it('INCONSISTENT_WITH_CHECKPOINT when the roots differ or an entry it covers is missing', () => {
    expect(compareCheckpoint(facts({ currentRootOfSize: OTHER })).code).toBe('INCONSISTENT_WITH_CHECKPOINT');
    const missing = compareCheckpoint(facts({ missingSeq: '5', currentRootOfSize: null }));
    expect(missing).toMatchObject({ code: 'INCONSISTENT_WITH_CHECKPOINT', ok: false });
    expect(missing.message).toContain('#5');
  });

  it('NO_CHECKPOINT is not a failure: only the chain was checked', () => {
    expect(noCheckpoint(3)).toMatchObject({ code: 'NO_CHECKPOINT', ok: true, treeSize: null, currentTreeSize: '3' });
  });
});
