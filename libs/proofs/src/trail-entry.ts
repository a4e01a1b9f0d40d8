import { canonicalJson } from './canonical';
import { toHex, utf8 } from './encoding';
import type { Sha256 } from './merkle';

/**
 * The audit trail's hash chain, format version 1, defined here once: the
 * server (libs/audit-trail/src/domain/audit-hash.ts) builds its payload with
 * trailEntryPayload below, and the verifier recomputes it without Node:
 * an entry's `hash` is the hex SHA-256 of the RFC 8785 canonical JSON of
 * { v: 1, seq, id, occurredAt, actorId, actorLabel, action, entityType,
 *   entityId, before, after, requestId, prevHash }, times as ISO strings.
 */
export const TRAIL_HASH_VERSION = 1;
export const TRAIL_GENESIS_HASH = '0'.repeat(64);

/** One line of data/trail/entries.jsonl: every hashed field and the hash. */
export interface TrailEntryRecord {
  seq: string;
  id: string;
  occurredAt: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
  requestId: string | null;
  prevHash: string;
  hash: string;
}

export function trailEntryPayload(e: Omit<TrailEntryRecord, 'hash'>): string {
  return canonicalJson({
    v: TRAIL_HASH_VERSION,
    seq: String(e.seq),
    id: e.id,
    occurredAt: e.occurredAt,
    actorId: e.actorId,
    actorLabel: e.actorLabel,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    before: e.before ?? null,
    after: e.after ?? null,
    requestId: e.requestId,
    prevHash: e.prevHash,
  });
}

export function trailEntryHash(sha: Sha256, e: Omit<TrailEntryRecord, 'hash'>): string {
  return toHex(sha(utf8(trailEntryPayload(e))));
}
