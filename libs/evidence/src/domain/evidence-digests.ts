import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { SignerProof } from '@app/common';

/**
 * Hashes that someone outside the product must be able to recompute.
 * All are lowercase hex SHA-256; JSON is RFC 8785 canonical JSON (any
 * conforming library), times are UTC ISO-8601 with milliseconds, ids are text.
 *
 * ## Evidence content (format `evidence-content/v1`)
 * A FILE's hash is the SHA-256 of its bytes. A LINK or an ATTESTATION has no
 * bytes, so its hash is the SHA-256 of the canonical JSON
 *   { "format": "evidence-content/v1", "kind": "LINK", "url": "<url>" }  or
 *   { "format": "evidence-content/v1", "kind": "ATTESTATION", "title": "<title>", "statement": "<text>" }
 * so that a review and a sign-off bind to what was attested exactly as for a file.
 *
 * ## Sign-off (format `sign-off/v2`; `sign-off/v1` before the signer's proof was recorded)
 * The digest stored with a sign-off is the SHA-256 of the canonical JSON of
 *   { "format": "sign-off/v2",
 *     "countermeasure": { "id", "key", "incidentId", "title" },
 *     "auditor": { "id", "label" }, "signedAt": "<ISO>", "statement": "<text>",
 *     "signerProof": { "method": "TOTP" | "RECOVERY_CODE" | "PASSKEY" | "SSO",
 *                      "at": "<ISO: when the second factor was proved>",
 *                      "amr": [ "<the IdP's amr values>" ] | null, "acr": "<the IdP's acr>" | null } | null,
 *     "evidence": [ { "requirementId", "requirementTitle", "evidenceId", "versionNo",
 *                     "kind", "sha256", "reviewId", "reviewedAt" } ... ],
 *     "riskAcceptances": [ { "requirementId", "requirementTitle", "riskAcceptanceId", "expiresOn" } ... ] }
 * with `evidence` sorted by requirement position, then evidence id, and
 * `riskAcceptances` (requirements covered by an executive's accepted risk instead
 * of evidence) by requirement position. `signerProof` is how and when the auditor
 * proved a second factor for this sign-off (at most STEP_UP_MAX_AGE_SECONDS before
 * `signedAt`; `amr`/`acr` only for single sign-on); null only where step-up was
 * waived (the demo without DEMO_MFA). `sign-off/v1` payloads (made before) have no
 * `signerProof` and are verified the same way. The payload
 * is stored next to the digest, so anyone can recompute the one from the other
 * and compare each `sha256` with the bytes they downloaded.
 */
export const EVIDENCE_CONTENT_FORMAT = 'evidence-content/v1';
export const SIGN_OFF_FORMAT = 'sign-off/v2';
/** The sign-offs made before the signer's proof was recorded: the same digest rule, no `signerProof`. */
export const SIGN_OFF_FORMAT_V1 = 'sign-off/v1';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value cannot be canonicalized');
  return text;
}

export function linkDigest(url: string): string {
  return sha256Hex(canonicalJson({ format: EVIDENCE_CONTENT_FORMAT, kind: 'LINK', url }));
}

export function attestationDigest(title: string, statement: string): string {
  return sha256Hex(canonicalJson({ format: EVIDENCE_CONTENT_FORMAT, kind: 'ATTESTATION', title, statement }));
}

export interface SignedEvidence {
  requirementId: string;
  requirementTitle: string;
  requirementPosition: number;
  evidenceId: string;
  versionNo: number;
  kind: string;
  sha256: string;
  reviewId: string;
  reviewedAt: Date;
}

export interface SignedRiskAcceptance {
  requirementId: string;
  requirementTitle: string;
  requirementPosition: number;
  riskAcceptanceId: string;
  expiresOn: string;
}

export interface SignOffFacts {
  countermeasure: { id: string; key: string; incidentId: string; title: string };
  auditor: { id: string; label: string };
  signedAt: Date;
  statement: string;
  /** How and when the auditor proved a second factor for this sign-off (null: waived). */
  signerProof: SignerProof | null;
  evidence: readonly SignedEvidence[];
  riskAcceptances?: readonly SignedRiskAcceptance[];
}

export function signOffPayload(f: SignOffFacts): Record<string, unknown> {
  const evidence = [...f.evidence]
    .sort((a, b) => a.requirementPosition - b.requirementPosition || a.evidenceId.localeCompare(b.evidenceId))
    .map((e) => ({
      requirementId: e.requirementId,
      requirementTitle: e.requirementTitle,
      evidenceId: e.evidenceId,
      versionNo: e.versionNo,
      kind: e.kind,
      sha256: e.sha256,
      reviewId: e.reviewId,
      reviewedAt: e.reviewedAt.toISOString(),
    }));
  const riskAcceptances = [...(f.riskAcceptances ?? [])]
    .sort((a, b) => a.requirementPosition - b.requirementPosition)
    .map((a) => ({
      requirementId: a.requirementId,
      requirementTitle: a.requirementTitle,
      riskAcceptanceId: a.riskAcceptanceId,
      expiresOn: a.expiresOn,
    }));
  return {
    format: SIGN_OFF_FORMAT,
    countermeasure: { ...f.countermeasure },
    auditor: { ...f.auditor },
    signedAt: f.signedAt.toISOString(),
    statement: f.statement,
    signerProof: f.signerProof
      ? {
          method: f.signerProof.method,
          at: f.signerProof.at,
          amr: f.signerProof.amr ? [...f.signerProof.amr] : null,
          acr: f.signerProof.acr,
        }
      : null,
    evidence,
    riskAcceptances,
  };
}

/** The digest of a stored payload: recompute it from `countermeasure_sign_offs.payload` to check a sign-off. */
export function payloadDigest(payload: unknown): string {
  return sha256Hex(canonicalJson(payload));
}
