import type { EntityManager } from 'typeorm';
import { restampTransactionTime } from '@app/database';

/**
 * Redates the audit engagements and findings written in the current
 * transaction: the times PostgreSQL stamped with the transaction's start
 * (engagements' `created_at`, `updated_at`; findings' `updated_at`) take `at`
 * instead (see restampTransactionTime). For a load replayed on a story's clock
 * in one transaction (the demo), after each of its steps. Clearance and
 * transition times come from the Clock and are never touched.
 */
export async function redateAuditsWrittenInTransaction(em: EntityManager, at: Date): Promise<void> {
  await restampTransactionTime(em, 'audit_engagements', ['created_at', 'updated_at'], at);
  await restampTransactionTime(em, 'audit_findings', ['updated_at'], at);
}
