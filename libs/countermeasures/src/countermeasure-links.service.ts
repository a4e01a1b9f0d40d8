import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AuditTrailService } from '@app/audit-trail';
import { Clock, staleVersion, type Actor } from '@app/common';
import { updateIfVersion } from '@app/database';
import { IncidentsService } from '@app/incidents';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { CountermeasureDependencyEntity, CountermeasureEntity, countermeasureKey } from './countermeasure.entities';
import { CountermeasuresService, snapshot } from './countermeasures.service';
import { assertMayLinkDependencies, assertMayPlan } from './domain/countermeasure-access';
import { CountermeasureError, CountermeasureErrorCode } from './domain/countermeasure.errors';
import { dependencyCyclePath, parentCyclePath } from './domain/plan-graph';
import { assertDependent, assertNotYetDependent, assertParentChanges, assertSameIncident, dependsOnIdsOf } from './domain/plan-links';

/**
 * The structure of the plan: an optional parent (an action plan breaks into
 * sub-actions) and dependencies between countermeasures of one incident.
 *
 * Who may change what (record-level; the resolver has checked the role):
 * - the parent: the task-force chief or an admin (it reshapes the plan);
 * - dependencies: the dependent item's owner or contributors, the chief or an
 *   admin (see `assertMayLinkDependencies`).
 *
 * "No cycle" spans many rows, so every link change takes the same lock first:
 * the incident row (`IncidentsService.lock`, the lock `create` takes too).
 * Under it, the incident's whole edge set is read in one query, the pure rule
 * of `domain/plan-graph.ts` decides, and the change, the version bump of the
 * changed item and its audit-trail entry are written, all before commit. Two
 * concurrent changes that would each be fine alone but together close a cycle
 * are thereby serialized: the second one sees the first and is refused.
 * Lock order is always incident row → countermeasure row → trail chain head,
 * as in the other changes of this context, so no deadlock arises.
 */
