import { useCallback, useEffect } from 'react';
import { useQuery } from 'urql';
import { errorCodeOf } from '../graphql-client';
import { formatDay } from '../i18n';
import { formatMoment } from '../proofs-words';
import { BREACH_NOTIFICATION, type BreachDeadlineView, type BreachNotificationView } from '../duties-queries';
import { apiErrorText, dutiesLabel, type DutiesTranslate } from '../duties-words';
import { FilingsList } from './duties-filings';
import { NoticeCampaigns } from './notice-campaigns';
import { ProgressStatements } from './progress-statements';
import { RecordForm } from './record-form';
import { announceDutiesChanged, useDutiesWords } from './use-duties-words';
import './duties.css';

/** Permissions (User.permissions) that shape what the section offers; the server decides anyway. */
const REPORTS_FILE = 'breach-reports:file';
const DUTIES_OVERSEE = 'duties:oversee';
const PROGRESS_PUBLISH = 'progress:publish';

/**
 * The duties to the regulator and the public (issue 15), for those who may read the breach-notification record
 * (executives, auditors, the task-force chief, the legal lead): when the company knew, the cases and whether reporting
 * is mandatory, the deadlines, the PPC filings (drafts edited and submitted here, their documents downloaded), the
 * notice campaigns and the public progress statements. Anyone else is refused by the API (FORBIDDEN): no section.
 * Preparing is offered to executives (breach-reports:file) and to those who read the record without overseeing it
 * (the chief, the legal lead); auditors only read.
 */
export function DutiesSection({ incidentId, version }: { incidentId: string; version: number }) {
  const { lang, dt } = useDutiesWords();
  const [res, reexecute] = useQuery({ query: BREACH_NOTIFICATION, variables: { incidentId } });
  const reload = useCallback(() => {
    reexecute({ requestPolicy: 'network-only' });
    announceDutiesChanged();
  }, [reexecute]);
  useEffect(() => {
    if (version > 0) reexecute({ requestPolicy: 'network-only' });
  }, [version, reexecute]);

  if (errorCodeOf(res.error) === 'FORBIDDEN') return null;
  if (!res.data) {
    if (!res.error) return null; // not known yet whether this user may read it
    return (
      <section className="panel wide duties" id="duties" data-testid="duties" aria-labelledby="duties-title">
        <h2 id="duties-title">{dt('duties.title')}</h2>
        <p className="error" role="alert">
          {apiErrorText(dt, res.error)}
        </p>
      </section>
    );
  }
  const permissions = new Set(res.data.me.permissions);
  const record = res.data.breachNotification;
  const canPrepare = permissions.has(REPORTS_FILE) || !permissions.has(DUTIES_OVERSEE);
  const canPublish = permissions.has(PROGRESS_PUBLISH);
  return (
    <section className="panel wide duties" id="duties" data-testid="duties" aria-labelledby="duties-title" tabIndex={-1}>
      <h2 id="duties-title">{dt('duties.title')}</h2>
      <p className="lead">{dt('duties.lead')}</p>
      {res.error && (
        <p className="error" role="alert">
          {apiErrorText(dt, res.error)}
        </p>
      )}
      {!record ? (
        <>
          <p className="empty" data-testid="duties-none">
            {dt('duties.none')}
          </p>
          {canPrepare && <RecordForm incidentId={incidentId} record={null} onChanged={reload} />}
        </>
      ) : (
        <>
          <RecordSummary record={record} dt={dt} lang={lang} />
          {canPrepare && <RecordForm key={record.version} incidentId={incidentId} record={record} onChanged={reload} />}
          <DeadlinesTable deadlines={record.deadlines} dt={dt} lang={lang} />
          <FilingsList incidentId={incidentId} filings={record.filings} canPrepare={canPrepare} onChanged={reload} />
          <NoticeCampaigns incidentId={incidentId} campaigns={record.noticeCampaigns} canPrepare={canPrepare} onChanged={reload} />
        </>
      )}
      <ProgressStatements incidentId={incidentId} canPublish={canPublish} version={version} />
    </section>
  );
}

