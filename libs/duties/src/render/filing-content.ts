import type { FilingDocument } from '../domain/draft-facts';
import { jaDate, jaDateTime, jaNumber } from '../domain/ja-format';
import { NINE_ITEM_KEYS, NINE_ITEM_LABELS } from '../domain/nine-items';

/**
 * What a filing's document says, once for both exports (PDF and DOCX print the same words): the title, the draft /
 * submitted status, the header's label/value pairs, the nine items with their numbered headings, the footer's digest.
 */
export interface FilingContent {
  /** 個人情報の漏えい等に関する報告（速報） */
  title: string;
  /** 下書き or 提出済 */
  statusLabel: string;
  draft: boolean;
  header: readonly (readonly [string, string])[];
  items: readonly { heading: string; text: string }[];
  /** `SHA-256（提出した9項目）: <hex>` once submitted, else null. */
  digestLine: string | null;
  /** For the document's properties: what, about which incident. */
  subject: string;
}

export const DRAFT_LABEL = '下書き';
export const SUBMITTED_LABEL = '提出済';

export function filingTitle(doc: Pick<FilingDocument, 'kindLabelJa'>): string {
  return `個人情報の漏えい等に関する報告（${doc.kindLabelJa}）`;
}

export function itemHeading(no: number, ja: string): string {
  return `${no}. ${ja}`;
}

export function lateness(lateDays: number | null): string | null {
  if (lateDays === null) return null;
  return lateDays > 0 ? `期限を${jaNumber(lateDays)}日超過して提出` : '期限内に提出';
}

export function filingContent(doc: FilingDocument): FilingContent {
  const draft = doc.status === 'DRAFT';
  const header: [string, string][] = [];
  if (draft) {
    header.push(['状態', `${DRAFT_LABEL}（未提出・法務確認用）`]);
  } else {
    header.push(['状態', `${SUBMITTED_LABEL}（${doc.submittedAt ? jaDateTime(doc.submittedAt) : '提出日時不明'}）`]);
    if (doc.channel) header.push(['提出方法', doc.channel]);
    if (doc.referenceNumber) header.push(['受付番号', doc.referenceNumber]);
    const late = lateness(doc.lateDays);
    if (late) header.push(['期限との関係', late]);
  }
  header.push(
    ['報告者', doc.reporter],
    ['事案', doc.incidentTitle],
    ['報告先', doc.authority],
    ['覚知日時', jaDateTime(doc.knownAt)],
    ['提出期限', jaDate(doc.dueOn)],
    ['適用ルール', doc.rulePack],
    ['作成日時', jaDateTime(doc.generatedAt)],
  );
  return {
    title: filingTitle(doc),
    statusLabel: draft ? DRAFT_LABEL : SUBMITTED_LABEL,
    draft,
    header,
    items: NINE_ITEM_KEYS.map((key) => ({
      heading: itemHeading(NINE_ITEM_LABELS[key].no, NINE_ITEM_LABELS[key].ja),
      text: doc.items[key],
    })),
    digestLine: !draft && doc.itemsSha256 ? `SHA-256（提出した9項目）: ${doc.itemsSha256}` : null,
    subject: `${doc.reporter} — ${doc.incidentTitle}`,
  };
}
