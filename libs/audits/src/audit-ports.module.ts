import { Global, Inject, Injectable, Module } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { REQUIREMENT_RISK_ACCEPTANCES, type RequirementRiskAcceptances } from '@app/countermeasures';
import { RiskAcceptanceEntity } from './audit.entities';

/** The audits context's answer to the countermeasures context's question (its port): the risk acceptances resting on a requirement. */
@Injectable()
export class RiskAcceptancesOfRequirements implements RequirementRiskAcceptances {
  constructor(@Inject(TransactionHost) private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  countFor(requirementId: string): Promise<number> {
    return this.txHost.tx.getRepository(RiskAcceptanceEntity).countBy({ requirementId });
  }
}

/**
 * Provides the ports other contexts declared and the audits context answers.
 * Global, because the asking context (countermeasures) cannot import this one
 * (audits depends on it): the dependency stays one way, the answer is wired here.
 */
@Global()
@Module({
  providers: [RiskAcceptancesOfRequirements, { provide: REQUIREMENT_RISK_ACCEPTANCES, useExisting: RiskAcceptancesOfRequirements }],
  exports: [REQUIREMENT_RISK_ACCEPTANCES],
})
export class AuditPortsModule {}
