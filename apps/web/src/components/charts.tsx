import { useEffect, useMemo, useRef, type ReactNode } from 'react';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartData,
  type ChartType,
} from 'chart.js';
import { enumLabel, formatDay } from '../i18n';
import { useI18n } from '../i18n-context';
import type { Dashboard } from '../queries';
import { categoryStacks, STATUS_COLORS } from '../words';

// Only the parts used: the bundle stays small (chart.js is tree-shakable).
Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);
Chart.defaults.font.family = getComputedStyle(document.documentElement).getPropertyValue('--font-family') || 'sans-serif';

/**
 * One chart.js chart on a canvas: created once, then given new data in place
 * (a live update redraws without a flicker; no animation, so what is drawn is
 * always the latest figures). The canvas carries a summary for
 * screen readers; every figure is also in the table under the chart.
 */
export function ChartCanvas<T extends ChartType>(props: {
  type: T;
  data: ChartData<T>;
  options: ChartConfiguration<T>['options'];
  label: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<T> | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, { type: props.type, data: props.data, options: props.options } as ChartConfiguration<T>);
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
    // Created once per type; data and options are updated in place below.
  }, [props.type]);
  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.data = props.data;
    if (props.options) c.options = props.options;
    c.update();
  }, [props.data, props.options]);
  return (
    <div className="chart-box">
      <canvas ref={canvas} role="img" aria-label={props.label} />
    </div>
  );
}

