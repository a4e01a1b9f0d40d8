import { useEffect } from 'react';
import { useQuery } from 'urql';
import { useI18n } from '../i18n-context';
import { MY_ITEMS } from '../queries';
import { ItemTable } from './item-table';

/**
 * Task-force members: the countermeasures they own, by due date.
 * `onReady`: the list is on the page (or could not be loaded): the page may scroll to a linked item in it.
 */
export function MyItems({ ownerId, version, onReady }: { ownerId: string; version: number; onReady?: () => void }) {
  const { t } = useI18n();
  const [res, reexecute] = useQuery({ query: MY_ITEMS, variables: { ownerId } });
  useEffect(() => {
    if (version > 0) reexecute({ requestPolicy: 'network-only' });
  }, [version, reexecute]);
  const items = res.data?.countermeasures;
  const settled = Boolean(items || res.error);
  useEffect(() => {
    if (settled) onReady?.();
  }, [settled, onReady]);
  if (!items) {
    return (
      <section className="panel primary" data-testid="my-items">
        <h2>{t('my.title')}</h2>
        <p className="empty">{res.error ? t('error.load', { message: res.error.message }) : t('loading')}</p>
      </section>
    );
  }
  return (
    <div className="primary">
      <ItemTable
        id="my-items"
        title={t('my.title')}
        total={items.totalCount}
        rows={items.nodes.map((n) => ({ ...n, note: n.overdue ? t('tile.overdue') : null }))}
        empty={t('my.none')}
        showOwner={false}
      />
    </div>
  );
}
