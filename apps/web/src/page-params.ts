/**
 * What the page's address says, as pure functions (no DOM, unit-tested):
 *
 * - `asOf=YYYY-MM-DD`: show the dashboard as it stood at the end of that day
 *   (Asia/Tokyo); absent: today, live. A link can be shared.
 * - `item=CM-004`: highlight that countermeasure's rows and scroll to the first
 *   (links from notifications).
 * - `view=review`: scroll to the review queue (links from notifications).
 * - `incident=<id>`: that incident's dashboard rather than the most recent one's (links from the PPC report
 *   reminders, `/?incident=<id>#duties`).
 *
 * A value the page cannot use is ignored (the page opens as if it were absent),
 * never sent to the server as is.
 */
export interface PageParams {
  asOf: string | null;
  /** `asOf` as written in the address when it is not a day (the page says it cannot show it). */
  asOfUnusable: string | null;
  item: string | null;
  view: 'review' | null;
  /** An incident's id (a UUID, lower-cased); null: the most recent incident. */
  incident: string | null;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A countermeasure's key as the API writes it (CM-004); kept short so it never grows a query. */
const ITEM_KEY = /^[A-Za-z][A-Za-z0-9]{0,9}-\d{1,6}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A real calendar day written YYYY-MM-DD (2026-02-30 is not one). */
export function isCalendarDay(value: string): boolean {
  const m = DAY.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

export function readPageParams(search: string): PageParams {
  const q = new URLSearchParams(search);
  const asOf = q.get('asOf');
  const item = q.get('item')?.trim() ?? null;
  const usable = asOf !== null && isCalendarDay(asOf);
  return {
    asOf: usable ? asOf : null,
    asOfUnusable: asOf !== null && !usable ? asOf.slice(0, 40) : null,
    item: item && ITEM_KEY.test(item) ? item.toUpperCase() : null,
    view: q.get('view') === 'review' ? 'review' : null,
    incident: UUID.test(q.get('incident') ?? '') ? q.get('incident')!.toLowerCase() : null,
  };
}

/**
 * The address with `asOf` set to `day`, or removed when `day` is null (today);
 * every other part (path, other parameters, fragment) unchanged.
 */
export function withAsOf(href: string, day: string | null): string {
  const url = new URL(href);
  if (day) url.searchParams.set('asOf', day);
  else url.searchParams.delete('asOf');
  return `${url.pathname}${url.search}${url.hash}`;
}

/** Today in Asia/Tokyo (the case's calendar), as YYYY-MM-DD. */
export function todayInTokyo(now: Date): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/**
 * The day to ask the server for, from a day the user picked: null (today,
 * live) for today or later, or for nothing picked; the earliest day for a day
 * before it; else the day itself.
 */
export function dayToRequest(picked: string | null, earliest: string | null, today: string): string | null {
  if (!picked || !isCalendarDay(picked) || picked >= today) return null;
  if (earliest && picked < earliest) return earliest < today ? earliest : null;
  return picked;
}
