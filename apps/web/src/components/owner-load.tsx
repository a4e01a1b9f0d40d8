import { useI18n } from '../i18n-context';
import type { OwnerLoad as OwnerLoadRow } from '../queries';

/**
 * Open countermeasures per owner, most overdue first (the server's order): the
 * numbers in a table, with a bar per owner for the eye (open, its overdue part
 * in red); the bar repeats the numbers, so screen readers skip it.
 */
export function OwnerLoad({ rows }: { rows: readonly OwnerLoadRow[] }) {
  const { t } = useI18n();
  const most = Math.max(1, ...rows.map((r) => r.open));
  return (
    <section className="panel" data-testid="owner-load" aria-labelledby="owner-load-title">
      <h2 id="owner-load-title">{t('ownerLoad.title')}</h2>
      {rows.length === 0 ? (
        <p className="empty">{t('ownerLoad.none')}</p>
      ) : (
        <table className="owner-load">
          <thead>
            <tr>
              <th scope="col">{t('col.owner')}</th>
              <th scope="col" className="num">
                {t('ownerLoad.open')}
              </th>
              <th scope="col" className="num">
                {t('ownerLoad.overdue')}
              </th>
              <td aria-hidden="true" />
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.ownerId} data-owner-id={r.ownerId}>
                <th scope="row" className="nowrap">
                  {r.ownerName}
                </th>
                <td className="num" data-testid="owner-load-open">
                  {r.open}
                </td>
                <td className={`num ${r.overdue > 0 ? 'bad' : ''}`} data-testid="owner-load-overdue">
                  {r.overdue}
                </td>
                <td className="bar-cell" aria-hidden="true">
                  <div className="load-bar" style={{ width: `${(r.open / most) * 100}%` }}>
                    {r.overdue > 0 && (
                      <div
                        className="load-bar-overdue"
                        style={{ width: `${(Math.min(r.overdue, r.open) / Math.max(r.open, 1)) * 100}%` }}
                      />
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
