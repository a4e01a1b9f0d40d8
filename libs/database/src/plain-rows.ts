import type { EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Batch reads for the API's loaders (issue 14): the rows of one entity as the
 * driver gives them, each column under its property's name (`t."uploaded_at" AS
 * "uploadedAt"`), without TypeORM's hydration, which copies every value of
 * every row once more: on a page of 50 items with their requirements, evidence
 * and reviews that copy was the largest cost left in the request. (Rows built as
 * JSON by PostgreSQL were tried: cheaper in Node, but four times the database's
 * work for the same rows, and the two share this machine's cores.) The objects
 * hold exactly what TypeORM's hydration gives: timestamps as Date, dates as
 * 'YYYY-MM-DD' text, bigint and numeric as text unless the column has a
 * transformer (applied here as TypeORM does), arrays and jsonb as values.
 * Relations are not loaded (as `getMany()` without joins). They are plain
 * objects, not instances of the entity's class: the entities here carry data only.
 * (`hydrate`, versioned-update.ts, turns one raw row into an entity through
 * TypeORM's own per-column preparation: right for the one row an UPDATE returns,
 * the very cost avoided here for hundreds of rows a page.)
 */
export async function readPlainRows<E extends ObjectLiteral>(
  em: EntityManager,
  entity: EntityTarget<E>,
  /** SQL after FROM <table> t: conditions on `t`, e.g. `t.requirement_id = ANY($1)`. */
  where: string,
  params: unknown[],
  /** Columns of `t` to sort by, e.g. `t.uploaded_at, t.id`. */
  orderBy: string,
  /**
   * Only these properties (and the primary key), when the caller knows which ones
   * its rows will be asked for (a page's look-ahead: apps/api/src/common/selected-columns.ts);
   * every column when absent. The other properties are absent from the rows.
   */
  only?: ReadonlySet<string>,
  /** At most this many rows (the first in `orderBy`'s order). */
  limit?: number,
): Promise<E[]> {
  const metadata = em.connection.getMetadata(entity);
  const shape = only ? subsetOf(metadata, only) : shapeOf(metadata);
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0)) throw new Error(`readPlainRows: limit ${limit}`);
  const rows = (await em.query(
    `SELECT ${shape.columns} FROM ${shape.table} t WHERE ${where} ORDER BY ${orderBy}${limit === undefined ? '' : ` LIMIT ${limit}`}`,
    params.map(asArrayLiteral),
  )) as Record<string, unknown>[];
  if (shape.transformed.length > 0) {
    for (const row of rows) for (const [p, from] of shape.transformed) row[p] = from(row[p]);
  }
  return rows as E[];
}

/**
 * An array of ids as the array literal PostgreSQL reads for `= ANY($1)` (`{a,b,c}`), made in one join:
 * `pg` would quote and escape every element and build the literal one concatenation at a time (on a
 * page, some 1,300 ids a request). Only when every element is text that needs no quoting in a literal
 * (hex digits and hyphens: uuids, numbers); any other parameter, or an array with an element that
 * might need quoting, is left for `pg` to send as it does.
 */
export function asArrayLiteral(param: unknown): unknown {
  if (!Array.isArray(param)) return param;
  for (const v of param) if (typeof v !== 'string' || !bare(v)) return param;
  return `{${param.join(',')}}`;
}

/** Hex digits and hyphens only (a loop over the codes: a regular expression per id cost as much as the join saved). */
function bare(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // 0-9, -, A-F, a-f
    if (!((c >= 48 && c <= 57) || c === 45 || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

interface Shape {
  table: string;
  /** t."id" AS "id", t."countermeasure_id" AS "countermeasureId", ... */
  columns: string;
  /** Properties whose column has a transformer: its `from`. */
  transformed: [string, (v: unknown) => unknown][];
}

const shapes = new WeakMap<EntityMetadata, Shape>();
/** The driver would make a JS Date of a date (local midnight); TypeORM gives its text. */
const AS_TEXT = new Set(['date']);

/** Shapes of column subsets, by entity and the subset's properties (sorted, joined). */
const subsets = new WeakMap<EntityMetadata, Map<string, Shape>>();
/** Subsets kept per entity (operations differ in what they ask; a caller sending new ones every time is capped). */
const MAX_SUBSETS = 200;

function subsetOf(metadata: EntityMetadata, only: ReadonlySet<string>): Shape {
  const key = [...only].sort().join(',');
  let byKey = subsets.get(metadata);
  if (!byKey) subsets.set(metadata, (byKey = new Map()));
  let shape = byKey.get(key);
  if (!shape) {
    if (byKey.size >= MAX_SUBSETS) byKey.clear();
    shape = shapeOf(metadata, (c) => c.isPrimary || only.has(c.propertyPath));
    byKey.set(key, shape);
  }
  return shape;
}

function shapeOf(metadata: EntityMetadata, keep?: (column: EntityMetadata['columns'][number]) => boolean): Shape {
  let shape = keep ? undefined : shapes.get(metadata);
  if (shape) return shape;
  const columns: string[] = [];
  const transformed: [string, (v: unknown) => unknown][] = [];
  for (const column of metadata.columns) {
    if (column.isVirtual) continue;
    if (keep && !keep(column)) continue;
    const p = column.propertyPath;
    const type = column.type;
    if (typeof type === 'string' && type.startsWith('simple-')) throw new Error(`readPlainRows: ${metadata.tableName}.${p} is ${type}`);
    const ref = `t."${column.databaseName}"`;
    columns.push(`${typeof type === 'string' && AS_TEXT.has(type) && !column.isArray ? `${ref}::text` : ref} AS "${p}"`);
    const transformer = column.transformer;
    if (transformer && !Array.isArray(transformer)) transformed.push([p, (v) => transformer.from(v)]);
  }
  shape = { table: `"${metadata.tableName}"`, columns: columns.join(', '), transformed };
  if (!keep) shapes.set(metadata, shape);
  return shape;
}
