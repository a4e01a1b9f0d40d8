import { Global, Inject, Injectable, Module } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { EVIDENCE_PLACEMENT, type EvidencePlacement } from '@app/countermeasures';
import { EvidenceEntity } from './evidence.entities';

/** The evidence context's answer to the countermeasures context's question (its port). */
@Injectable()
export class EvidencePlacementOfRows implements EvidencePlacement {
  constructor(@Inject(TransactionHost) private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  async evidenceCountsByCountermeasureAndIncident(): Promise<{ countermeasureId: string; incidentId: string; count: number }[]> {
    return this.txHost.tx
      .getRepository(EvidenceEntity)
      .createQueryBuilder('e')
      .select('e.countermeasureId', 'countermeasureId')
      .addSelect('e.incidentId', 'incidentId')
      .addSelect('count(*)::int', 'count')
      .groupBy('e.countermeasureId')
      .addGroupBy('e.incidentId')
      .getRawMany();
  }
}

/**
 * Provides the ports other contexts declared and the evidence context answers.
 * Global, because the asking context (countermeasures) cannot import this one
 * (evidence depends on it): the dependency stays one way, the answer is wired here.
 */
@Global()
@Module({
  providers: [EvidencePlacementOfRows, { provide: EVIDENCE_PLACEMENT, useExisting: EvidencePlacementOfRows }],
  exports: [EVIDENCE_PLACEMENT],
})
export class EvidencePortsModule {}
