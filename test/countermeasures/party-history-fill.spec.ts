import { describe, expect, it } from 'vitest';
import { partyHistoryFromTrail, type PartyTrailEntry } from '../../migrations/1795680000100-CountermeasureParties';

/**
 * The migration's fill of the party history from audit-trail entries of the shape
 * the trail has always had (the same keys segregation of duties read before):
 * created (after.ownerId, after.contributorIds), owner_assigned (before/after.ownerId,
 * after.removedContributorId), contributors_changed (before/after.contributorIds).
 */
describe('filling the party history from the trail', () => {
  const CM = 'cm-1';
  const at = (minute: number) => new Date(Date.UTC(2026, 6, 10, 9, minute));
  const entry = (
    id: string,
    minute: number,
    action: string,
    before: Record<string, unknown> | null,
    after: Record<string, unknown> | null,
  ): PartyTrailEntry => ({
    id,
    countermeasureId: CM,
    action,
    occurredAt: at(minute),
    before,
    after,
  });
  const snapshot = (ownerId: string) => ({ key: 'CM-001', title: '対策', ownerId, status: 'PLANNED', version: 1 });
  const rows = (entries: PartyTrailEntry[], current: { ownerId: string; contributorIds: string[] }, createdMinute = 0) =>
    partyHistoryFromTrail(entries, [{ countermeasureId: CM, createdAt: at(createdMinute), ...current }], at(59)).map((r) => ({
      user: r.userId,
      role: r.role,
      since: r.since.getUTCMinutes(),
      until: r.until === null ? null : r.until.getUTCMinutes(),
      startedBy: r.startedByEntryId,
      endedBy: r.endedByEntryId,
    }));

  it('replays create, reassignment, a contributor made owner and a change of contributors', () => {
    const entries = [
      entry('e1', 1, 'countermeasure.created', null, { ...snapshot('alice'), contributorIds: ['bob', 'carol'], requirements: ['棚卸し'] }),
      entry('e2', 2, 'countermeasure.status_changed', snapshot('alice'), { ...snapshot('alice'), status: 'IN_PROGRESS' }),
      entry('e3', 3, 'countermeasure.owner_assigned', snapshot('alice'), { ...snapshot('bob'), removedContributorId: 'bob' }),
      entry(
        'e4',
        4,
        'countermeasure.contributors_changed',
        { ...snapshot('bob'), contributorIds: ['carol'] },
        { ...snapshot('bob'), contributorIds: ['dave'] },
      ),
      entry('e5', 5, 'countermeasure.owner_assigned', snapshot('bob'), snapshot('bob')), // the same owner again: no change
    ];
    expect(rows(entries, { ownerId: 'bob', contributorIds: ['dave'] })).toEqual([
      { user: 'alice', role: 'OWNER', since: 1, until: 3, startedBy: 'e1', endedBy: 'e3' },
      { user: 'bob', role: 'CONTRIBUTOR', since: 1, until: 3, startedBy: 'e1', endedBy: 'e3' },
      { user: 'carol', role: 'CONTRIBUTOR', since: 1, until: 4, startedBy: 'e1', endedBy: 'e4' },
      { user: 'bob', role: 'OWNER', since: 3, until: null, startedBy: 'e3', endedBy: null },
      { user: 'dave', role: 'CONTRIBUTOR', since: 4, until: null, startedBy: 'e4', endedBy: null },
    ]);
  });

  it('an item whose trail does not show its creation: today’s parties open from its creation, and anyone a snapshot names stays excluded', () => {
    const entries = [
      entry('e7', 7, 'countermeasure.updated', snapshot('erin'), { ...snapshot('erin'), title: '新しい題' }),
      entry('e8', 8, 'countermeasure.owner_assigned', snapshot('erin'), snapshot('frank')),
    ];
    expect(rows(entries, { ownerId: 'frank', contributorIds: ['gina'] }, 0)).toEqual([
      { user: 'frank', role: 'OWNER', since: 8, until: null, startedBy: 'e8', endedBy: null },
      { user: 'gina', role: 'CONTRIBUTOR', since: 0, until: null, startedBy: null, endedBy: null },
      // erin never appears in a created or assigned `after`, but the old query found her in the snapshots
      { user: 'erin', role: 'OWNER', since: 7, until: 7, startedBy: 'e7', endedBy: 'e7' },
    ]);
  });

  it('a period the trail leaves open but today’s rows do not hold is closed when the migration runs', () => {
    const entries = [entry('e1', 1, 'countermeasure.created', null, { ...snapshot('alice'), contributorIds: ['bob'] })];
    expect(rows(entries, { ownerId: 'alice', contributorIds: [] })).toEqual([
      { user: 'alice', role: 'OWNER', since: 1, until: null, startedBy: 'e1', endedBy: null },
      { user: 'bob', role: 'CONTRIBUTOR', since: 1, until: 59, startedBy: 'e1', endedBy: null },
    ]);
  });
});
