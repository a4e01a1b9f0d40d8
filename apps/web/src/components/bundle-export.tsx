import { useCallback, useEffect, useRef, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { downloadBundle } from '../bundle-download';
import { errorCodeOf } from '../graphql-client';
import { useI18n } from '../i18n-context';
import { EVIDENCE_BUNDLE, EVIDENCE_BUNDLES, EXPORT_EVIDENCE_BUNDLE, type EvidenceBundleView } from '../proofs-queries';
import { formatBytes, formatMoment, proofsLabel, shortHash, type ProofsTranslate } from '../proofs-words';
import { useProofsWords } from './use-proofs-words';

/** How often an export in progress is asked about (evidenceBundle(id)). */
const POLL_MS = 1500;
/** How many of the latest exports are listed. */
const LATEST = 5;

const inProgress = (b: Pick<EvidenceBundleView, 'status'>) => b.status === 'QUEUED' || b.status === 'BUILDING';

/**
 * Auditors and executives (`bundles:export`): an evidence bundle of the
 * incident on screen, as of now. The export answers at once (QUEUED); its
 * progress is polled every 1.5 s while it is queued or building; once READY,
 * a button fetches the zip with the session's token and saves it. The latest
 * few exports are listed with their SHA-256 and a download. An export of
 * this incident already under way (someone else's, or from before a reload)
 * is followed instead of asking twice (the server allows one at a time).
 */
export function BundleExport({ incidentId, version, onFinished }: { incidentId: string; version: number; onFinished: () => void }) {
  const { t } = useI18n();
  const { pt } = useProofsWords();
  const [list, refetchList] = useQuery({ query: EVIDENCE_BUNDLES, variables: { first: LATEST } });
  const reloadList = useCallback(() => refetchList({ requestPolicy: 'network-only' }), [refetchList]);
  useEffect(() => {
    if (version > 0) reloadList();
  }, [version, reloadList]);

  // The export followed: the one asked for here, or one of this incident found under way.
  const [current, setCurrent] = useState<string | null>(null);
  const [progress, reexecuteProgress] = useQuery({
    query: EVIDENCE_BUNDLE,
    variables: { id: current ?? '' },
    pause: !current,
    requestPolicy: 'network-only',
  });
  const followed = progress.data?.evidenceBundle.id === current ? progress.data.evidenceBundle : undefined;
  const polling = Boolean(current) && (!followed || inProgress(followed));
  useEffect(() => {
    if (!polling || progress.fetching) return;
    const timer = window.setTimeout(() => reexecuteProgress({ requestPolicy: 'network-only' }), POLL_MS);
    return () => window.clearTimeout(timer);
  }, [polling, progress.fetching, progress.data, progress.error, reexecuteProgress]);

  // Finished (READY or FAILED): the list and the checkpoint (an export makes one) are fetched again, once.
  const finished = useRef(new Set<string>());
  useEffect(() => {
    if (!followed || inProgress(followed) || finished.current.has(followed.id)) return;
    finished.current.add(followed.id);
    reloadList();
    onFinished();
  }, [followed, reloadList, onFinished]);

  const nodes = list.data?.evidenceBundles.nodes;
  useEffect(() => {
    if (followed && inProgress(followed)) return;
    const running = nodes?.find((b) => b.scope === 'INCIDENT' && b.scopeId === incidentId && inProgress(b));
    if (running && running.id !== current) setCurrent(running.id);
  }, [nodes, followed, current, incidentId]);

  const [asked, exportBundle] = useMutation(EXPORT_EVIDENCE_BUNDLE);
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);
  const start = async () => {
    setNotice(null);
    const r = await exportBundle({ input: { scope: 'INCIDENT', id: incidentId } });
    if (r.data) {
      setCurrent(r.data.exportEvidenceBundle.id);
      reloadList();
    } else if (errorCodeOf(r.error) === 'CONFLICT') {
      setNotice({ text: pt('bundle.busy'), error: false });
      reloadList();
    } else {
      setNotice({ text: pt('bundle.requestFailed', { message: r.error?.message ?? '' }), error: true });
    }
  };

  const [download, setDownload] = useState<{ id: string; text: string; error: boolean; busy: boolean } | null>(null);
  const save = async (b: EvidenceBundleView) => {
    const name = b.fileName ?? `evidence-bundle-${b.id}.zip`;
    setDownload({ id: b.id, text: pt('bundle.downloading'), error: false, busy: true });
    try {
      await downloadBundle(b.downloadPath ?? `/bundles/${b.id}`, name);
      setDownload({ id: b.id, text: pt('bundle.downloaded', { name }), error: false, busy: false });
    } catch (e) {
      setDownload({
        id: b.id,
        text: pt('bundle.downloadFailed', { message: e instanceof Error ? e.message : String(e) }),
        error: true,
        busy: false,
      });
    }
  };
  const downloading = download?.busy ? download.id : null;
  const busy = asked.fetching || (followed ? inProgress(followed) : Boolean(current) && !progress.error);

  return (
    <section className="proofs-part proofs-wide" data-testid="bundle-export" aria-labelledby="bundle-export-title">
      <h3 id="bundle-export-title">{pt('bundle.title')}</h3>
      <div className="bundle-layout">
        <div>
          <p>{pt('bundle.lead')}</p>
          <button type="button" className="action" onClick={() => void start()} disabled={busy} data-testid="bundle-export-button">
            {asked.fetching ? pt('bundle.requesting') : pt('bundle.export')}
          </button>
          {notice && (
            <p className={notice.error ? 'error' : 'notice'} role={notice.error ? 'alert' : 'status'} data-testid="bundle-notice">
              {notice.text}
            </p>
          )}
          {current && (
            <div
              className="bundle-progress"
              role="status"
              aria-live="polite"
              data-testid="bundle-progress"
              data-status={followed?.status ?? ''}
            >
              {followed ? <BundleProgress b={followed} pt={pt} /> : <p className="empty">{t('loading')}</p>}
              {followed?.status === 'READY' && (
                <button
                  type="button"
                  className="action"
                  onClick={() => void save(followed)}
                  disabled={downloading === followed.id}
                  data-testid="bundle-download"
                >
                  {pt('bundle.download')}
                </button>
              )}
            </div>
          )}
          {download && (
            <p className={download.error ? 'error' : 'note'} role={download.error ? 'alert' : 'status'} data-testid="bundle-download-state">
              {download.text}
            </p>
          )}
        </div>
        <div>
          <h4>{pt('bundle.recent')}</h4>
          {list.error && !nodes && <p className="error">{t('error.load', { message: list.error.message })}</p>}
          {!nodes && !list.error && <p className="empty">{t('loading')}</p>}
          {nodes && nodes.length === 0 && <p className="empty">{pt('bundle.none')}</p>}
          {nodes && nodes.length > 0 && (
            <div className="table-scroll">
              <table data-testid="bundle-list">
                <thead>
                  <tr>
                    <th scope="col">{pt('bundle.col.requested')}</th>
                    <th scope="col">{pt('bundle.col.scope')}</th>
                    <th scope="col">{pt('bundle.col.status')}</th>
                    <th scope="col">{pt('bundle.col.sha')}</th>
                    <th scope="col">{pt('bundle.col.file')}</th>
                  </tr>
                </thead>
                <tbody>
                  {nodes.map((b) => (
                    <BundleRow key={b.id} b={b} pt={pt} onSave={save} downloading={downloading === b.id} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      </div>
    </section>
  );
}

/** The followed export in words (its status is always written, never shown by colour alone), with a progress bar while it builds. */
function BundleProgress({ b, pt }: { b: EvidenceBundleView; pt: ProofsTranslate }) {
  const label = proofsLabel(pt, 'bundle.status', b.status);
  let text: string;
  if (b.status === 'QUEUED') text = pt('bundle.queuedText');
  else if (b.status === 'BUILDING')
    text = pt('bundle.buildingText', {
      done: b.filesDone,
      total: b.filesTotal,
      bytes: `${formatBytes(b.bytesDone)} / ${formatBytes(b.bytesTotal)}`,
    });
  else if (b.status === 'READY') text = pt('bundle.readyText', { size: formatBytes(b.size ?? 0), sha: shortHash(b.sha256 ?? '') });
  else text = pt('bundle.failedText', { error: b.error ?? '' });
  return (
    <>
      <p className={b.status === 'FAILED' ? 'error' : undefined}>
        <span className={`status bundle-status-${b.status.toLowerCase()}`} data-testid="bundle-status">
          {label}
        </span>{' '}
        <span data-testid="bundle-progress-text" title={b.sha256 ?? undefined}>
          {text}
        </span>
      </p>
      {inProgress(b) && (
        <progress
          aria-label={pt('bundle.progressLabel')}
          max={b.status === 'BUILDING' && b.bytesTotal > 0 ? b.bytesTotal : undefined}
          value={b.status === 'BUILDING' && b.bytesTotal > 0 ? b.bytesDone : undefined}
        />
      )}
    </>
  );
}

function BundleRow({
  b,
  pt,
  onSave,
  downloading,
}: {
  b: EvidenceBundleView;
  pt: ProofsTranslate;
  onSave: (b: EvidenceBundleView) => Promise<void>;
  downloading: boolean;
}) {
  const { lang } = useProofsWords();
  const name = b.fileName ?? `evidence-bundle-${b.id}.zip`;
  return (
    <tr data-bundle-id={b.id} data-status={b.status}>
      <td className="nowrap">
        <time dateTime={b.requestedAt}>{formatMoment(lang, b.requestedAt)}</time>
        <div className="note">{b.requestedBy}</div>
      </td>
      <td>{proofsLabel(pt, 'scope', b.scope)}</td>
      <td>
        <span className={`status bundle-status-${b.status.toLowerCase()}`}>{proofsLabel(pt, 'bundle.status', b.status)}</span>
      </td>
      <td>{b.sha256 ? <code title={b.sha256}>{shortHash(b.sha256)}</code> : <span className="empty">—</span>}</td>
      <td>
        {b.status === 'READY' && (
          <button
            type="button"
            className="link-button"
            onClick={() => void onSave(b)}
            disabled={downloading}
            aria-label={pt('bundle.downloadLabel', { name })}
          >
            {pt('bundle.download')}
          </button>
        )}
      </td>
    </tr>
  );
}
