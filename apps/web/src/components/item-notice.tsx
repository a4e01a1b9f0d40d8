import { useQuery } from 'urql';
import { errorCodeOf } from '../graphql-client';
import { enumLabel } from '../i18n';
import { useI18n } from '../i18n-context';
import { COUNTERMEASURE_BY_KEY } from '../queries';

/**
 * A link to a countermeasure (`/?item=CM-001`) that none of the page's lists
 * holds (verified, say): the page says where it stands rather than nothing.
 */
export function ItemNotice({ itemKey, incidentId }: { itemKey: string; incidentId: string }) {
  const { t } = useI18n();
  const [res] = useQuery({ query: COUNTERMEASURE_BY_KEY, variables: { key: itemKey, incidentId } });
  const cm = res.data?.countermeasure;
  let text: string | null = null;
  if (cm) text = t('item.notListed', { key: cm.key, title: cm.title, status: enumLabel(t, 'status', cm.status) });
  else if (errorCodeOf(res.error) === 'NOT_FOUND') text = t('item.notFound', { key: itemKey });
  else if (res.error) text = t('error.load', { message: res.error.message });
  if (!text) return null;
  return (
    <p className="notice item-notice" role="status" data-testid="item-notice" data-item-key={itemKey}>
      {text}
    </p>
  );
}