/** Status by category: one stacked bar per category, a stack per status (workflow order). */
export function StatusByCategoryChart({ byCategory }: { byCategory: Dashboard['byCategory'] }) {
  const { t } = useI18n();
  const { categories, series } = useMemo(() => categoryStacks(byCategory), [byCategory]);
  const data = useMemo<ChartData<'bar'>>(
    () => ({
      labels: categories.map((c) => enumLabel(t, 'category', c)),
      datasets: series.map((s) => ({
        label: enumLabel(t, 'status', s.status),
        data: s.counts,
        backgroundColor: STATUS_COLORS[s.status] ?? '#64748b',
        stack: 'status',
      })),
    }),
    [categories, series, t],
  );
  const options = useMemo<ChartConfiguration<'bar'>['options']>(
    () => ({
      indexAxis: 'y',
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: t('chart.count') } },
        y: { stacked: true },
      },
      plugins: { legend: { position: 'bottom' } },
    }),
    [t],
  );
  const summary = categories
    .map(
      (c, i) =>
        `${enumLabel(t, 'category', c)}: ${series
          .filter((s) => s.counts[i])
          .map((s) => `${enumLabel(t, 'status', s.status)} ${s.counts[i]}`)
          .join(', ')}`,
    )
    .join('; ');
  return (
    <section className="panel chart" data-testid="chart-by-category" aria-labelledby="chart-by-category-title">
      <h2 id="chart-by-category-title">{t('chart.byCategory')}</h2>
      {categories.length === 0 ? (
        <p className="empty">{t('chart.noData')}</p>
      ) : (
        <>
          <ChartCanvas type="bar" data={data} label={`${t('chart.byCategory')}: ${summary}`} options={options} />
          <DataTable testId="chart-by-category-table" caption={t('chart.byCategory')}>
            <thead>
              <tr>
                <th scope="col">{t('chart.category')}</th>
                {series.map((s) => (
                  <th scope="col" key={s.status}>
                    {enumLabel(t, 'status', s.status)}
                  </th>
                ))}
                <th scope="col">{t('chart.total')}</th>
              </tr>
            </thead>
            <tbody>
              {categories.map((c, i) => (
                <tr key={c} data-category={c}>
                  <th scope="row">{enumLabel(t, 'category', c)}</th>
                  {series.map((s) => (
                    <td className="num" key={s.status} data-status={s.status}>
                      {s.counts[i]}
                    </td>
                  ))}
                  <td className="num" data-total>
                    {series.reduce((n, s) => n + (s.counts[i] ?? 0), 0)}
                  </td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        </>
      )}
    </section>
  );
}

/** Burn-up: the total, implemented and verified countermeasures at the end of each day. */
export function BurnUpChart({ burnUp }: { burnUp: Dashboard['burnUp'] }) {
  const { lang, t } = useI18n();
  const last = burnUp.at(-1);
  const data = useMemo<ChartData<'line'>>(
    () => ({
      labels: burnUp.map((p) => shortDay(lang, p.day)),
      datasets: [
        {
          label: t('chart.burnUp.total'),
          data: burnUp.map((p) => p.total),
          borderColor: '#475569',
          backgroundColor: '#475569',
          borderDash: [6, 4],
        },
        {
          label: t('chart.burnUp.implemented'),
          data: burnUp.map((p) => p.implemented),
          borderColor: '#f59e0b',
          backgroundColor: '#f59e0b',
        },
        { label: t('chart.burnUp.verified'), data: burnUp.map((p) => p.verified), borderColor: '#16a34a', backgroundColor: '#16a34a' },
      ],
    }),
    [burnUp, lang, t],
  );
  const options = useMemo<ChartConfiguration<'line'>['options']>(
    () => ({
      maintainAspectRatio: false,
      animation: false,
      elements: { point: { radius: 0, hitRadius: 6 }, line: { borderWidth: 2, tension: 0 } },
      interaction: { mode: 'index', intersect: false },
      scales: {
        y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: t('chart.count') } },
        x: { ticks: { maxTicksLimit: 8, autoSkip: true } },
      },
      plugins: { legend: { position: 'bottom' } },
    }),
    [t],
  );
  return (
    <section className="panel chart" data-testid="chart-burn-up" aria-labelledby="chart-burn-up-title">
      <h2 id="chart-burn-up-title">{t('chart.burnUp')}</h2>
      {!last ? (
        <p className="empty">{t('chart.noData')}</p>
      ) : (
        <>
          <ChartCanvas
            type="line"
            data={data}
            label={`${t('chart.burnUp')} (${t('asOf', { date: formatDay(lang, last.day) })}): ${t('chart.burnUp.total')} ${last.total}, ${t('chart.burnUp.implemented')} ${last.implemented}, ${t('chart.burnUp.verified')} ${last.verified}`}
            options={options}
          />
          <DataTable testId="chart-burn-up-table" caption={t('chart.burnUp')}>
            <thead>
              <tr>
                <th scope="col">{t('chart.day')}</th>
                <th scope="col">{t('chart.burnUp.total')}</th>
                <th scope="col">{t('chart.burnUp.implemented')}</th>
                <th scope="col">{t('chart.burnUp.verified')}</th>
              </tr>
            </thead>
            <tbody>
              {burnUp.map((p) => (
                <tr key={p.day} data-day={p.day}>
                  <th scope="row">
                    <time dateTime={p.day}>{formatDay(lang, p.day)}</time>
                  </th>
                  <td className="num">{p.total}</td>
                  <td className="num">{p.implemented}</td>
                  <td className="num">{p.verified}</td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        </>
      )}
    </section>
  );
}

/**
 * The chart's figures as a table (what the canvas promises screen readers and
 * anyone who wants the numbers): closed under the chart, opened with its
 * button (a native disclosure: keyboard and screen readers know it).
 */
export function DataTable({ testId, caption, children }: { testId: string; caption: string; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <details className="chart-table" data-testid={testId}>
      <summary>{t('chart.showTable')}</summary>
      <div className="table-scroll">
        <table>
          <caption className="visually-hidden">{caption}</caption>
          {children}
        </table>
      </div>
    </details>
  );
}

export function shortDay(lang: string, day: string): string {
  const [, m, d] = day.split('-').map(Number);
  return lang === 'ja' ? `${m}/${d}` : `${d}/${m}`;
}
