import { formatDateTime } from '../i18n';
import { useI18n } from '../i18n-context';
import type { ActivityEntry } from '../queries';

/**
 * The latest audit-trail entries about the incident, newest first: when, who,
 * what (the server's summary, as recorded; the action's code is its tooltip).
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
                <td className="nowrap">{e.actorLabel}</td>
                <td title={e.action}>{e.summary}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
