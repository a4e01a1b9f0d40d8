import { CommonError, CommonErrorCode } from '../errors/common.errors';
import { isUuid } from '../ids';

/** Largest page any list returns; `first` above it is refused, not silently cut. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export interface PageRequest {
  first?: number | null;
  after?: string | null;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  totalCount: number;
  cursorOf(node: T): string;
}

/**
 * Keyset cursors: an opaque base64url of a small JSON array of the sort key
 * values. Opaque to clients; stable across inserts (unlike offsets).
 */
export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

/**
 * A page from rows fetched one past its size (`limit(size + 1)`): the extra row
 * only tells that a next page exists. `cursorKey` gives the sort-key values a
 * node's cursor encodes, in the order the list sorts by.
 */
export function pageOf<T>(
  rows: readonly T[],
  size: number,
  totalCount: number,
  cursorKey: (node: T) => readonly (string | number)[],
): Page<T> {
  return { nodes: rows.slice(0, size), hasNextPage: rows.length > size, totalCount, cursorOf: (node) => encodeCursor(cursorKey(node)) };
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === arity && parsed.every((v) => typeof v === 'string' || typeof v === 'number')) {
      return parsed as (string | number)[];
    }
  } catch {
    // fall through to the coded error below
  }
  throw new CommonError(CommonErrorCode.INVALID_CURSOR, 'The cursor `after` is not one this API issued', { after: cursor });
}

function notIssued(cursor: string): CommonError {
  return new CommonError(CommonErrorCode.INVALID_CURSOR, 'The cursor `after` is not one this list issued', { after: cursor });
}

/** A cursor of a list sorted by a time, then id (`encodeCursor([createdAt.toISOString(), id])`), or INVALID_CURSOR. */
export function decodeTimeIdCursor(cursor: string): { at: string; id: string } {
  const [at, id] = decodeCursor(cursor, 2);
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at)) || typeof id !== 'string' || !isUuid(id)) throw notIssued(cursor);
  return { at, id };
}

/** A cursor of a list sorted by a sequence number, then id (`encodeCursor([seq, id])`), or INVALID_CURSOR. */
export function decodeSeqIdCursor(cursor: string): { seq: number; id: string } {
  const [seq, id] = decodeCursor(cursor, 2);
  if (typeof seq !== 'number' || !Number.isInteger(seq) || typeof id !== 'string' || !isUuid(id)) throw notIssued(cursor);
  return { seq, id };
}

export function pageSize(first: number | null | undefined): number {
  if (first == null) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new CommonError(CommonErrorCode.INVALID_INPUT, `first must be between 1 and ${MAX_PAGE_SIZE}`, {
      first,
      max: MAX_PAGE_SIZE,
    });
  }
  return first;
}
