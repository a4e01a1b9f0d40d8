import { useMemo, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { useI18n } from '../i18n-context';
import { todayInTokyo } from '../page-params';
import { RECORD_HOTLINE_CONTACTS, type HotlineDayView } from '../hotline-queries';
import { HOTLINE_KIND_ORDER, hotlineKindLabel, hotlineTranslator } from '../hotline-words';

/**
 * Customer support logs a day's hotline contacts by kind (promises 5, 8, 10). Shown to the roles that hold hotline:log
 * (the page knows them from sign-in, so the form is there from the first render and never moves the page after it
 * scrolled to a notification's item); the server decides per incident (executives, members of its task force). A day already recorded is corrected with the
 * version read (the server refuses a stale one: CONFLICT, shown here).
 */
export function HotlineLogForm({
  incidentId,
  days,
  onSaved,
}: {
  incidentId: string;
  days: readonly HotlineDayView[];
  onSaved: () => void;
}) {
  const { lang } = useI18n();
  const ht = useMemo(() => hotlineTranslator(lang), [lang]);
  const [day, setDay] = useState(() => todayInTokyo(new Date()));
  const recorded = days.find((d) => d.day === day) ?? null;
  const [counts, setCounts] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [saving, record] = useMutation(RECORD_HOTLINE_CONTACTS);

  const valueOf = (kind: string) => counts[kind] ?? String(recorded?.counts.find((c) => c.kind === kind)?.count ?? 0);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setMessage(null);
    const r = await record({
      input: {
        incidentId,
        day,
        counts: HOTLINE_KIND_ORDER.map((kind) => ({ kind, count: Number(valueOf(kind)) })),
        expectedVersion: recorded?.version ?? null,
      },
    });
    const first = r.error?.graphQLErrors[0];
    if (r.error || !r.data) {
      const code = first?.extensions?.code;
      setMessage({
        ok: false,
        text: ht('hotline.log.error', {
          code: typeof code === 'string' ? code : 'ERROR',
          message: first?.message ?? r.error?.message ?? '',
        }),
      });
      return;
    }
    setCounts({});
    setMessage({ ok: true, text: ht('hotline.log.saved', { day, version: r.data.recordHotlineContacts.version }) });
    onSaved();
  };
  return (
    <form className="duties-form" onSubmit={(e) => void save(e)} data-testid="hotline-log-form">
      <h3>{ht('hotline.log')}</h3>
      <div className="row">
        <label>
          <span>{ht('hotline.log.day')}</span>
          <input
            type="date"
            name="day"
            required
            value={day}
            onChange={(e) => {
              setDay(e.target.value);
              setCounts({});
            }}
          />
        </label>
        {HOTLINE_KIND_ORDER.map((kind) => (
          <label key={kind}>
            <span>{hotlineKindLabel(ht, kind)}</span>
            <input
              type="number"
              min={0}
              required
              name={kind}
              value={valueOf(kind)}
              onChange={(e) => setCounts((c) => ({ ...c, [kind]: e.target.value }))}
            />
          </label>
        ))}
      </div>
      <div className="buttons">
        <button type="submit" className="action" disabled={saving.fetching}>
          {ht('hotline.log.save')}
        </button>
      </div>
      {message && (
        <p className={message.ok ? 'notice' : 'error'} role={message.ok ? 'status' : 'alert'} data-testid="hotline-log-message">
          {message.text}
        </p>
      )}
    </form>
  );
}
