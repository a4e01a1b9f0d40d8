import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { formatDay } from '../i18n';
import { CREATE_NOTICE_CAMPAIGN, UPDATE_NOTICE_CAMPAIGN, type NoticeCampaignView } from '../duties-queries';
import { apiErrorText, dutiesLabel, type DutiesKey } from '../duties-words';
import { useDutiesWords } from './use-duties-words';

type Channel = 'POST' | 'EMAIL';
interface Draft {
  channel: Channel;
  plannedCount: string;
  sentCount: string;
  returnedCount: string;
  unreachableCount: string;
  startedOn: string;
  completedOn: string;
  substitutePublishedOn: string;
  substituteInquiryDesk: string;
  note: string;
}
const EMPTY: Draft = {
  channel: 'POST',
  plannedCount: '0',
  sentCount: '0',
  returnedCount: '0',
  unreachableCount: '0',
  startedOn: '',
  completedOn: '',
  substitutePublishedOn: '',
  substituteInquiryDesk: '',
  note: '',
};
const draftOf = (c: NoticeCampaignView): Draft => ({
  channel: c.channel,
  plannedCount: String(c.plannedCount),
  sentCount: String(c.sentCount),
  returnedCount: String(c.returnedCount),
  unreachableCount: String(c.unreachableCount),
  startedOn: c.startedOn ?? '',
  completedOn: c.completedOn ?? '',
  substitutePublishedOn: c.substitutePublishedOn ?? '',
  substituteInquiryDesk: c.substituteInquiryDesk ?? '',
  note: c.note,
});
const NUMBERS = [
  ['plannedCount', 'campaigns.planned'],
  ['sentCount', 'campaigns.sent'],
  ['returnedCount', 'campaigns.returned'],
  ['unreachableCount', 'campaigns.unreachable'],
] as const satisfies readonly (readonly [keyof Draft, DutiesKey])[];
const DAYS = [
  ['startedOn', 'campaigns.started'],
  ['completedOn', 'campaigns.completed'],
  ['substitutePublishedOn', 'campaigns.substitute'],
] as const satisfies readonly (readonly [keyof Draft, DutiesKey])[];

/**
 * The notice to the individuals (本人通知): each campaign's channel, counts and days, and the substitute (publication
 * on the website, an inquiry desk) for those who cannot be reached. Those who prepare add one, or update one with the
 * version read.
 */
