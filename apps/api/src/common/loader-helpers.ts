import DataLoader from 'dataloader';

/** A loader of the rows belonging to each key (one batch query), in the order of the keys asked for. */
export function grouped<T>(fetch: (keys: readonly string[]) => Promise<T[]>, keyOf: (row: T) => string): DataLoader<string, T[]> {
  return new DataLoader<string, T[]>(async (keys) => {
    const rows = await fetch(keys);
    const map = new Map<string, T[]>();
    for (const row of rows) {
      const k = keyOf(row);
      const list = map.get(k);
      if (list) list.push(row);
      else map.set(k, [row]);
    }
    return keys.map((k) => map.get(k) ?? []);
  });
}

/** A loader of one row per id (one batch query); null for an id that matches nothing. */
export function byId<T extends { id: string }>(fetch: (ids: readonly string[]) => Promise<T[]>): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = await fetch(ids);
    const found = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => found.get(id) ?? null);
  });
}
