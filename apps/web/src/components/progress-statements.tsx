import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { formatMoment } from '../proofs-words';
import { PROGRESS_STATEMENTS, PUBLISH_PROGRESS_STATEMENT } from '../duties-queries';
import { apiErrorText } from '../duties-words';
import { announceDutiesChanged, useDutiesWords } from './use-duties-words';

const EMPTY = { titleJa: '', titleEn: '', bodyJa: '', bodyEn: '' };
type Fields = typeof EMPTY;
const FIELDS = [
  ['titleJa', 'progress.titleJa', false],
  ['titleEn', 'progress.titleEn', false],
  ['bodyJa', 'progress.bodyJa', true],
  ['bodyEn', 'progress.bodyEn', true],
] as const;

/**
 * The public progress statements (promise 9): a link to the public page (/progress) and the statements published for
 * the incident (number, date, title); executives publish one here in Japanese and English (never changed afterwards).
 */
export function ProgressStatements({ incidentId, canPublish, version }: { incidentId: string; canPublish: boolean; version: number }) {
  const { lang, dt } = useDutiesWords();
  const [res, reexecute] = useQuery({ query: PROGRESS_STATEMENTS, variables: { incidentId } });
  useEffect(() => {
    if (version > 0) reexecute({ requestPolicy: 'network-only' });
  }, [version, reexecute]);
  const [published, publish] = useMutation(PUBLISH_PROGRESS_STATEMENT);
  const [form, setForm] = useState<Fields>(EMPTY);
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);
  const send = async (e: FormEvent) => {
    e.preventDefault();
    setNotice(null);
    const r = await publish({ input: { incidentId, ...form } });
    if (r.error || !r.data) {
      setNotice({ text: apiErrorText(dt, r.error), error: true });
      return;
    }
    setNotice({ text: dt('progress.published', { n: r.data.publishProgressStatement.number }), error: false });
    setForm(EMPTY);
    reexecute({ requestPolicy: 'network-only' });
    announceDutiesChanged();
  };
  const nodes = res.data?.progressStatements.nodes;
  return (
    <div data-testid="duties-progress">
      <h3>{dt('progress.title')}</h3>
      <p>
        <a href="/progress" target="_blank" rel="noopener">
          {dt('progress.link')}
        </a>
      </p>
      {res.error && !nodes && (
        <p className="error" role="alert">
          {apiErrorText(dt, res.error)}
        </p>
      )}
      {nodes && nodes.length === 0 && <p className="empty">{dt('progress.none')}</p>}
      {nodes && nodes.length > 0 && (
        <div className="table-scroll">
          <table data-testid="progress-list">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{dt('progress.date')}</th>
                <th scope="col">{dt('progress.heading')}</th>
              </tr>
            </thead>
            <tbody>
              {nodes.map((s) => (
                <tr key={s.id} data-number={s.number}>
                  <th scope="row">{dt('progress.number', { n: s.number })}</th>
                  <td>
                    <time dateTime={s.publishedAt}>{formatMoment(lang, s.publishedAt)}</time>
                  </td>
                  <td>{lang === 'ja' ? s.titleJa : s.titleEn}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canPublish && (
        <details data-testid="progress-publish">
          <summary>{dt('progress.publish')}</summary>
          <form className="duties-form" onSubmit={(e) => void send(e)} data-testid="progress-publish-form">
            <p className="note">{dt('progress.warning')}</p>
            {FIELDS.map(([k, label, long]) => (
              <label key={k}>
                <span>{dt(label)}</span>
                {long ? (
                  <textarea name={k} required value={form[k]} onChange={(e) => setForm((f) => ({ ...f, [k]: e.target.value }))} />
                ) : (
                  <input
                    name={k}
                    required
                    maxLength={200}
                    value={form[k]}
                    onChange={(e) => setForm((f) => ({ ...f, [k]: e.target.value }))}
                  />
                )}
              </label>
            ))}
            <div className="buttons">
              <button type="submit" className="action" disabled={published.fetching}>
                {dt('progress.publish')}
              </button>
            </div>
            {notice && (
              <p className={notice.error ? 'error' : 'note'} role={notice.error ? 'alert' : 'status'} data-testid="progress-notice">
                {notice.text}
              </p>
            )}
          </form>
        </details>
      )}
    </div>
  );
}
