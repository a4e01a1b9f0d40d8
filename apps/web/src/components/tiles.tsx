import type { ReactNode } from 'react';
import { enumLabel } from '../i18n';
import { useI18n } from '../i18n-context';
import type { Dashboard } from '../queries';
import { percent } from '../words';

function Tile(props: { id: string; label: string; value: ReactNode; detail?: ReactNode; tone?: 'good' | 'warn' | 'bad' }) {
  return (
    <div className={`tile ${props.tone ? `tile-${props.tone}` : ''}`} data-testid={`tile-${props.id}`}>
      <div className="tile-label">{props.label}</div>
      <div className="tile-value" data-testid={`tile-${props.id}-value`}>
        {props.value}
      </div>
      {props.detail && <div className="tile-detail">{props.detail}</div>}
    </div>
  );
}

/** The main figures, one tile each. */
export function Tiles({ d }: { d: Dashboard }) {
  const { t } = useI18n();
  const open = d.findings.bySeverity.reduce((n, s) => n + s.open, 0);
  const highOpen = d.findings.bySeverity.filter((s) => s.severity === 'CRITICAL' || s.severity === 'HIGH').reduce((n, s) => n + s.open, 0);
  return (
    <section className="tiles" aria-label={t('app.subtitle')}>
      <Tile id="total" label={t('tile.total')} value={d.totals.total} />
      <Tile
        id="verified"
        label={t('tile.verified')}
        value={d.totals.verified}
        detail={`${t('tile.ofTotal', { total: d.totals.total })} · ${percent(d.totals.verifiedShare)}`}
        tone={d.totals.total > 0 && d.totals.verified === d.totals.total ? 'good' : undefined}
      />
      <Tile
        id="required-verified"
        label={t('tile.requiredVerified')}
        value={`${d.totals.requiredVerified} / ${d.totals.requiredTotal}`}
        detail={percent(d.totals.requiredVerifiedShare)}
        tone={d.totals.requiredVerified === d.totals.requiredTotal ? 'good' : 'warn'}
      />
      <Tile
        id="overdue"
        label={t('tile.overdue')}
        value={d.totals.overdue}
        detail={d.totals.dueSoon > 0 ? t('tile.dueSoon', { n: d.totals.dueSoon }) : undefined}
        tone={d.totals.overdue > 0 ? 'bad' : 'good'}
      />
      <Tile
        id="review-waiting"
        label={t('tile.reviewWaiting')}
        value={d.reviewQueue.waiting}
        detail={
          d.reviewQueue.oldestWaitDays !== null && d.reviewQueue.waiting > 0
            ? t('tile.oldestWait', { days: d.reviewQueue.oldestWaitDays })
            : undefined
        }
        tone={d.reviewQueue.waiting > 0 ? 'warn' : undefined}
      />
      <Tile
        id="open-findings"
        label={t('tile.openFindings')}
        value={open}
        detail={t('tile.highOpen', { n: highOpen })}
        tone={highOpen > 0 ? 'bad' : open > 0 ? 'warn' : 'good'}
      />
      <Tile
        id="audit"
        label={t('tile.audit')}
        value={d.findings.cleared ? t('audit.cleared') : t('audit.notCleared')}
        detail={d.findings.auditStatus ? enumLabel(t, 'audit.status', d.findings.auditStatus) : undefined}
        tone={d.findings.cleared ? 'good' : 'warn'}
      />
    </section>
  );
}
