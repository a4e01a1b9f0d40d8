import { createHash } from 'node:crypto';
import { TRAIL_GENESIS_HASH, TRAIL_HASH_VERSION, trailEntryPayload } from '@app/proofs';

/**
 * The audit trail's hash chain, format version 1.
 *
 * Each entry's `hash` is the lowercase hex SHA-256 of the RFC 8785 canonical
 * JSON (the `canonicalize` package) of this object:
 *
 *   { "v": 1, "seq": "<decimal text>", "id": "<uuid>", "occurredAt": "<UTC ISO-8601 with ms>",
 *     "actorId": "<uuid>" | null, "actorLabel": "<e-mail or system:...>", "action": "...",
 *     "entityType": "...", "entityId": "...", "before": <JSON> | null, "after": <JSON> | null,
 *     "requestId": "..." | null, "prevHash": "<hex of the previous entry, or 64 zeros>" }
 *
 * The first entry's prevHash is GENESIS_HASH. Anyone can recompute the chain
 * from the table (or an export) with any SHA-256 and any RFC 8785 library:
 * editing, inserting or deleting an entry breaks every hash after it. The
 * format is written once, in @app/proofs (trailEntryPayload: what the offline
 * verifier recomputes); this file hashes it with node:crypto.
 */
export const AUDIT_HASH_VERSION = TRAIL_HASH_VERSION;
export const GENESIS_HASH = TRAIL_GENESIS_HASH;

export interface HashedFields {
  seq: string;
  id: string;
  occurredAt: Date;
  actorId: string | null;
  actorLabel: string;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
  requestId: string | null;
  prevHash: string;
}

export function canonicalPayload(e: HashedFields): string {
  return trailEntryPayload({ ...e, occurredAt: e.occurredAt.toISOString() });
}

export function entryHash(e: HashedFields): string {
  return createHash('sha256').update(canonicalPayload(e), 'utf8').digest('hex');
}

/**
 * Makes a snapshot JSON-exact: what is hashed is what jsonb stores and gives
 * back (dates as ISO strings, no undefined, no functions).
 */
export function jsonSnapshot(value: unknown): unknown {
  return value === undefined || value === null ? null : (JSON.parse(JSON.stringify(value)) as unknown);
}

export type ChainBreak =
  | { kind: 'HASH_MISMATCH'; seq: string; expected: string; stored: string }
  | { kind: 'PREV_HASH_MISMATCH'; seq: string; expected: string; stored: string }
  | { kind: 'SEQUENCE_GAP'; seq: string; expectedSeq: string };

export interface StoredEntry extends HashedFields {
  hash: string;
}

/**
 * Checks entries in order, continuing from `previous` (the last good entry
 * of an earlier batch, or null at the start). Returns the first break, if any.
 */
export function checkChain(entries: readonly StoredEntry[], previous: { seq: string; hash: string } | null): ChainBreak | null {
  let prev = previous;
  for (const e of entries) {
    const expectedSeq = prev ? (BigInt(prev.seq) + 1n).toString() : '1';
    if (e.seq !== expectedSeq) return { kind: 'SEQUENCE_GAP', seq: e.seq, expectedSeq };
    const expectedPrev = prev ? prev.hash : GENESIS_HASH;
    if (e.prevHash !== expectedPrev) return { kind: 'PREV_HASH_MISMATCH', seq: e.seq, expected: expectedPrev, stored: e.prevHash };
    const expected = entryHash(e);
    if (e.hash !== expected) return { kind: 'HASH_MISMATCH', seq: e.seq, expected, stored: e.hash };
    prev = { seq: e.seq, hash: e.hash };
  }
  return null;
}
