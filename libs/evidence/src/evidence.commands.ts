import type { EvidenceKind } from './domain/evidence-fields';

/** What a submission of evidence says: the commands of EvidenceService and what they store. */
export interface SubmitBase {
  requirementId: string;
  targetId?: string | null;
  /** YYYY-MM-DD: the day the evidence speaks for; not in the future. */
  effectiveOn: string;
  description?: string | null;
  /** This submission is a corrected version of that (live) evidence of the same requirement. */
  supersedesId?: string | null;
}

export interface SubmitFileCommand extends SubmitBase {
  file: { name: string; mediaType: string; sizeBytes: number; sha256: string };
}
export interface SubmitLinkCommand extends SubmitBase {
  title: string;
  url: string;
}
export interface SubmitAttestationCommand extends SubmitBase {
  title: string;
  statement: string;
}

export interface Content {
  kind: EvidenceKind;
  name: string;
  sha256: string;
  mediaType: string | null;
  sizeBytes: number | null;
  url: string | null;
  statement: string | null;
}
