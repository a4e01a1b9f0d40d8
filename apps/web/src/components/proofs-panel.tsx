import { useCallback, useEffect } from 'react';
import { useQuery } from 'urql';
import { useI18n } from '../i18n-context';
import { LATEST_CHECKPOINT, MY_PERMISSIONS, type SigningKeyView, type TrailCheckpointView } from '../proofs-queries';
import { formatMoment, proofsLabel } from '../proofs-words';
import { useProofsWords } from './use-proofs-words';
import { BundleExport } from './bundle-export';
import './proofs-panel.css';

/** The permissions (User.permissions) that open the panel and its export. */
const TRAIL_READ = 'audit-trail:read';
const BUNDLES_EXPORT = 'bundles:export';

/**
 * Proofs that survive the server (docs/proofs.md), for the people who may
 * read the audit trail (auditors, executives, admins; hidden for anyone else,
 * by the user's own `permissions`): the latest signed checkpoint of the trail
 * and who co-signed it; for those who may export (`bundles:export`), the
 * evidence bundle of the incident on screen; and what an outsider needs to
 * check a bundle offline: the verifier page, the keys document, the
 * fingerprints to pin. Refetched when anything changes (`version`).
 */
export function ProofsPanel({ incidentId, version }: { incidentId: string; version: number }) {
  const [me] = useQuery({ query: MY_PERMISSIONS });
  const permissions = new Set(me.data?.me.permissions ?? []);
  if (!permissions.has(TRAIL_READ)) return null;
  return <Proofs incidentId={incidentId} version={version} canExport={permissions.has(BUNDLES_EXPORT)} />;
}

function Proofs({ incidentId, version, canExport }: { incidentId: string; version: number; canExport: boolean }) {
  const { t } = useI18n();
  const { pt } = useProofsWords();
  const [res, reexecute] = useQuery({ query: LATEST_CHECKPOINT });
  const refresh = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  useEffect(() => {
    if (version > 0) refresh();
  }, [version, refresh]);

  const checkpoint = res.data?.trailCheckpoints.nodes[0] ?? null;
  const keys = res.data?.signingKeys.keys ?? [];
  return (
    <section className="panel wide proofs" data-testid="proofs-panel" aria-labelledby="proofs-title">
      <h2 id="proofs-title">{pt('proofs.title')}</h2>
      <p className="proofs-lead">{pt('proofs.lead')}</p>
      {res.error && !res.data && (
        <p className="error" role="alert">
          {t('error.load', { message: res.error.message })}
        </p>
      )}
      {!res.data && !res.error && <p className="empty">{t('loading')}</p>}
      <div className="proofs-grid">
        {res.data && <LatestCheckpoint checkpoint={checkpoint} keys={keys} />}
        {res.data && <OfflineCheck keys={keys} />}
        {canExport && <BundleExport incidentId={incidentId} version={version} onFinished={refresh} />}
      </div>
    </section>
  );
}

function LatestCheckpoint({ checkpoint, keys }: { checkpoint: TrailCheckpointView | null; keys: readonly SigningKeyView[] }) {
  const { lang, pt } = useProofsWords();
  const signer = checkpoint ? keys.find((k) => k.purpose === 'TRAIL' && k.keyId === checkpoint.keyId) : undefined;
  const cosigners = checkpoint?.cosignatures.map((c) => c.by?.displayName ?? c.keyId) ?? [];
  return (
    <section
      className="proofs-part"
      data-testid="latest-checkpoint"
      data-tree-size={checkpoint?.treeSize ?? ''}
      aria-labelledby="latest-checkpoint-title"
    >
      <h3 id="latest-checkpoint-title">{pt('checkpoint.title')}</h3>
      {!checkpoint ? (
        <p className="empty">{pt('checkpoint.none')}</p>
      ) : (
        <dl className="facts">
          <div>
            <dt>{pt('checkpoint.size')}</dt>
            <dd data-testid="checkpoint-size">{pt('checkpoint.sizeValue', { n: checkpoint.treeSize })}</dd>
          </div>
          <div>
            <dt>{pt('checkpoint.at')}</dt>
            <dd>
              <time dateTime={checkpoint.createdAt} data-testid="checkpoint-at">
                {formatMoment(lang, checkpoint.createdAt)}
              </time>
            </dd>
          </div>
          <div>
            <dt>{pt('checkpoint.reason')}</dt>
            <dd>{proofsLabel(pt, 'reason', checkpoint.reason)}</dd>
          </div>
          <div>
            <dt>{pt('checkpoint.key')}</dt>
            <dd>
              <code data-testid="checkpoint-key-id">{checkpoint.keyId}</code>
              {signer && <span className="note"> {signer.name}</span>}
            </dd>
          </div>
          <div>
            <dt>{pt('checkpoint.root')}</dt>
            <dd>
              <code className="hash">{checkpoint.rootHash}</code>
            </dd>
          </div>
          <div>
            <dt>{pt('checkpoint.cosigned')}</dt>
            <dd data-testid="checkpoint-cosigners">
              {cosigners.length === 0 ? (
                <span className="empty">{pt('checkpoint.noCosign')}</span>
              ) : (
                <ul className="inline-list">
                  {checkpoint.cosignatures.map((c, i) => (
                    <li key={`${c.keyId}-${c.signedAt}`} title={c.by?.email ?? undefined}>
                      {cosigners[i]}
                    </li>
                  ))}
                </ul>
              )}
            </dd>
          </div>
        </dl>
      )}
    </section>
  );
}

/** The verifier page and the keys document to download, and the active keys' fingerprints to pin. */
function OfflineCheck({ keys }: { keys: readonly SigningKeyView[] }) {
  const { lang, pt } = useProofsWords();
  const active = (['TRAIL', 'BUNDLE'] as const)
    .map((purpose) => keys.find((k) => k.purpose === purpose && k.status === 'ACTIVE'))
    .filter((k): k is SigningKeyView => Boolean(k));
  return (
    <section className="proofs-part" data-testid="offline-check" aria-labelledby="offline-check-title">
      <h3 id="offline-check-title">{pt('verify.title')}</h3>
      <p>{pt('verify.lead')}</p>
      <ul className="proof-links">
        <li>
          <a href="/verify.html" download="verify.html" data-testid="verifier-link">
            {pt('verify.download')}
          </a>
        </li>
        <li>
          <a href="/.well-known/remediation-tracker/keys" download="keys.json" type="application/json" data-testid="keys-link">
            {pt('verify.keys')}
          </a>
        </li>
      </ul>
      <h4>{pt('keys.title')}</h4>
      <dl className="facts keys">
        {active.map((k) => (
          <div key={k.purpose} data-testid={`key-${k.purpose.toLowerCase()}`}>
            <dt>{pt(k.purpose === 'TRAIL' ? 'keys.trail' : 'keys.bundle')}</dt>
            <dd>
              <code className="hash" data-testid="key-fingerprint" aria-label={`${pt('keys.fingerprint')} ${k.fingerprint}`}>
                {k.fingerprint}
              </code>
              <div className="note">
                {pt('keys.keyId')} <code>{k.keyId}</code> · {pt('keys.since', { date: formatMoment(lang, k.activatedAt) })}
              </div>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
