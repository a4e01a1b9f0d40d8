import { useState } from 'react';
import { useMutation } from 'urql';
import { downloadBundle } from '../bundle-download';
import { formatMoment, shortHash } from '../proofs-words';
import { CREATE_FILING_DRAFT, type BreachFilingView } from '../duties-queries';
import { apiErrorText, dutiesLabel, type DutiesTranslate } from '../duties-words';
import { FilingEditor } from './filing-editor';
import { useDutiesWords } from './use-duties-words';

type Kind = 'PRELIMINARY' | 'FINAL' | 'SUPPLEMENT';

/** The filings the record may start next (the server's order: preliminary before final; supplements after the final). */
function nextKinds(filings: readonly BreachFilingView[]): Kind[] {
  const has = (k: string) => filings.some((f) => f.kind === k);
  const out: Kind[] = [];
  if (!has('PRELIMINARY') && !has('FINAL')) out.push('PRELIMINARY');
  if (!has('FINAL')) out.push('FINAL');
  const finalSubmitted = filings.some((f) => f.kind === 'FINAL' && f.status === 'SUBMITTED');
  if (finalSubmitted && !filings.some((f) => f.kind === 'SUPPLEMENT' && f.status === 'DRAFT')) out.push('SUPPLEMENT');
  return out;
}

const filingName = (dt: DutiesTranslate, f: BreachFilingView) =>
  `${dutiesLabel(dt, 'kind', f.kind)}${f.supplementNo ? ` ${f.supplementNo}` : ''}`;

/**
 * The record's filings to the authority, oldest first: kind, status, when submitted, the reference number, days late
 * and the SHA-256 of the filed items (the full value in the title), with the PDF and Word documents for legal review
 * (fetched with the session's token). A draft opens in the editor for those who prepare; they also start the next one.
 */
export function FilingsList({
  incidentId,
  filings,
  canPrepare,
  onChanged,
}: {
  incidentId: string;
  filings: readonly BreachFilingView[];
  canPrepare: boolean;
  onChanged: () => void;
}) {
  const { lang, dt } = useDutiesWords();
  const [created, create] = useMutation(CREATE_FILING_DRAFT);
  const [error, setError] = useState<string | null>(null);
  const [download, setDownload] = useState<{ text: string; error: boolean } | null>(null);
  const start = async (kind: Kind) => {
    setError(null);
    const r = await create({ input: { incidentId, kind } });
    if (r.error) setError(apiErrorText(dt, r.error));
    onChanged();
  };
  const save = async (path: string, name: string) => {
    setDownload(null);
    try {
      await downloadBundle(path, name);
      setDownload({ text: name, error: false });
    } catch (e) {
      setDownload({ text: dt('filings.downloadFailed', { message: e instanceof Error ? e.message : String(e) }), error: true });
    }
  };
  const drafts = canPrepare ? filings.filter((f) => f.status === 'DRAFT') : [];
  const kinds = canPrepare ? nextKinds(filings) : [];
  return (
    <div data-testid="duties-filings">
      <h3>{dt('filings.title')}</h3>
      {filings.length === 0 ? (
        <p className="empty">{dt('filings.none')}</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{dt('filings.kind')}</th>
                <th scope="col">{dt('filings.status')}</th>
                <th scope="col">{dt('filings.submittedAt')}</th>
                <th scope="col">{dt('filings.reference')}</th>
                <th scope="col">{dt('filings.lateDays')}</th>
                <th scope="col">{dt('filings.sha')}</th>
                <th scope="col">{dt('filings.files')}</th>
              </tr>
            </thead>
            <tbody>
              {filings.map((f) => {
                const base = `ppc-${f.kind.toLowerCase()}${f.supplementNo ? `-${f.supplementNo}` : ''}-${f.id.slice(0, 8)}`;
                return (
                  <tr key={f.id} data-filing-id={f.id} data-kind={f.kind} data-status={f.status}>
                    <th scope="row">{filingName(dt, f)}</th>
                    <td data-testid="filing-status">{dutiesLabel(dt, 'status', f.status)}</td>
                    <td>{f.submittedAt ? <time dateTime={f.submittedAt}>{formatMoment(lang, f.submittedAt)}</time> : '—'}</td>
                    <td data-testid="filing-reference">{f.referenceNumber ?? '—'}</td>
                    <td className={f.lateDays ? 'late' : undefined}>{f.lateDays ?? '—'}</td>
                    <td>
                      {f.itemsSha256 ? (
                        <code title={f.itemsSha256} data-testid="filing-sha" data-sha256={f.itemsSha256}>
                          {shortHash(f.itemsSha256)}
                        </code>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td className="buttons">
                      <button
                        type="button"
                        className="link-button"
                        data-testid="filing-pdf"
                        onClick={() => void save(f.pdfPath, `${base}.pdf`)}
                        aria-label={`${filingName(dt, f)} ${dt('filings.pdf')}`}
                      >
                        {dt('filings.pdf')}
                      </button>
                      <button
                        type="button"
                        className="link-button"
                        data-testid="filing-docx"
                        onClick={() => void save(f.docxPath, `${base}.docx`)}
                        aria-label={`${filingName(dt, f)} ${dt('filings.docx')}`}
                      >
                        {dt('filings.docx')}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {download && (
        <p className={download.error ? 'error' : 'note'} role={download.error ? 'alert' : 'status'} data-testid="filing-download-state">
          {download.text}
        </p>
      )}
      {drafts.map((f) => (
        <FilingEditor key={f.id} filing={f} title={filingName(dt, f)} onChanged={onChanged} />
      ))}
      {kinds.length > 0 && (
        <div className="buttons">
          {kinds.map((k) => (
            <button
              key={k}
              type="button"
              className="action"
              data-testid={`filing-create-${k}`}
              disabled={created.fetching}
              onClick={() => void start(k)}
            >
              {created.fetching ? dt('filings.creating') : dt('filings.create', { kind: dutiesLabel(dt, 'kind', k) })}
            </button>
          ))}
        </div>
      )}
      {error && (
        <p className="error" role="alert" data-testid="filing-create-error">
          {error}
        </p>
      )}
    </div>
  );
}
