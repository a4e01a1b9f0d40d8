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
  const result = await versionedUpdate(em, entity, id, expectedVersion, set, at).execute();
  return result.affected === 1;
}

/**
 * `updateIfVersion` that also gives the row as the UPDATE left it (`RETURNING *`,
 * hydrated as TypeORM hydrates a read: column transformers and types applied),
 * so the caller needs no second read; null when no row matched.
 */
export async function updateIfVersionReturning<E extends ObjectLiteral>(
  em: EntityManager,
  entity: EntityTarget<E>,
  id: string,
  expectedVersion: number,
  set: QueryDeepPartialEntity<E>,
  at: Date,
): Promise<E | null> {
  const result = await versionedUpdate(em, entity, id, expectedVersion, set, at).returning('*').execute();
  const rows = result.raw as Record<string, unknown>[];
  if (rows.length !== 1) return null;
  return hydrate(em, entity, rows[0]!);
}

function versionedUpdate<E extends ObjectLiteral>(
  em: EntityManager,
  entity: EntityTarget<E>,
  id: string,
  expectedVersion: number,
  set: QueryDeepPartialEntity<E>,
  at: Date,
) {
  return em
    .createQueryBuilder()
    .update(entity)
    .set({ ...set, version: () => 'version + 1', updatedAt: at } as QueryDeepPartialEntity<E>)
    .where('id = :id AND version = :expectedVersion', { id, expectedVersion });
}

/** A raw row (column names as in the table) as the entity a TypeORM read would give. */
export function hydrate<E extends ObjectLiteral>(em: EntityManager, entity: EntityTarget<E>, raw: Record<string, unknown>): E {
  const metadata = em.connection.getMetadata(entity);
  const out = metadata.create(undefined, { fromDeserializer: true }) as E;
  for (const column of metadata.columns) {
    if (column.isVirtual) continue;
    const value = raw[column.databaseName];
    if (value === undefined) continue;
    column.setEntityValue(out, em.connection.driver.prepareHydratedValue(value, column));
  }
  return out;
}