function RecordSummary({ record, dt, lang }: { record: BreachNotificationView; dt: DutiesTranslate; lang: 'ja' | 'en' }) {
  const n = (x: number) => x.toLocaleString(lang === 'ja' ? 'ja-JP' : 'en-GB');
  const counts = [
    record.individualsEstimate !== null &&
      dt('duties.estimate', { n: n(record.individualsEstimate), date: formatDay(lang, record.individualsEstimatedOn ?? '') }),
    record.individualsConfirmed !== null &&
      dt('duties.confirmed', { n: n(record.individualsConfirmed), date: formatDay(lang, record.individualsConfirmedOn ?? '') }),
  ].filter(Boolean);
  return (
    <div data-testid="duties-record" data-version={record.version}>
      <dl>
        <dt>{dt('duties.knownAt')}</dt>
        <dd data-testid="duties-known-at">
          <time dateTime={record.knownAt}>{formatMoment(lang, record.knownAt)}</time>
        </dd>
        <dt>{dt('duties.knowledgeDay')}</dt>
        <dd>{formatDay(lang, record.knowledgeDay)}</dd>
        <dt>{dt('duties.authority')}</dt>
        <dd>{record.authorityName}</dd>
        <dt>{dt('duties.reporter')}</dt>
        <dd>{record.reporter}</dd>
        <dt>{dt('duties.counts')}</dt>
        <dd>{counts.length ? counts.join(' / ') : dt('duties.countUnknown')}</dd>
        <dt>{dt('duties.mandatory')}</dt>
        <dd data-testid="duties-mandatory" data-mandatory={record.mandatory ? 'true' : 'false'}>
          <strong>{dt(record.mandatory ? 'duties.mandatory.yes' : 'duties.mandatory.no')}</strong>{' '}
          {lang === 'ja' ? record.mandatoryReasonJa : record.mandatoryReasonEn}
        </dd>
        <dt>{dt('duties.rulePack')}</dt>
        <dd>
          <code>{record.rulePack.id}</code>
        </dd>
      </dl>
      <h3>{dt('duties.cases')}</h3>
      {record.cases.length === 0 ? (
        <p className="empty">{dt('duties.noCases')}</p>
      ) : (
        <ol data-testid="duties-cases">
          {record.cases.map((c) => (
            <li key={c.code} value={c.no} data-code={c.code}>
              <strong>{c.nameJa}</strong>
              {c.derived && <span className="note"> （{dt('duties.derived')}）</span>}
              <div>{c.rationale}</div>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function DeadlinesTable({ deadlines, dt, lang }: { deadlines: readonly BreachDeadlineView[]; dt: DutiesTranslate; lang: 'ja' | 'en' }) {
  const daysCell = (d: BreachDeadlineView) => {
    if (d.state === 'LATE') return dt('deadlines.overdue', { n: d.lateDays });
    if (d.state === 'SUBMITTED_LATE') return dt('deadlines.lateBy', { n: d.lateDays });
    if (d.state === 'OPEN' && d.daysLeft !== null)
      return d.daysLeft === 0 ? dt('deadlines.today') : dt('deadlines.left', { n: d.daysLeft });
    return '—';
  };
  return (
    <div>
      <h3>{dt('deadlines.title')}</h3>
      <div className="table-scroll">
        <table data-testid="duties-deadlines">
          <thead>
            <tr>
              <th scope="col">{dt('deadlines.kind')}</th>
              <th scope="col">{dt('deadlines.due')}</th>
              <th scope="col">{dt('deadlines.binding')}</th>
              <th scope="col">{dt('deadlines.state')}</th>
              <th scope="col">{dt('deadlines.days')}</th>
            </tr>
          </thead>
          <tbody>
            {deadlines.map((d) => (
              <tr key={d.kind} data-kind={d.kind} data-state={d.state} title={lang === 'ja' ? d.guidanceJa : d.guidanceEn}>
                <th scope="row">{dutiesLabel(dt, 'kind', d.kind)}</th>
                <td>{d.dueOn ? <time dateTime={d.dueOn}>{formatDay(lang, d.dueOn)}</time> : '—'}</td>
                <td>{dt(d.binding ? 'deadlines.binding.yes' : 'deadlines.binding.no')}</td>
                <td className={d.state === 'LATE' || d.state === 'SUBMITTED_LATE' ? 'late' : undefined}>
                  {dutiesLabel(dt, 'state', d.state)}
                </td>
                <td className={d.state === 'LATE' ? 'late' : undefined}>{daysCell(d)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
