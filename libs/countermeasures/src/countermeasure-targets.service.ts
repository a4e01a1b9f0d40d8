import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AuditTrailService } from '@app/audit-trail';
import { Clock, staleVersion, type Actor } from '@app/common';
import { updateIfVersion } from '@app/database';
import { IncidentsService, type IncidentSystemEntity } from '@app/incidents';
import { CountermeasureEntity, countermeasureKey } from './countermeasure.entities';
import { CountermeasureTargetEntity, type TargetStatus } from './countermeasure-target.entity';
import { CountermeasuresService } from './countermeasures.service';
import { assertMayEdit, assertMayReplan } from './domain/countermeasure-access';
import { CountermeasureError, CountermeasureErrorCode } from './domain/countermeasure.errors';
import { targetNote } from './domain/target-fields';
import { removable } from './domain/target-progress';

/**
 * Targets: the systems one countermeasure covers, each with its own status.
 * Listing targets is planning (owner, contributors, the chief, admins);
 * moving a target is work (owner, contributors).
 */
@Injectable()
export class CountermeasureTargetsService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(CountermeasuresService) private readonly countermeasures: CountermeasuresService,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(IncidentsService) private readonly incidents: IncidentsService,
  ) {}

  private get em() {
    return this.txHost.tx;
  }

  /** The targets of these countermeasures, in the order of their systems' names (the incidents context orders them). */
  async targetsOf(countermeasureIds: readonly string[]): Promise<CountermeasureTargetEntity[]> {
    if (countermeasureIds.length === 0) return [];
    const targets = await this.em
      .getRepository(CountermeasureTargetEntity)
      .createQueryBuilder('t')
      .where('t.countermeasureId = ANY(:ids)', { ids: [...countermeasureIds] })
      .getMany();
    const rank = new Map((await this.incidents.systemsById([...new Set(targets.map((t) => t.systemId))])).map((s, i) => [s.id, i]));
    return targets.sort((a, b) => (rank.get(a.systemId) ?? 0) - (rank.get(b.systemId) ?? 0));
  }

  systemsByIds(ids: readonly string[]): Promise<IncidentSystemEntity[]> {
    return this.incidents.systemsById(ids);
  }

  /**
   * Makes the target list exactly `systemIds` (systems of the same incident):
   * adds the new ones as PENDING, removes the ones left out if nothing happened
   * on them yet, and refuses to drop a target with progress.
   */
  @Transactional()
  async setTargets(
    actor: Actor,
    countermeasureId: string,
    expectedVersion: number,
    systemIds: readonly string[],
  ): Promise<CountermeasureEntity> {
    // The incident lock orders this against the removal of a system (which takes it too).
    const cm = await this.countermeasures.lockItem(countermeasureId);
    assertMayReplan(actor, await this.countermeasures.parties(cm));
    const wanted = [...new Set(systemIds)];
    const systems = (await this.incidents.systemsById(wanted)).filter((s) => s.incidentId === cm.incidentId && s.removedAt === null);
    const known = new Set(systems.map((s) => s.id));
    const foreign = wanted.filter((id) => !known.has(id));
    if (foreign.length) {
      throw new CountermeasureError(
        CountermeasureErrorCode.INVALID_FIELD,
        'Targets must be systems of this incident’s inventory (not removed ones)',
        {
          field: 'systemIds',
          systemIds: foreign,
        },
      );
    }
    const current = await this.targetsOf([cm.id]);
    const dropped = current.filter((t) => !known.has(t.systemId));
    const blocked = dropped.filter((t) => !removable(t.status));
    if (blocked.length) {
      throw new CountermeasureError(
        CountermeasureErrorCode.TARGET_HAS_PROGRESS,
        'A target with progress cannot be removed; mark it NOT_APPLICABLE instead',
        {
          targetIds: blocked.map((t) => t.id),
        },
      );
    }
    const have = new Set(current.map((t) => t.systemId));
    const added = wanted.filter((id) => !have.has(id));
    if (!(await updateIfVersion(this.em, CountermeasureEntity, cm.id, expectedVersion, {}, this.clock.now()))) {
      throw staleVersion('Countermeasure', countermeasureKey(cm.seq), expectedVersion, (await this.countermeasures.getById(cm.id)).version);
    }
    if (dropped.length) {
      // Only untouched targets go; one that gained progress since it was read stays, and the change is refused.
      const result = await this.em
        .getRepository(CountermeasureTargetEntity)
        .createQueryBuilder()
        .delete()
        .where('id = ANY(:ids) AND status = :pending', { ids: dropped.map((t) => t.id), pending: 'PENDING' })
        .execute();
      if (result.affected !== dropped.length) {
        throw new CountermeasureError(
          CountermeasureErrorCode.TARGET_HAS_PROGRESS,
          'A target gained progress meanwhile and cannot be removed; reload and retry',
          {
            targetIds: dropped.map((t) => t.id),
          },
        );
      }
    }
    if (added.length) {
      await this.em
        .getRepository(CountermeasureTargetEntity)
        .insert(added.map((systemId) => ({ countermeasureId: cm.id, systemId, status: 'PENDING' as const, note: '' })));
    }
    await this.trail.append({
      actor,
      action: 'countermeasure.targets_changed',
      entityType: 'Countermeasure',
      entityId: cm.id,
      before: { key: countermeasureKey(cm.seq), systemIds: current.map((t) => t.systemId).sort() },
      after: { key: countermeasureKey(cm.seq), systemIds: [...known].sort(), added, removed: dropped.map((t) => t.systemId) },
    });
    return this.countermeasures.getById(cm.id);
  }

  @Transactional()
  async updateTarget(
    actor: Actor,
    targetId: string,
    expectedVersion: number,
    status: TargetStatus,
    note: string | null,
  ): Promise<CountermeasureTargetEntity> {
    const target = await this.em.getRepository(CountermeasureTargetEntity).findOneBy({ id: targetId });
    if (!target) {
      throw new CountermeasureError(CountermeasureErrorCode.TARGET_NOT_FOUND, `Target ${targetId} does not exist`, { id: targetId });
    }
    const cm = await this.countermeasures.getById(target.countermeasureId);
    assertMayEdit(actor, await this.countermeasures.parties(cm));
    const checkedNote = targetNote(note);
    const set = { status, ...(checkedNote != null ? { note: checkedNote } : {}) };
    if (!(await updateIfVersion(this.em, CountermeasureTargetEntity, target.id, expectedVersion, set, this.clock.now()))) {
      const now = await this.em.getRepository(CountermeasureTargetEntity).findOneByOrFail({ id: target.id });
      throw staleVersion('Target', target.id, expectedVersion, now.version);
    }
    const updated = await this.em.getRepository(CountermeasureTargetEntity).findOneByOrFail({ id: target.id });
    await this.trail.append({
      actor,
      action: 'countermeasure.target_updated',
      entityType: 'CountermeasureTarget',
      entityId: target.id,
      before: {
        countermeasure: countermeasureKey(cm.seq),
        systemId: target.systemId,
        status: target.status,
        note: target.note,
        version: target.version,
      },
      after: {
        countermeasure: countermeasureKey(cm.seq),
        systemId: target.systemId,
        status: updated.status,
        note: updated.note,
        version: updated.version,
      },
    });
    return updated;
  }
}
