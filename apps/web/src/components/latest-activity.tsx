import { activityActor, activityText } from '../activity-words';
import { formatDateTime } from '../i18n';
import { useI18n } from '../i18n-context';
import type { ActivityEntry } from '../queries';

/**
 * The latest audit-trail entries about the incident, newest first: when, who
 * (the person's display name) and what happened, as a sentence in the page's
 * language (activity-words.ts). The action's code stays available as the row's
 * data-action and the sentence's tooltip is the server's summary.
 */
export function LatestActivity({ entries }: { entries: readonly ActivityEntry[] }) {
  const { lang, t } = useI18n();
  return (
    <section className="panel wide" data-testid="latest-activity" aria-labelledby="latest-activity-title">
      <h2 id="latest-activity-title">{t('activity.title')}</h2>
      {entries.length === 0 ? (
        <p className="empty">{t('activity.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('activity.at')}</th>
              <th scope="col">{t('activity.who')}</th>
              <th scope="col">{t('activity.what')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e, i) => (
              <tr key={`${e.at}-${e.entityId}-${i}`} data-action={e.action}>
                <td className="nowrap">
                  <time dateTime={e.at}>{formatDateTime(lang, new Date(e.at))}</time>
                </td>
                <td className="nowrap">{activityActor(lang, e)}</td>
                <td title={e.summary}>{activityText(lang, t, e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
