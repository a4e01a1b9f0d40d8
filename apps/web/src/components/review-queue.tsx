import { useEffect } from 'react';
import { useQuery } from 'urql';
import { useI18n } from '../i18n-context';
import { REVIEW_QUEUE } from '../queries';
import { daysText } from '../words';

/** Auditors: the evidence waiting for their review, oldest first. Refetched when anything changes (`version`). */
export function ReviewQueue({ version, onReady }: { version: number; onReady?: () => void }) {
  const { t } = useI18n();
  const [res, reexecute] = useQuery({ query: REVIEW_QUEUE });
  useEffect(() => {
    if (version > 0) reexecute({ requestPolicy: 'network-only' });
  }, [version, reexecute]);
  const queue = res.data?.evidenceReviewQueue;
  const settled = Boolean(queue || res.error);
  useEffect(() => {
    if (settled) onReady?.();
  }, [settled, onReady]);
  return (
    <section className="panel primary" data-testid="review-queue" aria-labelledby="review-queue-title" tabIndex={-1}>
      <h2 id="review-queue-title">
        {t('review.title')}
        {queue && (
          <span className="count" data-testid="review-queue-count">
            {queue.totalCount}
          </span>
        )}
      </h2>
      {res.error && !queue && <p className="error">{t('error.load', { message: res.error.message })}</p>}
      {!queue && !res.error && <p className="empty">{t('loading')}</p>}
      {queue && queue.nodes.length === 0 && <p className="empty">{t('review.none')}</p>}
      {queue && queue.nodes.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('col.key')}</th>
              <th scope="col">{t('col.evidence')}</th>
              <th scope="col">{t('col.waiting')}</th>
            </tr>
          </thead>
          <tbody>
            {queue.nodes.map((n) => (
              <tr key={n.evidence.id}>
                <td className="item-key">{n.evidence.countermeasure?.key}</td>
                <td>
                  {n.evidence.name}
                  <div className="note">{n.evidence.countermeasure?.title}</div>
                </td>
                <td className="num">{daysText(t, n.waitingDays)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
