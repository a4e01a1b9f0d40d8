export const EVIDENCE_KINDS = ['FILE', 'LINK', 'ATTESTATION'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** SUBMITTED: live. SUPERSEDED: a newer version replaced it. WITHDRAWN: taken back, with a reason. */
export const EVIDENCE_STATUSES = ['SUBMITTED', 'SUPERSEDED', 'WITHDRAWN'] as const;
export type EvidenceStatus = (typeof EVIDENCE_STATUSES)[number];

export const REVIEW_DECISIONS = ['ACCEPTED', 'REJECTED', 'NEEDS_MORE'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

export const MAX_EVIDENCE_NAME_LENGTH = 255;
export const MAX_EVIDENCE_TEXT_LENGTH = 20_000;
export const MAX_URL_LENGTH = 2048;
