import DataLoader from 'dataloader';
import type { UserEntity, UsersService } from '@app/identity';

/**
 * Per-request DataLoaders: nested fields of a page load in one batch per
 * kind, not one query per row. Created fresh for each request (no cache
 * shared between users).
 */
export interface Loaders {
  user: DataLoader<string, UserEntity | null>;
}

export function createLoaders(deps: { users: UsersService }): Loaders {
  return {
    user: new DataLoader<string, UserEntity | null>(async (ids) => {
      const rows = await deps.users.findByIds(ids);
      const byId = new Map(rows.map((u) => [u.id, u]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}

export interface GqlContext {
  req: { user?: UserEntity; id?: string };
  loaders: Loaders;
}
