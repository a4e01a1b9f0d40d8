import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/**
 * Optimistic locking. TypeORM's `save()` does not check a @VersionColumn on
 * update, so every versioned change goes through this one statement:
 * `UPDATE ... SET ..., version = version + 1 WHERE id = :id AND version = :expected`.
 * Returns false when no row matched (someone else changed it meanwhile, or it
 * is gone): the caller then raises CONFLICT with the current version.
 *
 * `at`: the app Clock's time for `updated_at` (one clock for the app and the
 * database: a pinned or replayed Clock stamps the row too). Required, so that
 * no versioned change takes the database's now() (which no Clock moves).
 */
export async function updateIfVersion<E extends ObjectLiteral>(
  em: EntityManager,
  entity: EntityTarget<E>,
  id: string,
  expectedVersion: number,
  set: QueryDeepPartialEntity<E>,
  at: Date,
): Promise<boolean> {
  const result = await em
    .createQueryBuilder()
    .update(entity)
    .set({ ...set, version: () => 'version + 1', updatedAt: at } as QueryDeepPartialEntity<E>)
    .where('id = :id AND version = :expectedVersion', { id, expectedVersion })
    .execute();
  return result.affected === 1;
}
