import { Global, Inject, Injectable, Module } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { INCIDENT_COUNTERMEASURE_USAGE, type IncidentCountermeasureUsage } from '@app/incidents';
import { CountermeasureEntity } from './countermeasure.entities';
import { CountermeasureTargetEntity } from './countermeasure-target.entity';
import { ALL_COUNTERMEASURE_STATUSES, isOpen } from './domain/countermeasure-workflow';

/** The countermeasures context's answer to the incidents context's question (its port). */
@Injectable()
export class CountermeasureUsageForIncidents implements IncidentCountermeasureUsage {
  constructor(@Inject(TransactionHost) private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  async targetingSystem(systemId: string): Promise<number[]> {
    const rows = await this.txHost.tx
      .getRepository(CountermeasureEntity)
      .createQueryBuilder('c')
      .select('c.seq', 'seq')
      .innerJoin(CountermeasureTargetEntity, 't', 't.countermeasureId = c.id')
      .where('t.systemId = :systemId', { systemId })
      .orderBy('c.seq')
      .getRawMany<{ seq: number }>();
    return rows.map((r) => Number(r.seq));
  }

  async openOwnedBy(incidentId: string, userId: string): Promise<number[]> {
    const rows = await this.txHost.tx
      .getRepository(CountermeasureEntity)
      .createQueryBuilder('c')
      .select('c.seq', 'seq')
      .where('c.incidentId = :incidentId AND c.ownerId = :userId AND c.status = ANY(:open)', {
        incidentId,
        userId,
        open: ALL_COUNTERMEASURE_STATUSES.filter(isOpen),
      })
      .orderBy('c.seq')
      .getRawMany<{ seq: number }>();
    return rows.map((r) => Number(r.seq));
  }
}

/**
 * Provides the ports other contexts declared and the countermeasures context
 * answers. Global, because the asking context (incidents) cannot import this one
 * (countermeasures depends on it): the dependency stays one way, the answer is wired here.
 */
@Global()
@Module({
  providers: [CountermeasureUsageForIncidents, { provide: INCIDENT_COUNTERMEASURE_USAGE, useExisting: CountermeasureUsageForIncidents }],
  exports: [INCIDENT_COUNTERMEASURE_USAGE],
})
export class CountermeasurePortsModule {}
