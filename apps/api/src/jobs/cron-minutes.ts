import cronParser from 'cron-parser';

const WEEKDAYS: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** One formatter per time zone (making one is the costly part of Intl). */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock fields of a moment in a time zone. */
export function wallClock(at: Date, timeZone: string): { month: number; day: number; hour: number; minute: number; weekday: number } {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(at)) parts[p.type] = p.value;
  return {
    month: Number(parts['month']),
    day: Number(parts['day']),
    hour: Number(parts['hour']),
    minute: Number(parts['minute']),
    weekday: WEEKDAYS[parts['weekday']!]!,
  };
}

/**
 * Whether a five-field cron fires at a given minute, in a time zone, as cron reads it: the wall clock's minute, hour
 * and month in their fields, and the day by day-of-month and day-of-week (either one when both are restricted, that
 * is, neither starts with `*` or `?`, as in Vixie cron). The fields are parsed once (cron-parser); a look is one
 * Intl formatting and a few set lookups. Not read here (refused when made): seconds, `L` and `#` (nth weekday).
 *
 * Why not cron-parser's own `prev()`, as pg-boss's cron does for every schedule every 30 s: it steps back through
 * time with luxon, 10–200 ms per schedule here (Asia/Tokyo), all of it on the thread that answers requests.
 */
export class CronMinutes {
  private readonly minutes: ReadonlySet<number>;
  private readonly hours: ReadonlySet<number>;
  private readonly days: ReadonlySet<number>;
  private readonly months: ReadonlySet<number>;
  private readonly weekdays: ReadonlySet<number>;
  private readonly daysRestricted: boolean;
  private readonly weekdaysRestricted: boolean;

  constructor(
    readonly cron: string,
    readonly timeZone: string,
  ) {
    const text = cron.trim().split(/\s+/);
    if (text.length !== 5) throw new Error(`not a five-field cron: ${cron}`);
    if (/[L#W]/i.test(`${text[2]} ${text[4]}`)) throw new Error(`"L", "W" and "#" (last, weekday, nth) are not read here: ${cron}`);
    formatterFor(timeZone); // an unknown time zone throws here, not at the first look
    const fields = cronParser.parseExpression(cron, { tz: timeZone }).fields;
    this.minutes = new Set(fields.minute);
    this.hours = new Set(fields.hour);
    this.days = new Set(fields.dayOfMonth as readonly number[]);
    this.months = new Set(fields.month);
    // cron-parser gives Sunday as 0 and as 7.
    this.weekdays = new Set((fields.dayOfWeek as readonly number[]).map((d) => (d === 7 ? 0 : d)));
    const unrestricted = (field: string) => field.startsWith('*') || field.startsWith('?');
    this.daysRestricted = !unrestricted(text[2]!);
    this.weekdaysRestricted = !unrestricted(text[4]!);
  }

  /** Whether the cron fires in the minute that holds `at`. */
  matches(at: Date): boolean {
    const w = wallClock(at, this.timeZone);
    if (!this.minutes.has(w.minute) || !this.hours.has(w.hour) || !this.months.has(w.month)) return false;
    const byDay = this.days.has(w.day);
    const byWeekday = this.weekdays.has(w.weekday);
    return this.daysRestricted && this.weekdaysRestricted ? byDay || byWeekday : byDay && byWeekday;
  }
}
