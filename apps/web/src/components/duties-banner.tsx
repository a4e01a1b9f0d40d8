import { useEffect } from 'react';
import { useQuery } from 'urql';
import { formatDay } from '../i18n';
import { BREACH_DEADLINES } from '../duties-queries';
import { bannerDeadline, bannerText } from '../duties-words';
import { useDutiesChanges, useDutiesWords } from './use-duties-words';
import './duties.css';

/**
 * The nearest report not yet submitted (issue 15), at the top of the dashboard for every role: days left, due today,
 * or (red) days late; the preliminary report worded as the PPC's guidance, the final report as the statutory limit.
 * Nothing when every report is submitted or none is required. Links to the duties section (#duties).
 */
export function DutiesBanner({ incidentId, version }: { incidentId: string; version: number }) {
  const { lang, dt } = useDutiesWords();
  const changes = useDutiesChanges();
  const [res, reexecute] = useQuery({ query: BREACH_DEADLINES, variables: { incidentId } });
  useEffect(() => {
    if (version + changes > 0) reexecute({ requestPolicy: 'network-only' });
  }, [version, changes, reexecute]);
  const deadlines = res.data?.breachDeadlines ?? [];
  const main = bannerDeadline(deadlines);
  if (!main) return null;
  const others = deadlines.filter((d) => d !== main && (d.state === 'OPEN' || d.state === 'LATE') && d.dueOn);
  const late = main.state === 'LATE';
  return (
    <section
      className={`duties-banner${late ? ' late' : ''}`}
      data-testid="duties-banner"
      data-state={main.state}
      data-kind={main.kind}
      role={late ? 'alert' : 'status'}
      title={lang === 'ja' ? main.guidanceJa : main.guidanceEn}
    >
      <p className="banner-main" data-testid="duties-banner-text">
        {bannerText(dt, main, formatDay(lang, main.dueOn!))}
      </p>
      {others.map((d) => (
        <p className="banner-more" key={d.kind} data-kind={d.kind}>
          {bannerText(dt, d, formatDay(lang, d.dueOn!))}
        </p>
      ))}
      <a href="#duties">{dt('banner.link')}</a>
    </section>
  );
}
