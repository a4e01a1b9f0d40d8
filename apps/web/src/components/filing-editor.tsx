import { useEffect, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { tokyoParts } from '../i18n';
import { EDIT_FILING_DRAFT, REDRAFT_FILING, SUBMIT_FILING, type BreachFilingView } from '../duties-queries';
import { apiErrorText, dutiesLabel, FILING_CHANNELS, NINE_ITEMS, type NineItem } from '../duties-words';
import { useDutiesWords } from './use-duties-words';

type Items = Record<NineItem, string>;
type Channel = (typeof FILING_CHANNELS)[number];

const itemsOf = (f: BreachFilingView): Items => ({ ...f.items });

/** Now on the Tokyo wall clock, as a datetime-local value (YYYY-MM-DDTHH:mm). */
function tokyoNow(): string {
  const p = tokyoParts(new Date());
  const two = (v: string) => v.padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`;
}

/**
 * A draft filing's nine items (施行規則8条1項), each in its own textarea labelled with the form's item, saved with
 * the version read (a stale one is refused: CONFLICT, shown with the server's words); "redraft" writes all nine
 * again from what the tracker holds now. Once saved, the submission is recorded: when, how, the authority's reference
 * number, and a confirmation (a submitted filing never changes).
 */
export function FilingEditor({ filing, title, onChanged }: { filing: BreachFilingView; title: string; onChanged: () => void }) {
  const { dt } = useDutiesWords();
  const [items, setItems] = useState<Items>(() => itemsOf(filing));
  const [base, setBase] = useState(filing.version);
  useEffect(() => {
    // A newer version (saved here, redrafted, or by someone else): the form follows it.
    if (filing.version !== base) {
      setItems(itemsOf(filing));
      setBase(filing.version);
    }
  }, [filing, base]);
  const dirty = NINE_ITEMS.some((k) => items[k] !== filing.items[k]);

  const [edited, edit] = useMutation(EDIT_FILING_DRAFT);
  const [redrafted, redraft] = useMutation(REDRAFT_FILING);
  const [submitted, submit] = useMutation(SUBMIT_FILING);
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);
  const busy = edited.fetching || redrafted.fetching || submitted.fetching;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setNotice(null);
    const changes = Object.fromEntries(NINE_ITEMS.filter((k) => items[k] !== filing.items[k]).map((k) => [k, items[k]]));
    const r = await edit({ input: { filingId: filing.id, expectedVersion: filing.version, items: changes } });
    setNotice(r.error ? { text: apiErrorText(dt, r.error), error: true } : { text: dt('editor.saved'), error: false });
    if (!r.error) onChanged();
  };
  const rewrite = async () => {
    setNotice(null);
    const r = await redraft({ input: { filingId: filing.id, expectedVersion: filing.version, items: [] } });
    setNotice(r.error ? { text: apiErrorText(dt, r.error), error: true } : { text: dt('editor.redrafted'), error: false });
    if (!r.error) onChanged();
  };

  const [at, setAt] = useState(tokyoNow);
  const [channel, setChannel] = useState<Channel>('PPC_WEB_FORM');
  const [reference, setReference] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const record = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitError(null);
    const r = await submit({
      input: {
        filingId: filing.id,
        expectedVersion: filing.version,
        channel,
        referenceNumber: reference.trim(),
        submittedAt: at ? `${at}:00+09:00` : null,
      },
    });
    if (r.error) setSubmitError(apiErrorText(dt, r.error));
    else onChanged();
  };

  return (
    <section className="duties-draft" data-testid="filing-editor" data-filing-id={filing.id} data-version={filing.version}>
      <form className="duties-form" onSubmit={(e) => void save(e)}>
        <h3>{dt('editor.title', { kind: title })}</h3>
        {NINE_ITEMS.map((k) => (
          <label key={k}>
            <span>{dt(`editor.item.${k}`)}</span>
            <textarea
              name={k}
              data-item={k}
              value={items[k]}
              rows={Math.min(10, Math.max(3, items[k].split('\n').length + 1))}
              onChange={(e) => setItems((prev) => ({ ...prev, [k]: e.target.value }))}
            />
          </label>
        ))}
        <div className="buttons">
          <button type="submit" className="action" disabled={busy || !dirty} data-testid="filing-save">
            {dt('editor.save')}
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={() => void rewrite()} data-testid="filing-redraft">
            {dt('editor.redraft')}
          </button>
          {dirty && <span className="note">{dt('editor.unsaved')}</span>}
        </div>
        {notice && (
          <p className={notice.error ? 'error' : 'note'} role={notice.error ? 'alert' : 'status'} data-testid="filing-editor-notice">
            {notice.text}
          </p>
        )}
      </form>
      <form className="duties-form" onSubmit={(e) => void record(e)} data-testid="filing-submit-form">
        <h3>{dt('submit.title')}</h3>
        <div className="row">
          <label>
            <span>{dt('submit.at')}</span>
            <input type="datetime-local" name="submittedAt" value={at} onChange={(e) => setAt(e.target.value)} />
          </label>
          <label>
            <span>{dt('submit.channel')}</span>
            <select name="channel" value={channel} onChange={(e) => setChannel(e.target.value as Channel)}>
              {FILING_CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {dutiesLabel(dt, 'channel', c)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{dt('submit.reference')}</span>
            <input name="referenceNumber" value={reference} required onChange={(e) => setReference(e.target.value)} />
          </label>
        </div>
        <label className="inline">
          <input type="checkbox" name="confirm" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} />
          <span>{dt('submit.confirm')}</span>
        </label>
        <div className="buttons">
          <button
            type="submit"
            className="action"
            disabled={busy || dirty || !confirmed || reference.trim() === ''}
            data-testid="filing-submit"
          >
            {dt('submit.button')}
          </button>
        </div>
        {submitError && (
          <p className="error" role="alert" data-testid="filing-submit-error">
            {submitError}
          </p>
        )}
      </form>
    </section>
  );
}
