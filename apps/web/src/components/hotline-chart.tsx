import { useEffect, useMemo } from 'react';
import { useQuery } from 'urql';
import type { ChartConfiguration, ChartData } from 'chart.js';
import { formatDay } from '../i18n';
import { useI18n } from '../i18n-context';
import { HOTLINE_CONTACTS, type HotlineDayView } from '../hotline-queries';
import { HOTLINE_KIND_COLORS, HOTLINE_KIND_ORDER, hotlineKindLabel, hotlineRange, hotlineTranslator } from '../hotline-words';
import { ChartCanvas, DataTable, shortDay } from './charts';
import { HotlineLogForm } from './hotline-log-form';

const countOf = (d: HotlineDayView, kind: string) => d.counts.find((c) => c.kind === kind)?.count ?? 0;

/**
 * The privacy hotline's contacts per day (promises 5, 8, 10), stacked by kind, for the incident on screen: the recorded
 * days of the year up to the day shown (days without figures are absent). Aggregates only (no case text), so every
 * role sees it. The canvas carries the span's totals for screen readers; the table under it holds every figure.
 * Refetched when anything changes (`version`).
 */
export function HotlineChart({
  incidentId,
  asOf,
  startsOn,
  version,
  canLog,
}: {
  incidentId: string;
  asOf: string;
  startsOn: string | null;
  version: number;
  /** The user's roles hold hotline:log (task-force members, executives): the logging form is shown. */
  canLog: boolean;
}) {
  const { lang, t } = useI18n();
  const ht = useMemo(() => hotlineTranslator(lang), [lang]);
  const range = useMemo(() => hotlineRange(asOf, startsOn), [asOf, startsOn]);
  const [res, reexecute] = useQuery({ query: HOTLINE_CONTACTS, variables: { incidentId, ...range } });
  useEffect(() => {
    if (version > 0) reexecute({ requestPolicy: 'network-only' });
  }, [version, reexecute]);
  const days: readonly HotlineDayView[] = res.data?.hotlineContacts ?? [];

  const data = useMemo<ChartData<'bar'>>(
    () => ({
      labels: days.map((d) => shortDay(lang, d.day)),
      datasets: HOTLINE_KIND_ORDER.map((kind) => ({
        label: hotlineKindLabel(ht, kind),
        data: days.map((d) => countOf(d, kind)),
        backgroundColor: HOTLINE_KIND_COLORS[kind] ?? '#64748b',
        stack: 'kind',
        maxBarThickness: 48,
      })),
    }),
    [days, lang, ht],
  );
  const options = useMemo<ChartConfiguration<'bar'>['options']>(
    () => ({
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { stacked: true, ticks: { maxTicksLimit: 12, autoSkip: true } },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: ht('hotline.count') } },
      },
      plugins: { legend: { position: 'bottom' } },
    }),
    [ht],
  );

  const first = days[0];
  const last = days.at(-1);
  const total = days.reduce((n, d) => n + d.total, 0);
  const byKind = HOTLINE_KIND_ORDER.map((kind) => `${hotlineKindLabel(ht, kind)} ${days.reduce((n, d) => n + countOf(d, kind), 0)}`);
  const summary =
    first && last
      ? `${ht('hotline.summary', { from: formatDay(lang, first.day), to: formatDay(lang, last.day), days: days.length, total })}: ${byKind.join(', ')}`
      : '';
  return (
    <section className="panel chart" data-testid="chart-hotline" aria-labelledby="chart-hotline-title" aria-busy={res.fetching}>
      <h2 id="chart-hotline-title">{ht('hotline.title')}</h2>
      {res.error && !res.data ? (
        <p className="error" role="alert">
          {t('error.load', { message: res.error.message })}
        </p>
      ) : !res.data ? (
        <p className="empty">{t('loading')}</p>
      ) : days.length === 0 ? (
        <p className="empty" data-testid="chart-hotline-empty">
          {ht('hotline.none')}
        </p>
      ) : (
        <>
          <ChartCanvas type="bar" data={data} label={`${ht('hotline.title')}: ${summary}`} options={options} />
          <DataTable testId="chart-hotline-table" caption={ht('hotline.title')}>
            <thead>
              <tr>
                <th scope="col">{ht('hotline.day')}</th>
                {HOTLINE_KIND_ORDER.map((kind) => (
                  <th scope="col" key={kind}>
                    {hotlineKindLabel(ht, kind)}
                  </th>
                ))}
                <th scope="col">{ht('hotline.total')}</th>
              </tr>
            </thead>
            <tbody>
              {days.map((d) => (
                <tr key={d.day} data-day={d.day}>
                  <th scope="row">
                    <time dateTime={d.day}>{formatDay(lang, d.day)}</time>
                  </th>
                  {HOTLINE_KIND_ORDER.map((kind) => (
                    <td className="num" key={kind} data-kind={kind}>
                      {countOf(d, kind)}
                    </td>
                  ))}
                  <td className="num" data-total>
                    {d.total}
                  </td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        </>
      )}
      {canLog && <HotlineLogForm incidentId={incidentId} days={days} onSaved={() => reexecute({ requestPolicy: 'network-only' })} />}
    </section>
  );
}
