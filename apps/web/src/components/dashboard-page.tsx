import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useQuery, useSubscription } from 'urql';
import { errorCodeOf } from '../graphql-client';
import { useI18n } from '../i18n-context';
import { dayToRequest, readPageParams, todayInTokyo, withAsOf } from '../page-params';
import { DASHBOARD, DASHBOARD_CHANGED, GATE_CHANGED, type Dashboard, type SessionUser } from '../queries';
import { AsOfBar } from './as-of-bar';
import { BurnUpChart, StatusByCategoryChart } from './charts';
import { DutiesBanner } from './duties-banner';
import { DutiesSection } from './duties-section';
import { HotlineChart } from './hotline-chart';
import { GateBanner } from './gate-banner';
import { HighlightedItemContext, ItemTable } from './item-table';
import { ItemNotice } from './item-notice';
import { LatestActivity } from './latest-activity';
import { MyItems } from './my-items';
import { OwnerLoad } from './owner-load';
import { ProofsPanel } from './proofs-panel';
import { ReviewQueue } from './review-queue';
import { Tiles } from './tiles';

/**
 * The dashboard of the signed-in user. One `dashboard` query holds the
 * figures; it is fetched again whenever the server announces a change
 * (`dashboardChanged`, and the gate's own `gateChanged`) or the live feed
 * comes back after an outage (`reconnects`: nothing is replayed).
 *
 * The day shown: today (live) or a past day (`asOf`, from the address or the
 * picker), as it stood at that day's end. A past day does not change, so live
 * events refetch only today's view; the lists that exist only now (an
 * auditor's review queue, a task-force member's own items) belong to today's
 * view, and a past view shows the review summary of that day instead.
 *
 * Layout by role: the banner first for everyone; then an auditor's review
 * queue, or a task-force member's own items; then the tiles, the charts and
 * the lists (an executive's view); last, for those who may read the audit
 * trail, the proofs panel (the latest signed checkpoint, evidence bundles, the
 * offline verifier: proofs-panel.tsx).
 *
 * Links from notifications: `?item=CM-004` highlights that countermeasure's
 * rows and scrolls to the first; `?view=review` scrolls to the review queue.
 * Read once when the page opens (after sign-in too: the address is kept).
 */
