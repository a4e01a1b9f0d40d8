import type { EntityManager } from 'typeorm';

/**
 * Sets to `at` the columns of `table` that PostgreSQL stamped with the current
 * transaction's start (a column default `now()`, or `SET updated_at = now()`),
 * on the rows of this transaction that hold that stamp. `now()` is one instant
 * for a whole transaction and no Clock in Node moves it: a load replayed on a
 * story's clock in one transaction (the demo loader's replay) calls this
 * after each step so that the rows it wrote take the step's time.
 *
 * Each context calls it for its own tables only (its `…WrittenInTransaction`
 * export); only bookkeeping columns belong here, never a hashed or history time.
 */
export async function restampTransactionTime(em: EntityManager, table: string, columns: readonly string[], at: Date): Promise<void> {
  const set = columns.map((c) => `"${c}" = CASE WHEN "${c}" = transaction_timestamp() THEN $1 ELSE "${c}" END`).join(', ');
  const where = columns.map((c) => `"${c}" = transaction_timestamp()`).join(' OR ');
  await em.query(`UPDATE "${table}" SET ${set} WHERE ${where}`, [at]);
}
