import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * The nine items of a report to the PPC (個人情報保護法施行規則 8条1項, the form 別記様式第一),
 * in the order of the form. A filing holds them as text (Japanese), pre-filled by the tracker
 * (`writeDraft`) and edited by the legal lead until submission, when they are frozen.
 */
export const NINE_ITEM_KEYS = [
  'overview',
  'dataItems',
  'individuals',
  'cause',
  'secondaryHarm',
  'responseToIndividuals',
  'publication',
  'recurrencePrevention',
  'other',
] as const;
export type NineItemKey = (typeof NINE_ITEM_KEYS)[number];
export type NineItems = Readonly<Record<NineItemKey, string>>;

/** The form's headings, numbered as on the form. */
export const NINE_ITEM_LABELS: Readonly<Record<NineItemKey, { no: number; ja: string; en: string }>> = {
  overview: { no: 1, ja: '概要', en: 'Overview' },
  dataItems: { no: 2, ja: '漏えい等が発生し、又は発生したおそれがある個人データの項目', en: 'Data items concerned' },
  individuals: { no: 3, ja: '漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数', en: 'Number of individuals' },
  cause: { no: 4, ja: '原因', en: 'Cause' },
  secondaryHarm: { no: 5, ja: '二次被害又はそのおそれの有無及びその内容', en: 'Secondary harm or its risk' },
  responseToIndividuals: { no: 6, ja: '本人への対応の実施状況', en: 'Response to the individuals' },
  publication: { no: 7, ja: '公表の実施状況', en: 'Public announcement' },
  recurrencePrevention: { no: 8, ja: '再発防止のための措置', en: 'Measures against recurrence' },
  other: { no: 9, ja: 'その他参考となる事項', en: 'Other' },
};

/** Upper bound of one item's text (characters): a form field, not a document. */
export const NINE_ITEM_MAX_CHARS = 20_000;

/** Version tag inside the hashed payload, so the format can evolve. */
export const FILED_ITEMS_FORMAT = 'ppc-filing-items/v1';

/**
 * What is hashed when a filing is submitted:
 *   { "format": "ppc-filing-items/v1", "filingId": "<uuid>", "kind": "PRELIMINARY" | "FINAL" | "SUPPLEMENT",
 *     "rulePack": "appi-ppc@2024-04-01", "submittedAt": "<UTC ISO-8601 with ms>", "items": { <the nine keys>: "<text>" } }
 * as RFC 8785 canonical JSON (the `canonicalize` package), UTF-8, SHA-256, lowercase hex. Anyone holding the
 * trail entry (which carries the payload and the digest) can recompute it with any RFC 8785 library.
 */
export interface FiledItemsPayload {
  format: typeof FILED_ITEMS_FORMAT;
  filingId: string;
  kind: string;
  rulePack: string;
  submittedAt: string;
  items: NineItems;
}

export function filedItemsDigest(payload: FiledItemsPayload): string {
  const text = canonicalize(payload);
  if (text === undefined) throw new Error('filed items cannot be canonicalized');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The nine items with every key present (missing ones empty), nothing else. */
export function completeItems(partial: Partial<Record<NineItemKey, string | null | undefined>>): NineItems {
  const out = {} as Record<NineItemKey, string>;
  for (const key of NINE_ITEM_KEYS) out[key] = partial[key] ?? '';
  return out;
}
