import type { NineItems } from './nine-items';

/** A mandatory case of the rule pack that applies, with why (the pack's code: SENSITIVE_DATA, FINANCIAL_DAMAGE, UNLAWFUL_PURPOSE, OVER_THRESHOLD). */
export interface AppliedCase {
  code: string;
  /** The rule pack's number (1..4) and name in Japanese, e.g. 3, '不正の目的によるおそれ'. */
  no: number;
  nameJa: string;
  rationale: string;
  /** Derived by the tracker (case 4 from the count) rather than asserted by a person. */
  derived: boolean;
}

/**
 * Everything the tracker holds that the PPC draft's nine items are written from (issue 15, "Drafts written by the
 * tracker"): read by the filings service from the owning contexts, handed to the pure `writeDraft`.
 * Dates are LocalDate text (YYYY-MM-DD, Asia/Tokyo); instants are UTC ISO-8601.
 */
export interface DraftFacts {
  kind: 'PRELIMINARY' | 'FINAL' | 'SUPPLEMENT';
  /** The reporting business (the company), not the employee filing. */
  reporter: string;
  incident: {
    title: string;
    summary: string;
    detectedOn: string | null;
    policeReportedOn: string | null;
    regulatorReportedOn: string | null;
    disclosedOn: string | null;
  };
  /** When the company knew (覚知), UTC ISO-8601. */
  knownAt: string;
  /** The incident's timeline, oldest first. */
  timeline: readonly { occurredOn: string; title: string; description: string }[];
  /** The incident's data categories: leaked ones feed item 2; confirmed-not-leaked ones are stated as such. */
  dataCategories: readonly { name: string; leaked: boolean }[];
  individuals: { estimate: number | null; estimatedOn: string | null; confirmed: number | null; confirmedOn: string | null };
  cases: readonly AppliedCase[];
  /** The parties (police, regulator, investigation firm, suspected insider...): kind is the incidents context's PARTY_KINDS value. */
  parties: readonly { kind: string; name: string; role: string }[];
  /** Hotline figures (item 5). */
  hotline: {
    from: string | null;
    to: string | null;
    total: number;
    byKind: readonly { kind: string; count: number }[];
    notableCases: readonly { occurredOn: string; kind: string; summary: string }[];
  };
  /** Notice campaigns to the individuals (item 6). */
  notices: readonly {
    channel: 'POST' | 'EMAIL';
    plannedCount: number;
    sentCount: number;
    returnedCount: number;
    startedOn: string | null;
    completedOn: string | null;
    substitutePublishedOn: string | null;
    substituteInquiryDesk: string | null;
    unreachableCount: number;
  }[];
  /** Publications (item 7): the progress statements published so far, and the incident's disclosure date above. */
  publications: readonly { number: number; publishedAt: string; titleJa: string }[];
  /** The countermeasures with their status (item 8), in key order. */
  countermeasures: readonly { key: string; title: string; status: string; dueDate: string | null }[];
}

/** A filing as a document for legal review (DOCX and PDF): what the renderers print. */
export interface FilingDocument {
  filingId: string;
  kind: 'PRELIMINARY' | 'FINAL' | 'SUPPLEMENT';
  /** e.g. 速報 / 確報 / 追完 (the supplement's number appended by the caller when needed). */
  kindLabelJa: string;
  reporter: string;
  incidentTitle: string;
  /** e.g. 個人情報保護委員会, or 経済産業大臣 (権限委任). */
  authority: string;
  rulePack: string;
  knownAt: string;
  dueOn: string;
  status: 'DRAFT' | 'SUBMITTED';
  submittedAt: string | null;
  channel: string | null;
  referenceNumber: string | null;
  /** Days late at submission (0 when on time), null while a draft. */
  lateDays: number | null;
  items: NineItems;
  /** SHA-256 of the filed items (FiledItemsPayload) once submitted. */
  itemsSha256: string | null;
  /** The instant the document is generated (the PDF's dates): the same inputs give the same bytes. */
  generatedAt: string;
}
