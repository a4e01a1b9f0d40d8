import { useEffect, useId, useState } from 'react';
import { formatDay, formatTime } from '../i18n';
import { useI18n } from '../i18n-context';
import { isCalendarDay } from '../page-params';

/**
 * The day the dashboard shows: a date picker limited to [the incident's first
 * day, today]; when a past day is shown, a notice says so plainly, with the
 * way back to today (the live view).
 *
 * The picker keeps its own draft: a browser's date field reports each step of
 * typing a year (0002, 0020, 0202, 2026...), and only a complete day within
 * the range is taken.
 */
export function AsOfBar(props: {
  /** The day shown now. */
  shown: string;
  /** The day asked for (null: today), which the picker shows. */
  requested: string | null;
  startsOn: string;
  today: string;
  generatedAt: string;
  onPick: (day: string | null) => void;
  /** The day the address asked for and the server refused, if any. */
  refused: string | null;
  error: string | null;
}) {
  const { lang, t } = useI18n();
  const id = useId();
  const value = props.requested ?? props.today;
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const past = props.shown < props.today;

  return (
    <div className="as-of-bar" data-testid="as-of">
      <div className="as-of-tools">
        <label htmlFor={`${id}-day`}>{t('asOf.label')}</label>
        <input
          id={`${id}-day`}
          type="date"
          data-testid="as-of-picker"
          min={props.startsOn}
          max={props.today}
          value={draft}
          required
          aria-describedby={`${id}-range`}
          onChange={(e) => {
            const day = e.target.value;
            setDraft(day);
            if (day === '') props.onPick(null);
            else if (isCalendarDay(day) && day >= props.startsOn && day <= props.today) props.onPick(day === props.today ? null : day);
          }}
        />
        <span id={`${id}-range`} className="as-of-range">
          {t('asOf.range', { start: formatDay(lang, props.startsOn), end: formatDay(lang, props.today) })}
        </span>
        <span className="as-of-updated">
          {t('asOf', { date: formatDay(lang, props.shown) })} ·{' '}
          <span data-testid="updated-at">{t('live.updated', { time: formatTime(lang, new Date(props.generatedAt)) })}</span>
        </span>
        {props.error && <span className="error"> · {props.error}</span>}
      </div>
      {past && (
        <p className="past-notice" role="status" data-testid="past-view-notice">
          <span>{t('asOf.past', { date: formatDay(lang, props.shown) })}</span>
          <button type="button" data-testid="back-to-today" onClick={() => props.onPick(null)}>
            {t('asOf.backToToday')}
          </button>
        </p>
      )}
      {props.refused && (
        <p className="notice" role="status" data-testid="as-of-refused">
          {t('asOf.refused', { date: props.refused })}
        </p>
      )}
    </div>
  );
}