@Injectable()
export class CountermeasureLinksService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(CountermeasuresService) private readonly countermeasures: CountermeasuresService,
    @Inject(IncidentsService) private readonly incidents: IncidentsService,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private get em() {
    return this.txHost.tx;
  }

  // ---- batch readers for DataLoaders -------------------------------------------------------

  /** The sub-actions of these items, by key. */
  childrenOf(parentIds: readonly string[]): Promise<CountermeasureEntity[]> {
    if (parentIds.length === 0) return Promise.resolve([]);
    return this.em
      .getRepository(CountermeasureEntity)
      .createQueryBuilder('c')
      .where('c.parentId = ANY(:ids)', { ids: [...parentIds] })
      .orderBy('c.seq', 'ASC')
      .getMany();
  }

  /** What these items depend on, ordered by the key of the item depended on. */
  dependenciesOf(ids: readonly string[]): Promise<CountermeasureDependencyEntity[]> {
    return this.edges('countermeasureId', 'dependsOnId', ids);
  }

  /** What depends on these items, ordered by the key of the dependent item. */
  dependentsOf(ids: readonly string[]): Promise<CountermeasureDependencyEntity[]> {
    return this.edges('dependsOnId', 'countermeasureId', ids);
  }

  private edges(by: 'countermeasureId' | 'dependsOnId', other: 'countermeasureId' | 'dependsOnId', ids: readonly string[]) {
    if (ids.length === 0) return Promise.resolve([] as CountermeasureDependencyEntity[]);
    return this.em
      .getRepository(CountermeasureDependencyEntity)
      .createQueryBuilder('d')
      .innerJoin(CountermeasureEntity, 'c', `c.id = d.${other}`)
      .where(`d.${by} = ANY(:ids)`, { ids: [...ids] })
      .orderBy('c.seq', 'ASC')
      .getMany();
  }

  // ---- changes ------------------------------------------------------------------------------

  /** Makes `id` a sub-action of `parentId` (same incident, no cycle), or a top-level item with null. */
  @Transactional()
  async setCountermeasureParent(actor: Actor, id: string, expectedVersion: number, parentId: string | null): Promise<CountermeasureEntity> {
    const cm = await this.lockedItem(id);
    assertMayPlan(actor, (await this.countermeasures.parties(cm)).chiefId, 'change the parent of a countermeasure');
    assertParentChanges(cm, parentId);
    if (parentId !== null) {
      const parent = await this.countermeasures.getById(parentId);
      assertSameIncident(cm, parent);
      const cycle = parentCyclePath(cm.id, parent.id, await this.parentsIn(cm.incidentId));
      if (cycle) {
        const keys = await this.keysOf(cycle);
        throw new CountermeasureError(
          CountermeasureErrorCode.PARENT_CYCLE,
          cycle.length === 2
            ? `${keys[0]} cannot be its own parent`
            : `${keys[1]} cannot be the parent of ${keys[0]}: ${keys[0]} is already above it (${keys.slice(1).reverse().join(' → ')})`,
          { cycle: keys, ids: cycle },
        );
      }
    }
    const updated = await this.bumpVersion(cm, expectedVersion, { parentId });
    await this.trail.append({
      actor,
      action: 'countermeasure.parent_changed',
      entityType: 'Countermeasure',
      entityId: cm.id,
      before: snapshot(cm),
      after: snapshot(updated),
    });
    return updated;
  }

  /** "`id` depends on `dependsOnId`": same incident, not yet there, no cycle. Bumps the version of `id`. */
  @Transactional()
  async addCountermeasureDependency(actor: Actor, id: string, expectedVersion: number, dependsOnId: string): Promise<CountermeasureEntity> {
    const cm = await this.lockedItem(id);
    assertMayLinkDependencies(actor, await this.countermeasures.parties(cm));
    const target = await this.countermeasures.getById(dependsOnId);
    assertSameIncident(cm, target);
    const edges = await this.dependenciesIn(cm.incidentId);
    const before = dependsOnIdsOf(cm.id, edges);
    assertNotYetDependent(cm, target, before);
    const cycle = dependencyCyclePath(cm.id, target.id, edges);
    if (cycle) {
      const keys = await this.keysOf(cycle);
      throw new CountermeasureError(
        CountermeasureErrorCode.DEPENDENCY_CYCLE,
        cycle.length === 2
          ? `${keys[0]} cannot depend on itself`
          : `${keys[0]} cannot depend on ${keys[1]}: that would close the cycle ${keys.join(' → ')}`,
        { cycle: keys, ids: cycle },
      );
    }
    const updated = await this.bumpVersion(cm, expectedVersion, {});
    await this.em.getRepository(CountermeasureDependencyEntity).insert({ countermeasureId: cm.id, dependsOnId: target.id });
    await this.trail.append({
      actor,
      action: 'countermeasure.dependency_added',
      entityType: 'Countermeasure',
      entityId: cm.id,
      before: { ...snapshot(cm), dependsOnIds: before },
      after: {
        ...snapshot(updated),
        dependsOnIds: [...before, target.id].sort(),
        dependsOnId: target.id,
        dependsOnKey: countermeasureKey(target.seq),
      },
    });
    return updated;
  }

  /** Removes "`id` depends on `dependsOnId`". Bumps the version of `id`. */
  @Transactional()
  async removeCountermeasureDependency(
    actor: Actor,
    id: string,
    expectedVersion: number,
    dependsOnId: string,
  ): Promise<CountermeasureEntity> {
    const cm = await this.lockedItem(id);
    assertMayLinkDependencies(actor, await this.countermeasures.parties(cm));
    const target = await this.countermeasures.getById(dependsOnId);
    assertSameIncident(cm, target);
    const before = dependsOnIdsOf(cm.id, await this.dependenciesOf([cm.id]));
    assertDependent(cm, target, before);
    const updated = await this.bumpVersion(cm, expectedVersion, {});
    await this.em.getRepository(CountermeasureDependencyEntity).delete({ countermeasureId: cm.id, dependsOnId: target.id });
    await this.trail.append({
      actor,
      action: 'countermeasure.dependency_removed',
      entityType: 'Countermeasure',
      entityId: cm.id,
      before: { ...snapshot(cm), dependsOnIds: before },
      after: {
        ...snapshot(updated),
        dependsOnIds: before.filter((d) => d !== target.id),
        dependsOnId: target.id,
        dependsOnKey: countermeasureKey(target.seq),
      },
    });
    return updated;
  }

  // ---- helpers ------------------------------------------------------------------------------

  /**
   * Takes the incident's lock, then reads the item again: everything the
   * decision uses is read under the lock.
   */
  private async lockedItem(id: string): Promise<CountermeasureEntity> {
    const { incidentId } = await this.countermeasures.getById(id);
    await this.incidents.lock(incidentId);
    return this.countermeasures.getById(id);
  }

  /** The current parent of every sub-action of the incident (one query). */
  private async parentsIn(incidentId: string): Promise<Map<string, string | null>> {
    const rows = await this.em
      .getRepository(CountermeasureEntity)
      .createQueryBuilder('c')
      .select(['c.id', 'c.parentId'])
      .where('c.incidentId = :incidentId AND c.parentId IS NOT NULL', { incidentId })
      .getMany();
    return new Map(rows.map((r) => [r.id, r.parentId]));
  }

  /** Every dependency between items of the incident (one query; both ends are always in the same incident). */
  private dependenciesIn(incidentId: string): Promise<CountermeasureDependencyEntity[]> {
    return this.em
      .getRepository(CountermeasureDependencyEntity)
      .createQueryBuilder('d')
      .innerJoin(CountermeasureEntity, 'c', 'c.id = d.countermeasureId')
      .where('c.incidentId = :incidentId', { incidentId })
      .getMany();
  }

  /** Keys for the ids of a cycle, in the same order (only read to explain a refusal). */
  private async keysOf(ids: readonly string[]): Promise<string[]> {
    const seqOf = new Map((await this.countermeasures.findByIds([...new Set(ids)])).map((c) => [c.id, c.seq]));
    return ids.map((id) => (seqOf.has(id) ? countermeasureKey(seqOf.get(id)!) : id));
  }

  private async bumpVersion(
    cm: CountermeasureEntity,
    expectedVersion: number,
    set: QueryDeepPartialEntity<CountermeasureEntity>,
  ): Promise<CountermeasureEntity> {
    if (!(await updateIfVersion(this.em, CountermeasureEntity, cm.id, expectedVersion, set, this.clock.now()))) {
      const current = await this.countermeasures.getById(cm.id);
      throw staleVersion('Countermeasure', countermeasureKey(cm.seq), expectedVersion, current.version);
    }
    return this.countermeasures.getById(cm.id);
  }
}
