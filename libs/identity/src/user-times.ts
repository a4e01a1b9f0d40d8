import type { EntityManager } from 'typeorm';
import { restampTransactionTime } from '@app/database';

/**
 * Redates the users written in the current transaction: their `created_at` and
 * `updated_at`, which PostgreSQL stamped with the transaction's start, take
 * `at` instead (see restampTransactionTime). For a load replayed on a story's
 * clock in one transaction (the demo), after each of its steps.
 */
export function redateUsersWrittenInTransaction(em: EntityManager, at: Date): Promise<void> {
  return restampTransactionTime(em, 'users', ['created_at', 'updated_at'], at);
}
