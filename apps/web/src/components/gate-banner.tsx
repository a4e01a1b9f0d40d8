import { enumLabel } from '../i18n';
import { useI18n } from '../i18n-context';
import type { Dashboard } from '../queries';
import { blockerText } from '../words';

/** The promotion gate: its state, and when it is not open, why, in plain words. */
export function GateBanner({ gate }: { gate: NonNullable<Dashboard['gate']> }) {
  const { t } = useI18n();
  const explain =
    gate.state === 'SUSPENDED' ? 'gate.explain.SUSPENDED' : gate.state === 'ELIGIBLE' ? 'gate.explain.ELIGIBLE' : 'gate.explain.OPEN';
  return (
    <section
      className={`gate-banner gate-${gate.state.toLowerCase()}`}
      data-testid="gate-banner"
      data-state={gate.state}
      aria-live="polite"
    >
      <div className="gate-head">
        <div>
          <h2>{t('gate.title')}</h2>
          <p className="gate-subtitle">{t('gate.subtitle')}</p>
        </div>
        <span className="gate-state" data-testid="gate-state">
          {enumLabel(t, 'gate.state', gate.state)}
        </span>
      </div>
      <p className="gate-explain">{t(explain)}</p>
      {gate.blockers.length > 0 && (
        <>
          <h3>{t('gate.blockers')}</h3>
          <ul className="blockers" data-testid="gate-blockers">
            {gate.blockers.map((b, i) => (
              <li key={`${b.kind}-${b.itemKey ?? i}`} title={b.message} data-kind={b.kind}>
                {b.itemKey && <span className="item-key">{b.itemKey}</span>}
                <span>{blockerText(t, b)}</span>
                {b.ownerName && <span className="owner">{t('blocker.owner', { owner: b.ownerName })}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
