import type { EntityManager } from 'typeorm';
import { restampTransactionTime } from '@app/database';

/**
 * Redates the countermeasures and their targets written in the current
 * transaction: the times PostgreSQL stamped with the transaction's start
 * (countermeasures' `created_at`, `updated_at`; targets' `updated_at`) take
 * `at` instead (see restampTransactionTime). For a load replayed on a story's
 * clock in one transaction (the demo), after each of its steps. History times
 * (transitions, due-date changes) come from the Clock and are never touched.
 */
export async function redateCountermeasuresWrittenInTransaction(em: EntityManager, at: Date): Promise<void> {
  await restampTransactionTime(em, 'countermeasures', ['created_at', 'updated_at'], at);
  await restampTransactionTime(em, 'countermeasure_targets', ['updated_at'], at);
}
