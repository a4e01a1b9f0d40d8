import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { DutyError, DutyErrorCode } from '../../domain/duties.errors';
import { NINE_ITEM_KEYS, NINE_ITEM_MAX_CHARS, type NineItemKey } from '../../domain/nine-items';
import type { FilingKind } from '../../rules/rule-pack';

/**
 * Which filing may be started next (pure): one PRELIMINARY and one FINAL per record (a FINAL may come without a
 * PRELIMINARY: the PPC accepts both at once when everything is known within days), and SUPPLEMENTs (追完), numbered
 * 1, 2, ..., only once the FINAL is submitted and while no other supplement is a draft. Returns the supplement's
 * number (null for the others).
 */
export function nextFilingRule(
  kind: FilingKind,
  existing: readonly { kind: FilingKind; status: string; supplementNo: number | null }[],
): number | null {
  if (kind !== 'SUPPLEMENT') {
    if (existing.some((f) => f.kind === kind)) {
      throw new DutyError(
        DutyErrorCode.FILING_OUT_OF_ORDER,
        `The record already has its ${kind} filing (correct the draft, or file a supplement)`,
        { kind },
      );
    }
    if (kind === 'PRELIMINARY' && existing.some((f) => f.kind === 'FINAL')) {
      throw new DutyError(
        DutyErrorCode.FILING_OUT_OF_ORDER,
        'The final report is already under way: a preliminary report comes before it',
        { kind },
      );
    }
    return null;
  }
  if (!existing.some((f) => f.kind === 'FINAL' && f.status === 'SUBMITTED')) {
    throw new DutyError(DutyErrorCode.FILING_OUT_OF_ORDER, 'A supplement follows the submitted final report', { kind });
  }
  if (existing.some((f) => f.kind === 'SUPPLEMENT' && f.status === 'DRAFT')) {
    throw new DutyError(DutyErrorCode.FILING_OUT_OF_ORDER, 'Submit the supplement in draft before starting another', { kind });
  }
  return Math.max(0, ...existing.map((f) => f.supplementNo ?? 0)) + 1;
}

/** The edited items: known keys only, each at most NINE_ITEM_MAX_CHARS characters. */
export function checkedItems(changes: Partial<Record<string, string>>): Partial<Record<NineItemKey, string>> {
  const out: Partial<Record<NineItemKey, string>> = {};
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (!(NINE_ITEM_KEYS as readonly string[]).includes(key)) {
      throw new DutyError(DutyErrorCode.INVALID_FIELD, `${key} is not one of the nine items`, { field: `items.${key}` });
    }
    if (typeof value !== 'string' || value.length > NINE_ITEM_MAX_CHARS) {
      throw new DutyError(DutyErrorCode.INVALID_FIELD, `items.${key} must be text of at most ${NINE_ITEM_MAX_CHARS} characters`, {
        field: `items.${key}`,
      });
    }
    out[key as NineItemKey] = value;
  }
  return out;
}

/** SHA-256 of a draft's items (RFC 8785): what the trail records of drafts (the text is frozen into it at submission). */
export function itemsDigest(items: object): string {
  return createHash('sha256')
    .update(canonicalize(items) ?? '', 'utf8')
    .digest('hex');
}