export function NoticeCampaigns({
  incidentId,
  campaigns,
  canPrepare,
  onChanged,
}: {
  incidentId: string;
  campaigns: readonly NoticeCampaignView[];
  canPrepare: boolean;
  onChanged: () => void;
}) {
  const { lang, dt } = useDutiesWords();
  const [editing, setEditing] = useState<NoticeCampaignView | 'new' | null>(null);
  const [form, setForm] = useState<Draft>(EMPTY);
  const [error, setError] = useState<string | null>(null);
  const [created, create] = useMutation(CREATE_NOTICE_CAMPAIGN);
  const [updated, update] = useMutation(UPDATE_NOTICE_CAMPAIGN);
  const open = (c: NoticeCampaignView | 'new') => {
    setEditing(c);
    setForm(c === 'new' ? EMPTY : draftOf(c));
    setError(null);
  };
  const set = (k: keyof Draft, v: string) => setForm((f) => ({ ...f, [k]: v }));
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const fields = {
      channel: form.channel,
      plannedCount: Number(form.plannedCount),
      sentCount: Number(form.sentCount),
      returnedCount: Number(form.returnedCount),
      unreachableCount: Number(form.unreachableCount),
      startedOn: form.startedOn || null,
      completedOn: form.completedOn || null,
      substitutePublishedOn: form.substitutePublishedOn || null,
      substituteInquiryDesk: form.substituteInquiryDesk.trim() || null,
      note: form.note.trim() || null,
    };
    const r =
      editing === 'new' || editing === null
        ? await create({ input: { incidentId, ...fields } })
        : await update({ input: { campaignId: editing.id, expectedVersion: editing.version, ...fields } });
    if (r.error) {
      setError(apiErrorText(dt, r.error));
      return;
    }
    setEditing(null);
    onChanged();
  };
  const day = (d: string | null) => (d ? formatDay(lang, d) : '—');
  return (
    <div data-testid="duties-campaigns">
      <h3>{dt('campaigns.title')}</h3>
      {campaigns.length === 0 ? (
        <p className="empty">{dt('campaigns.none')}</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{dt('campaigns.channel')}</th>
                {NUMBERS.map(([k, label]) => (
                  <th scope="col" key={k}>
                    {dt(label)}
                  </th>
                ))}
                <th scope="col">{dt('campaigns.started')}</th>
                <th scope="col">{dt('campaigns.completed')}</th>
                <th scope="col">{dt('campaigns.substitute')}</th>
                <th scope="col">{dt('campaigns.note')}</th>
                {canPrepare && <th scope="col" />}
              </tr>
            </thead>
            <tbody>
              {campaigns.map((c) => (
                <tr key={c.id} data-campaign-id={c.id}>
                  <th scope="row">{dutiesLabel(dt, 'notice', c.channel)}</th>
                  {NUMBERS.map(([k]) => (
                    <td className="num" key={k}>
                      {Number(c[k]).toLocaleString(lang === 'ja' ? 'ja-JP' : 'en-GB')}
                    </td>
                  ))}
                  <td>{day(c.startedOn)}</td>
                  <td>{day(c.completedOn)}</td>
                  <td className={c.substituteMissing ? 'late' : undefined}>
                    {c.substituteMissing
                      ? dt('campaigns.substituteMissing')
                      : [
                          c.substitutePublishedOn && dt('campaigns.substitutePublished', { date: day(c.substitutePublishedOn) }),
                          c.substituteInquiryDesk,
                        ]
                          .filter(Boolean)
                          .join(' / ') || '—'}
                  </td>
                  <td>{c.note || '—'}</td>
                  {canPrepare && (
                    <td>
                      <button type="button" className="link-button" onClick={() => open(c)}>
                        {dt('campaigns.edit')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canPrepare && editing === null && (
        <button type="button" className="secondary" onClick={() => open('new')} data-testid="campaign-add">
          {dt('campaigns.add')}
        </button>
      )}
      {canPrepare && editing !== null && (
        <form className="duties-form" onSubmit={(e) => void save(e)} data-testid="campaign-form">
          <div className="row">
            <label>
              <span>{dt('campaigns.channel')}</span>
              <select value={form.channel} onChange={(e) => set('channel', e.target.value)}>
                <option value="POST">{dt('notice.POST')}</option>
                <option value="EMAIL">{dt('notice.EMAIL')}</option>
              </select>
            </label>
            {NUMBERS.map(([k, label]) => (
              <label key={k}>
                <span>{dt(label)}</span>
                <input type="number" min={0} required name={k} value={form[k]} onChange={(e) => set(k, e.target.value)} />
              </label>
            ))}
          </div>
          <div className="row">
            {DAYS.map(([k, label]) => (
              <label key={k}>
                <span>{dt(label)}</span>
                <input type="date" name={k} value={form[k]} onChange={(e) => set(k, e.target.value)} />
              </label>
            ))}
            <label>
              <span>{dt('campaigns.inquiryDesk')}</span>
              <input
                name="substituteInquiryDesk"
                value={form.substituteInquiryDesk}
                onChange={(e) => set('substituteInquiryDesk', e.target.value)}
              />
            </label>
          </div>
          <label>
            <span>{dt('campaigns.note')}</span>
            <textarea name="note" value={form.note} onChange={(e) => set('note', e.target.value)} />
          </label>
          <div className="buttons">
            <button type="submit" className="action" disabled={created.fetching || updated.fetching}>
              {editing === 'new' ? dt('campaigns.add') : dt('campaigns.update')}
            </button>
            <button type="button" className="secondary" onClick={() => setEditing(null)}>
              {dt('campaigns.cancel')}
            </button>
          </div>
          {error && (
            <p className="error" role="alert" data-testid="campaign-error">
              {error}
            </p>
          )}
        </form>
      )}
    </div>
  );
}
