import type { EntityManager } from 'typeorm';
import { CountermeasurePartyEntity, type PartyRole } from './countermeasure.entities';

/**
 * The party history (`countermeasure_parties`): written in the transaction of
 * every change of owner or contributors, read by segregation of duties.
 * `entryId` is the audit-trail entry of the change.
 */
export async function startParties(
  em: EntityManager,
  countermeasureId: string,
  role: PartyRole,
  userIds: readonly string[],
  at: Date,
  entryId: string | null,
): Promise<void> {
  if (userIds.length === 0) return;
  await em.getRepository(CountermeasurePartyEntity).insert(
    userIds.map((userId) => ({
      countermeasureId,
      userId,
      role,
      since: at,
      until: null,
      startedByEntryId: entryId,
      endedByEntryId: null,
    })),
  );
}

export async function endParties(
  em: EntityManager,
  countermeasureId: string,
  role: PartyRole,
  userIds: readonly string[],
  at: Date,
  entryId: string | null,
): Promise<void> {
  if (userIds.length === 0) return;
  await em
    .createQueryBuilder()
    .update(CountermeasurePartyEntity)
    .set({ until: at, endedByEntryId: entryId })
    .where('countermeasure_id = :countermeasureId AND role = :role AND user_id = ANY(:userIds) AND until IS NULL', {
      countermeasureId,
      role,
      userIds: [...userIds],
    })
    .execute();
}

/** The rows of these countermeasures, oldest first. */
export function partiesOf(em: EntityManager, countermeasureIds: readonly string[]): Promise<CountermeasurePartyEntity[]> {
  if (countermeasureIds.length === 0) return Promise.resolve([]);
  return em
    .getRepository(CountermeasurePartyEntity)
    .createQueryBuilder('p')
    .where('p.countermeasureId = ANY(:ids)', { ids: [...countermeasureIds] })
    .orderBy('p.countermeasureId')
    .addOrderBy('p.since', 'ASC')
    .addOrderBy('p.role', 'DESC')
    .addOrderBy('p.userId')
    .getMany();
}
