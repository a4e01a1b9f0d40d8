import { createContext, useContext } from 'react';
import { enumLabel, formatDay } from '../i18n';
import { useI18n } from '../i18n-context';
import { daysLeftText, daysText } from '../words';

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

/**
 * The countermeasure the page was opened for (`/?item=CM-004`, a link from a
 * notification): its rows are highlighted in every list that holds it.
 */
export const HighlightedItemContext = createContext<string | null>(null);

/** A list of countermeasures as a table: key, title, status, owner, due date, days overdue or left. */
export function ItemTable(props: {
  id: string;
  title: string;
  rows: readonly ItemRow[];
  empty: string;
  total?: number;
  showOwner?: boolean;
  showOverdue?: boolean;
  showDaysLeft?: boolean;
  /** The whole width of the lists' grid (a list with many columns and long titles). */
  wide?: boolean;
}) {
  const { lang, t } = useI18n();
  const highlighted = useContext(HighlightedItemContext);
  return (
    <section className={props.wide ? 'panel wide' : 'panel'} data-testid={props.id} aria-labelledby={`${props.id}-title`}>
      <h2 id={`${props.id}-title`}>
        {props.title}
        {props.total !== undefined && (
          <span className="count" data-testid={`${props.id}-count`}>
            {props.total}
          </span>
        )}
      </h2>
      {props.rows.length === 0 ? (
        <p className="empty">{props.empty}</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('col.key')}</th>
                <th scope="col">{t('col.title')}</th>
                <th scope="col">{t('col.status')}</th>
                {props.showOwner !== false && <th scope="col">{t('col.owner')}</th>}
                <th scope="col">{t('col.due')}</th>
                {props.showOverdue && <th scope="col">{t('col.daysOverdue')}</th>}
                {props.showDaysLeft && <th scope="col">{t('col.daysLeft')}</th>}
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => {
                const isHighlighted = highlighted !== null && r.key === highlighted;
                return (
                  <tr
                    key={r.id}
                    data-item-key={r.key}
                    className={isHighlighted ? 'highlighted' : undefined}
                    aria-current={isHighlighted ? 'true' : undefined}
                    tabIndex={isHighlighted ? -1 : undefined}
                  >
                    <th scope="row" className="item-key">
                      {r.key}
                    </th>
                    <td className="title-cell">
                      {r.title}
                      {r.note && <div className="note">{r.note}</div>}
                    </td>
                    <td>
                      <span className={`status status-${r.status.toLowerCase()}`}>{enumLabel(t, 'status', r.status)}</span>
                    </td>
                    {props.showOwner !== false && <td className="nowrap">{r.ownerName}</td>}
                    <td className="nowrap">{formatDay(lang, r.dueDate)}</td>
                    {props.showOverdue && <td className="num">{r.daysOverdue !== undefined ? daysText(t, r.daysOverdue) : ''}</td>}
                    {props.showDaysLeft && <td className="num">{r.daysOverdue !== undefined ? daysLeftText(t, r.daysOverdue) : ''}</td>}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
