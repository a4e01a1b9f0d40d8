import { CASE_TIME_ZONE } from '@app/common';

/**
 * How the PPC report writes dates, times and numbers (the draft's nine items and the DOCX/PDF header alike):
 * `2026年7月3日`, `2026年7月3日 14時20分` (an instant on the Japanese wall clock, Asia/Tokyo), `12,345`.
 * Pure and independent of the process's locale and time zone.
 */

/** A LocalDate (YYYY-MM-DD) as `2026年7月3日`; any other text is returned as it is. */
export function jaDate(localDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(localDate);
  return m ? `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日` : localDate;
}

const tokyoParts = new Intl.DateTimeFormat('en-US', {
  timeZone: CASE_TIME_ZONE,
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  hourCycle: 'h23',
});

function partsOf(instant: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute', number> {
  const parts = tokyoParts.formatToParts(new Date(instant));
  const p = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((x) => x.type === type)?.value ?? NaN);
  return { year: p('year'), month: p('month'), day: p('day'), hour: p('hour'), minute: p('minute') };
}

/** The Tokyo calendar date of an instant (UTC ISO-8601), as `2026年7月3日`. */
export function jaDateOfInstant(instant: string): string {
  const t = partsOf(instant);
  return Number.isNaN(t.year) ? instant : `${t.year}年${t.month}月${t.day}日`;
}

/** An instant (UTC ISO-8601) on the Tokyo wall clock: `2026年7月3日 14時20分` (minutes two-digit: `9時05分`). */
export function jaDateTime(instant: string): string {
  const t = partsOf(instant);
  if (Number.isNaN(t.year)) return instant;
  return `${t.year}年${t.month}月${t.day}日 ${t.hour}時${String(t.minute).padStart(2, '0')}分`;
}

/** An integer with thousands separators: 12345 → `12,345`. */
export function jaNumber(n: number): string {
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.trunc(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