export function DashboardPage({
  user,
  reconnects,
  onIncident,
}: {
  user: SessionUser;
  reconnects: number;
  onIncident: (title: string) => void;
}) {
  const { t } = useI18n();
  const params = useMemo(() => readPageParams(window.location.search), []);

  // The day asked for: null is today (live). A day the server refused ends as today, with a notice.
  const [asOf, setAsOf] = useState<string | null>(() => dayToRequest(params.asOf, null, todayInTokyo(new Date())));
  const [refused, setRefused] = useState<string | null>(
    params.asOfUnusable ?? (params.asOf && params.asOf > todayInTokyo(new Date()) ? params.asOf : null),
  );
  // Today as the server counts it (its latest asOf), unless the browser's clock is already further on.
  const [serverToday, setServerToday] = useState('');
  const clientToday = todayInTokyo(new Date());
  const today = serverToday > clientToday ? serverToday : clientToday;

  const choose = useCallback((day: string | null) => {
    setAsOf(day);
    window.history.replaceState(window.history.state, '', withAsOf(window.location.href, day));
  }, []);
  // The address says what is shown: a day that is today, in the future or not a day is dropped from it.
  useEffect(() => {
    if (new URLSearchParams(window.location.search).has('asOf') && asOf === null) choose(null);
  }, [asOf, choose]);

  const [res, reexecute] = useQuery({ query: DASHBOARD, variables: { asOf, incidentId: params.incident } });
  // While another day loads, the day before stays on the page (marked busy), rather than a blank page.
  const fresh = res.data?.dashboard;
  const previous = useRef<Dashboard | undefined>(undefined);
  if (fresh) previous.current = fresh;
  const d = fresh ?? previous.current;
  const incidentId = d?.incidentId;

  // The server answers SERVICE_UNAVAILABLE while its database is away: the session stays, the page asks again.
  const unavailable = !res.fetching && errorCodeOf(res.error) === 'SERVICE_UNAVAILABLE';
  useEffect(() => {
    if (!unavailable) return;
    const timer = window.setTimeout(() => reexecute({ requestPolicy: 'network-only' }), 3000);
    return () => window.clearTimeout(timer);
  }, [unavailable, reexecute]);
  useEffect(() => {
    if (fresh && fresh.asOf > serverToday) setServerToday(fresh.asOf);
  }, [fresh, serverToday]);
  useEffect(() => {
    // Out of the incident's span (before its first day, or after the server's today): today instead, saying so.
    // (urql keeps the last error while the next request runs: only this day's answer counts.)
    const answered = !res.fetching && (res.operation?.variables as { asOf?: string | null } | undefined)?.asOf === asOf;
    if (asOf !== null && answered && errorCodeOf(res.error) === 'BAD_USER_INPUT') {
      setRefused(asOf);
      choose(null);
    }
  }, [asOf, res.error, res.fetching, res.operation, choose]);
  useEffect(() => {
    if (asOf !== null) setRefused(null); // a day the user picked: the earlier notice no longer applies
  }, [asOf]);

  const live = asOf === null;
  const liveRef = useRef(live);
  liveRef.current = live;
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
    // Only today's view follows the changes; a past day stays as it stood.
    if (version > 0 && liveRef.current) reexecute({ requestPolicy: 'network-only' });
  }, [version, reexecute]);

  useEffect(() => {
    if (d?.incidentTitle) onIncident(d.incidentTitle);
  }, [d?.incidentTitle, onIncident]);

  const roles = new Set(user.roles);
  const hasPrimary = live && (roles.has('AUDITOR') || roles.has('TASK_FORCE'));
  const [primaryReady, setPrimaryReady] = useState(false);
  const onPrimaryReady = useCallback(() => setPrimaryReady(true), []);

  // The link's target, once, when everything it could be in is on the page.
  const [linkFollowed, setLinkFollowed] = useState(!params.item && !params.view);
  const [itemMissing, setItemMissing] = useState(false);
  const ready = Boolean(d) && (!hasPrimary || primaryReady);
  useEffect(() => {
    if (!ready || linkFollowed) return;
    const frame = window.requestAnimationFrame(() => {
      setLinkFollowed(true);
      let target: HTMLElement | null = null;
      if (params.item) {
        target = document.querySelector<HTMLElement>(`tr[data-item-key="${CSS.escape(params.item)}"]`);
        if (!target) setItemMissing(true);
      }
      if (!target && params.view === 'review')
        target = document.querySelector<HTMLElement>('[data-testid="review-queue"], [data-testid="review-summary"]');
      if (target) {
        target.scrollIntoView({ block: 'center' });
        target.focus({ preventScroll: true });
      }
    });
    return () => window.cancelAnimationFrame(frame);
  }, [ready, linkFollowed, params]);

  if (!d) {
    // A refused day is not a failure to load: today follows at once.
    const failed = res.error && !(asOf !== null && errorCodeOf(res.error) === 'BAD_USER_INPUT');
    return (
      <main className="dashboard">
        {refused && (
          <p className="notice" role="status" data-testid="as-of-refused">
            {t('asOf.refused', { date: refused })}
          </p>
        )}
        <p className={failed ? 'error' : 'empty'} role={failed ? 'alert' : undefined}>
          {failed ? (unavailable ? t('error.unavailable') : t('error.load', { message: res.error!.message })) : t('loading')}
        </p>
      </main>
    );
  }

  const past = d.asOf < today;
  const primary: ReactNode = !hasPrimary ? null : roles.has('AUDITOR') ? (
    <ReviewQueue version={version} onReady={onPrimaryReady} />
  ) : (
    <MyItems ownerId={user.id} version={version} onReady={onPrimaryReady} />
  );
  const loading = res.fetching || (fresh === undefined && !res.error);

  return (
    <HighlightedItemContext.Provider value={params.item}>
      <main
        className={`dashboard${past ? ' past-view' : ''}`}
        data-testid="dashboard"
        data-as-of={d.asOf}
        data-live={live ? 'true' : 'false'}
        data-live-events={version}
        data-generated-at={d.generatedAt}
        aria-busy={loading}
      >
        <AsOfBar
          shown={d.asOf}
          requested={asOf}
          startsOn={d.startsOn}
          today={today}
          generatedAt={d.generatedAt}
          onPick={choose}
          refused={refused}
          error={res.error && fresh ? t('error.load', { message: res.error.message }) : null}
        />
        <DutiesBanner incidentId={d.incidentId} version={version} />
        {itemMissing && params.item && <ItemNotice itemKey={params.item} incidentId={d.incidentId} />}
        {d.gate && <GateBanner gate={d.gate} />}
        {primary}
        <Tiles d={d} />
        <div className="charts">
          <StatusByCategoryChart byCategory={d.byCategory} />
          <BurnUpChart burnUp={d.burnUp} />
          <HotlineChart
            incidentId={d.incidentId}
            asOf={d.asOf}
            startsOn={d.startsOn}
            version={version}
            canLog={roles.has('TASK_FORCE') || roles.has('EXECUTIVE')}
          />
        </div>
        <div className="lists">
          <ItemTable
            id="overdue-list"
            title={t('list.overdue')}
            total={d.totals.overdue}
            rows={d.overdue}
            empty={t('list.none')}
            showOverdue
            wide
          />
          <ItemTable
            id="due-soon-list"
            title={t('list.dueSoon')}
            total={d.totals.dueSoon}
            rows={d.dueSoon}
            empty={t('list.none')}
            showDaysLeft
            wide
          />
          {d.blocked.length > 0 && (
            <ItemTable
              id="blocked-list"
              title={t('list.blocked')}
              total={d.totals.blocked}
              rows={d.blocked.map((b) => ({ ...b, note: b.reason }))}
              empty={t('list.none')}
            />
          )}
          <ItemTable id="at-risk-list" title={t('list.atRisk')} total={d.totals.atRisk} rows={d.atRisk} empty={t('list.none')} />
          <OwnerLoad rows={d.ownerLoad} />
          {(!roles.has('AUDITOR') || !live) && (
            <section className="panel" data-testid="review-summary" aria-labelledby="review-summary-title" tabIndex={-1}>
              <h2 id="review-summary-title">
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
          <LatestActivity entries={d.latestActivity} />
          <DutiesSection incidentId={d.incidentId} version={version} />
          <ProofsPanel incidentId={d.incidentId} version={version} />
        </div>
      </main>
    </HighlightedItemContext.Provider>
  );
}
