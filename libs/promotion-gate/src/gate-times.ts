import type { EntityManager } from 'typeorm';
import { restampTransactionTime } from '@app/database';

/**
 * Redates the promotion gates written in the current transaction: their
 * `created_at` and `updated_at`, which PostgreSQL stamped with the
 * transaction's start, take `at` instead (see restampTransactionTime). For a
 * load replayed on a story's clock in one transaction (the demo), after each
 * of its steps. The gate's history times come from the Clock.
 */
export function redateGatesWrittenInTransaction(em: EntityManager, at: Date): Promise<void> {
  return restampTransactionTime(em, 'promotion_gates', ['created_at', 'updated_at'], at);
}
