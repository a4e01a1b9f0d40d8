import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { SignerProof } from '@app/common';

/**
 * The clearance snapshot, format `clearance/v2` (`clearance/v1` before the
 * signer's proof was recorded): what the lead auditor attests when clearing,
 * stored as `payload` (jsonb) with `digest` next to it.
 *
 * `digest` is the lowercase hex SHA-256 of the RFC 8785 canonical JSON
 * (the `canonicalize` package; any RFC 8785 library gives the same bytes) of
 * `payload`, which is this object:
 *
 * ```
 * { "format": "clearance/v2",
 *   "clearanceId": "<uuid>", "engagementId": "<uuid>", "incidentId": "<uuid>",
 *   "firm": "<audit firm>", "leadAuditorId": "<uuid>",
 *   "clearedBy": { "id": "<uuid>", "label": "<e-mail>" },
 *   "clearedAt": "<UTC ISO-8601 with milliseconds, e.g. 2026-11-30T01:02:03.456Z>",
 *   "statement": "<the lead auditor's statement, trimmed>",
 *   "signerProof": {                // how and when the lead auditor proved a second factor for this clearance
 *     "method": "TOTP" | "RECOVERY_CODE" | "PASSKEY" | "SSO", "at": "<ISO>",
 *     "amr": [ "<the IdP's amr values>" ] | null, "acr": "<the IdP's acr>" | null } | null,   // null: step-up waived (demo)
 *   "countermeasures": [            // the in-scope countermeasures, by key number (CM-002 before CM-010), then id
 *     { "id": "<uuid>", "key": "CM-004", "status": "VERIFIED" | "OPERATING",
 *       "signOff": { "id": "<uuid>", "digest": "<hex>", "signedAt": "<ISO>" } | null,   // the standing sign-off
 *       "evidence": [               // live evidence (status SUBMITTED), by requirementId, then id
 *         { "id": "<uuid>", "requirementId": "<uuid>", "sha256": "<hex>" } ] } ],
 *   "systems": [ { "id": "<uuid>", "name": "<text>" } ],          // in-scope systems, by id
 *   "findings": [                   // every finding of the incident, by key number, then id
 *     { "id": "<uuid>", "key": "F-001", "engagementId": "<uuid>", "severity": "HIGH",
 *       "status": "OPEN" | "RESOLVED" | "ACCEPTED_RISK",
 *       "riskAcceptance": { "id": "<uuid>", "expiresOn": "YYYY-MM-DD" } | null } ] }
 * ```
 *
 * Every value is a string, null, an object or an array (no numbers, no booleans),
 * so the jsonb round trip returns exactly what was hashed. To verify: read the
 * stored `payload`, canonicalize it, SHA-256 it, compare with `digest`.
 * A `clearance/v1` payload is the same without `signerProof`, and is verified the same way.
 */
export const CLEARANCE_FORMAT = 'clearance/v2';
/** The clearances made before the signer's proof was recorded: the same digest rule, no `signerProof`. */
export const CLEARANCE_FORMAT_V1 = 'clearance/v1';

export interface SnapshotEvidence {
  id: string;
  requirementId: string;
  sha256: string;
}

export interface SnapshotCountermeasure {
  id: string;
  seq: number;
  key: string;
  status: string;
  signOff: { id: string; digest: string; signedAt: Date } | null;
  evidence: readonly SnapshotEvidence[];
}

export interface SnapshotFinding {
  id: string;
  seq: number;
  key: string;
  engagementId: string;
  severity: string;
  status: string;
  riskAcceptance: { id: string; expiresOn: string } | null;
}

export interface SnapshotInput {
  clearanceId: string;
  engagementId: string;
  incidentId: string;
  firm: string;
  leadAuditorId: string;
  clearedBy: { id: string | null; label: string };
  clearedAt: Date;
  statement: string;
  /** How and when the lead auditor proved a second factor for this clearance (null: waived). */
  signerProof: SignerProof | null;
  countermeasures: readonly SnapshotCountermeasure[];
  systems: readonly { id: string; name: string }[];
  findings: readonly SnapshotFinding[];
}

export type ClearancePayload = Record<string, unknown> & { format: typeof CLEARANCE_FORMAT };

const bySeqThenId = (a: { seq: number; id: string }, b: { seq: number; id: string }) => a.seq - b.seq || cmp(a.id, b.id);
/** Code-unit order, like RFC 8785's key order: independent of the locale. */
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function clearancePayload(s: SnapshotInput): ClearancePayload {
  return {
    format: CLEARANCE_FORMAT,
    clearanceId: s.clearanceId,
    engagementId: s.engagementId,
    incidentId: s.incidentId,
    firm: s.firm,
    leadAuditorId: s.leadAuditorId,
    clearedBy: { id: s.clearedBy.id, label: s.clearedBy.label },
    clearedAt: s.clearedAt.toISOString(),
    statement: s.statement,
    signerProof: s.signerProof
      ? {
          method: s.signerProof.method,
          at: s.signerProof.at,
          amr: s.signerProof.amr ? [...s.signerProof.amr] : null,
          acr: s.signerProof.acr,
        }
      : null,
    countermeasures: [...s.countermeasures].sort(bySeqThenId).map((c) => ({
      id: c.id,
      key: c.key,
      status: c.status,
      signOff: c.signOff ? { id: c.signOff.id, digest: c.signOff.digest, signedAt: c.signOff.signedAt.toISOString() } : null,
      evidence: [...c.evidence]
        .sort((a, b) => cmp(a.requirementId, b.requirementId) || cmp(a.id, b.id))
        .map((e) => ({ id: e.id, requirementId: e.requirementId, sha256: e.sha256 })),
    })),
    systems: [...s.systems].sort((a, b) => cmp(a.id, b.id)).map((x) => ({ id: x.id, name: x.name })),
    findings: [...s.findings].sort(bySeqThenId).map((f) => ({
      id: f.id,
      key: f.key,
      engagementId: f.engagementId,
      severity: f.severity,
      status: f.status,
      riskAcceptance: f.riskAcceptance ? { id: f.riskAcceptance.id, expiresOn: f.riskAcceptance.expiresOn } : null,
    })),
  };
}

/** Lowercase hex SHA-256 of the RFC 8785 form of a stored or fresh payload. */
export function clearanceDigest(payload: unknown): string {
  const text = canonicalize(payload);
  if (text === undefined) throw new Error('clearance payload cannot be canonicalized');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
