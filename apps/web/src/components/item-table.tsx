import { enumLabel, formatDay } from '../i18n';
import { useI18n } from '../i18n-context';

export interface ItemRow {
  id: string;
  key: string;
  title: string;
  status: string;
  dueDate: string;
  ownerName?: string;
  daysOverdue?: number;
  note?: string | null;
}

/** A list of countermeasures as a table: key, title, status, owner, due date, days overdue. */
export function ItemTable(props: { id: string; title: string; rows: readonly ItemRow[]; empty: string; total?: number; showOwner?: boolean; showOverdue?: boolean }) {
  const { lang, t } = useI18n();
  return (
    <section className="panel" data-testid={props.id} aria-labelledby={`${props.id}-title`}>
      <h2 id={`${props.id}-title`}>
        {props.title}
        {props.total !== undefined && <span className="count" data-testid={`${props.id}-count`}>{props.total}</span>}
      </h2>
      {props.rows.length === 0 ? (
        <p className="empty">{props.empty}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('col.key')}</th>
              <th scope="col">{t('col.title')}</th>
              <th scope="col">{t('col.status')}</th>
              {props.showOwner !== false && <th scope="col">{t('col.owner')}</th>}
              <th scope="col">{t('col.due')}</th>
              {props.showOverdue && <th scope="col">{t('col.daysOverdue')}</th>}
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr key={r.id}>
                <td className="item-key">{r.key}</td>
                <td>
                  {r.title}
                  {r.note && <div className="note">{r.note}</div>}
                </td>
                <td>
                  <span className={`status status-${r.status.toLowerCase()}`}>{enumLabel(t, 'status', r.status)}</span>
                </td>
                {props.showOwner !== false && <td className="nowrap">{r.ownerName}</td>}
                <td className="nowrap">{formatDay(lang, r.dueDate)}</td>
                {props.showOverdue && <td className="num">{r.daysOverdue !== undefined ? t('days', { n: r.daysOverdue }) : ''}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
