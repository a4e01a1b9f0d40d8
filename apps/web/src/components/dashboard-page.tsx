import { useEffect, useState, type ReactNode } from 'react';
import { useQuery, useSubscription } from 'urql';
import { formatDay, formatTime } from '../i18n';
import { useI18n } from '../i18n-context';
import { DASHBOARD, DASHBOARD_CHANGED, GATE_CHANGED, type DashboardData, type SessionUser } from '../queries';
import { BurnUpChart, StatusByCategoryChart } from './charts';
import { GateBanner } from './gate-banner';
import { ItemTable } from './item-table';
import { MyItems } from './my-items';
import { ReviewQueue } from './review-queue';
import { Tiles } from './tiles';

/**
 * The dashboard of the signed-in user. One `dashboard` query holds the
 * figures; it is fetched again whenever the server announces a change
 * (`dashboardChanged`, and the gate's own `gateChanged`) or the live feed
 * comes back after an outage (`reconnects`: nothing is replayed).
 *
 * Layout by role: the banner first for everyone; then an auditor's review
 * queue, or a task-force member's own items; then the tiles, the charts and
 * the lists (an executive's view).
 */
export function DashboardPage({ user, reconnects, onIncident }: { user: SessionUser; reconnects: number; onIncident: (title: string) => void }) {
  const { lang, t } = useI18n();
  const [res, reexecute] = useQuery<DashboardData>({ query: DASHBOARD });
  const d = res.data?.dashboard;
  const incidentId = d?.incidentId;

  const [changes, setChanges] = useState(0);
  const [dashboardEvent] = useSubscription({ query: DASHBOARD_CHANGED, variables: { incidentId }, pause: !incidentId });
  const [gateEvent] = useSubscription({ query: GATE_CHANGED });
  useEffect(() => {
    if (dashboardEvent.data) setChanges((n) => n + 1);
  }, [dashboardEvent.data]);
  useEffect(() => {
    if (gateEvent.data) setChanges((n) => n + 1);
  }, [gateEvent.data]);

  const version = changes + reconnects;
  useEffect(() => {
    if (version > 0) reexecute({ requestPolicy: 'network-only' });
  }, [version, reexecute]);

  useEffect(() => {
    if (d?.incidentTitle) onIncident(d.incidentTitle);
  }, [d?.incidentTitle, onIncident]);

  if (!d) {
    return (
      <main className="dashboard">
        <p className={res.error ? 'error' : 'empty'} role={res.error ? 'alert' : undefined}>
          {res.error ? t('error.load', { message: res.error.message }) : t('loading')}
        </p>
      </main>
    );
  }

  const roles = new Set(user.roles);
  const primary: ReactNode = roles.has('AUDITOR') ? (
    <ReviewQueue version={version} />
  ) : roles.has('TASK_FORCE') ? (
    <MyItems ownerId={user.id} version={version} />
  ) : null;

  return (
    <main className="dashboard" data-testid="dashboard" data-generated-at={d.generatedAt} aria-busy={res.fetching}>
      <p className="as-of">
        {t('asOf', { date: formatDay(lang, d.asOf) })} · <span data-testid="updated-at">{t('live.updated', { time: formatTime(lang, new Date(d.generatedAt)) })}</span>
        {res.error && <span className="error"> · {t('error.load', { message: res.error.message })}</span>}
      </p>
      {d.gate && <GateBanner gate={d.gate} />}
      {primary}
      <Tiles d={d} />
      <div className="charts">
        <StatusByCategoryChart byCategory={d.byCategory} />
        <BurnUpChart burnUp={d.burnUp} />
      </div>
      <div className="lists">
        <ItemTable
          id="overdue-list"
          title={t('list.overdue')}
          total={d.totals.overdue}
          rows={d.overdue}
          empty={t('list.none')}
          showOverdue
        />
        {d.blocked.length > 0 && (
          <ItemTable id="blocked-list" title={t('list.blocked')} total={d.totals.blocked} rows={d.blocked.map((b) => ({ ...b, note: b.reason }))} empty={t('list.none')} />
        )}
        {!roles.has('AUDITOR') && (
          <section className="panel" data-testid="review-summary">
            <h2>
              {t('review.title')}
              <span className="count">{d.reviewQueue.waiting}</span>
            </h2>
            <p>
              {d.reviewQueue.waiting === 0
                ? t('review.none')
                : `${t('review.summary', { n: d.reviewQueue.waiting })} ${d.reviewQueue.oldestWaitDays !== null ? t('review.oldest', { days: d.reviewQueue.oldestWaitDays }) : ''}`}
            </p>
          </section>
        )}
      </div>
    </main>
  );
}
