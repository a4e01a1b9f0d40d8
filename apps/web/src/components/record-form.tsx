import { useMemo, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { tokyoParts } from '../i18n';
import { CORRECT_BREACH_NOTIFICATION, OPEN_BREACH_NOTIFICATION, type BreachNotificationView } from '../duties-queries';
import { apiErrorText } from '../duties-words';
import { fromTokyoLocal, recordTranslator, tokyoLocal, type RecordKey } from '../record-words';
import { useDutiesWords } from './use-duties-words';

const CASES = ['SENSITIVE_DATA', 'FINANCIAL_DAMAGE', 'UNLAWFUL_PURPOSE', 'OVER_THRESHOLD'] as const;
type CaseCode = (typeof CASES)[number];

interface Form {
  knownAt: string;
  cases: Record<CaseCode, { on: boolean; rationale: string }>;
  estimate: string;
  estimatedOn: string;
  confirmed: string;
  confirmedOn: string;
  authorityCode: 'PPC' | 'DELEGATED_MINISTER';
  authorityName: string;
  reporter: string;
}

function formOf(record: BreachNotificationView | null): Form {
  const asserted = new Map((record?.cases ?? []).filter((c) => !c.derived).map((c) => [c.code, c.rationale]));
  return {
    knownAt: record ? tokyoLocal(tokyoParts(new Date(record.knownAt))) : '',
    cases: Object.fromEntries(CASES.map((c) => [c, { on: asserted.has(c), rationale: asserted.get(c) ?? '' }])) as Form['cases'],
    estimate: record?.individualsEstimate?.toString() ?? '',
    estimatedOn: record?.individualsEstimatedOn ?? '',
    confirmed: record?.individualsConfirmed?.toString() ?? '',
    confirmedOn: record?.individualsConfirmedOn ?? '',
    authorityCode: record?.authorityCode === 'PPC' ? 'PPC' : record ? 'DELEGATED_MINISTER' : 'PPC',
    authorityName: record?.authorityName ?? '',
    reporter: record?.reporter ?? '',
  };
}

/**
 * Opens the incident's breach-notification record, or corrects it with the version read (every field sent, as the API
 * takes it): when the company knew (Japan time), the cases asserted with their rationale, the counts with their days,
 * the authority and the reporting business. The server checks it all again and says what it refuses.
 */
export function RecordForm({
  incidentId,
  record,
  onChanged,
}: {
  incidentId: string;
  record: BreachNotificationView | null;
  onChanged: () => void;
}) {
  const { lang, dt } = useDutiesWords();
  const rt = useMemo(() => recordTranslator(lang), [lang]);
  const [editing, setEditing] = useState(false);
  const [form, setForm] = useState<Form>(() => formOf(record));
  const [error, setError] = useState<string | null>(null);
  const [opened, open] = useMutation(OPEN_BREACH_NOTIFICATION);
  const [corrected, correct] = useMutation(CORRECT_BREACH_NOTIFICATION);
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));
  const setCase = (c: CaseCode, v: { on: boolean; rationale: string }) => setForm((f) => ({ ...f, cases: { ...f.cases, [c]: v } }));
  const num = (v: string) => (v.trim() === '' ? null : Number(v));
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const fields = {
      knownAt: fromTokyoLocal(form.knownAt),
      cases: CASES.filter((c) => form.cases[c].on).map((c) => ({ code: c, rationale: form.cases[c].rationale })),
      individualsEstimate: num(form.estimate),
      individualsEstimatedOn: form.estimatedOn || null,
      individualsConfirmed: num(form.confirmed),
      individualsConfirmedOn: form.confirmedOn || null,
      authorityCode: form.authorityCode,
      authorityName: form.authorityName.trim() || null,
      reporter: form.reporter,
    };
    const r = record
      ? await correct({ input: { notificationId: record.id, expectedVersion: record.version, ...fields } })
      : await open({ input: { incidentId, ...fields } });
    if (r.error) {
      setError(apiErrorText(dt, r.error));
      return;
    }
    setEditing(false);
    onChanged();
  };
  if (!editing) {
    return (
      <button
        type="button"
        className={record ? 'secondary' : 'action'}
        data-testid={record ? 'record-correct' : 'record-open'}
        onClick={() => {
          setForm(formOf(record));
          setError(null);
          setEditing(true);
        }}
      >
        {rt(record ? 'record.correct' : 'record.open')}
      </button>
    );
  }
  return (
    <form className="duties-form" onSubmit={(e) => void save(e)} data-testid="record-form">
      <div className="row">
        <label>
          <span>{rt('record.knownAt')}</span>
          <input type="datetime-local" name="knownAt" required value={form.knownAt} onChange={(e) => set('knownAt', e.target.value)} />
        </label>
        <label>
          <span>{rt('record.reporter')}</span>
          <input name="reporter" required value={form.reporter} onChange={(e) => set('reporter', e.target.value)} />
        </label>
        <label>
          <span>{rt('record.authority')}</span>
          <select
            name="authorityCode"
            value={form.authorityCode}
            onChange={(e) => set('authorityCode', e.target.value as Form['authorityCode'])}
          >
            <option value="PPC">{rt('record.authority.PPC')}</option>
            <option value="DELEGATED_MINISTER">{rt('record.authority.DELEGATED_MINISTER')}</option>
          </select>
        </label>
        <label>
          <span>{rt('record.authorityName')}</span>
          <input name="authorityName" value={form.authorityName} onChange={(e) => set('authorityName', e.target.value)} />
        </label>
      </div>
      <fieldset>
        <legend>{rt('record.cases')}</legend>
        {CASES.map((c) => (
          <div className="row" key={c} data-case={c}>
            <label className="check">
              <input type="checkbox" checked={form.cases[c].on} onChange={(e) => setCase(c, { ...form.cases[c], on: e.target.checked })} />
              <span>{rt(`record.case.${c}` as RecordKey)}</span>
            </label>
            {form.cases[c].on && (
              <label>
                <span>{rt('record.rationale')}</span>
                <textarea
                  required
                  value={form.cases[c].rationale}
                  onChange={(e) => setCase(c, { ...form.cases[c], rationale: e.target.value })}
                />
              </label>
            )}
          </div>
        ))}
      </fieldset>
      <div className="row">
        {(
          [
            ['estimate', 'record.estimate', 'number'],
            ['estimatedOn', 'record.estimatedOn', 'date'],
            ['confirmed', 'record.confirmed', 'number'],
            ['confirmedOn', 'record.confirmedOn', 'date'],
          ] as const
        ).map(([k, label, type]) => (
          <label key={k}>
            <span>{rt(label)}</span>
            <input type={type} name={k} min={type === 'number' ? 0 : undefined} value={form[k]} onChange={(e) => set(k, e.target.value)} />
          </label>
        ))}
      </div>
      <div className="buttons">
        <button type="submit" className="action" disabled={opened.fetching || corrected.fetching}>
          {rt('record.save')}
        </button>
        <button type="button" className="secondary" onClick={() => setEditing(false)}>
          {rt('record.cancel')}
        </button>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="record-error">
          {error}
        </p>
      )}
    </form>
  );
}
