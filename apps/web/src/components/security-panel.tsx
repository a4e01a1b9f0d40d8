import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery, type CombinedError } from 'urql';
import { answerErrorOf } from '../graphql-client';
import { formatDateTime } from '../i18n';
import { MY_SECURITY, REGENERATE_RECOVERY_CODES, REMOVE_SECOND_FACTOR, REVOKE_SESSION } from '../security-queries';
import { deviceLabel, factorKindLabel } from '../security-words';
import { RecoveryCodes } from './recovery-codes';
import { useSecurityWords } from './use-security-words';
import './security.css';

/**
 * The signed-in person's security (セキュリティ): their open sessions (device, address, last seen; this one
 * marked) with an end button for the others, their second factors with remove, and new recovery codes. Removing a
 * factor and making new codes need a fresh proof: the step-up dialog asks for it (auth-fetch.ts). Opened from the
 * header, below the whole dashboard, so it never moves the dashboard's lists.
 */
export function SecurityPanel({ onClose }: { onClose: () => void }) {
  const { lang, st } = useSecurityWords();
  const [res, refetch] = useQuery({ query: MY_SECURITY, requestPolicy: 'network-only' });
  const [, revoke] = useMutation(REVOKE_SESSION);
  const [, remove] = useMutation(REMOVE_SECOND_FACTOR);
  const [regenerated, regenerate] = useMutation(REGENERATE_RECOVERY_CODES);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    // In a block: newer browsers return a promise from scrollIntoView (React would take it for a cleanup), which
    // rejects when another scroll (the person's) interrupts this one: nothing to report then.
    const scrolled: unknown = ref.current?.scrollIntoView({ block: 'start' });
    if (scrolled instanceof Promise) scrolled.catch(() => undefined);
  }, []);

  const fail = (e: CombinedError) =>
    setMessage({
      error: true,
      text: st('security.error', { code: answerErrorOf(e)?.code ?? 'NETWORK', message: e.graphQLErrors[0]?.message ?? e.message }),
    });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const at = (iso: string | null | undefined) => (iso ? formatDateTime(lang, new Date(iso)) : st('security.neverUsed'));

  async function end(id: string) {
    setMessage(null);
    const r = await revoke({ id });
    if (r.error) fail(r.error);
    else setMessage({ error: false, text: st('security.ended') });
    reload();
  }
  async function removeFactor(id: string, label: string) {
    setMessage(null);
    const r = await remove({ id });
    if (r.error) fail(r.error);
    else setMessage({ error: false, text: st('security.removed', { label }) });
    reload();
  }
  async function newCodes() {
    setMessage(null);
    const r = await regenerate({});
    if (r.data) setCodes(r.data.regenerateRecoveryCodes);
    else if (r.error) fail(r.error);
    reload();
  }

  const d = res.data;
  return (
    <section className="panel security-panel" id="security" ref={ref} aria-labelledby="security-title" data-testid="security-panel">
      <h2 id="security-title">
        {st('security.title')}
        <button type="button" className="secondary close" onClick={onClose}>
          {st('security.close')}
        </button>
      </h2>
      {message && (
        <p className={message.error ? 'error' : 'notice'} role={message.error ? 'alert' : 'status'} data-testid="security-message">
          {message.text}
        </p>
      )}
      {res.error && !d && (
        <p className="error" role="alert">
          {st('security.error', { code: answerErrorOf(res.error)?.code ?? 'NETWORK', message: res.error.message })}
        </p>
      )}
      {d && (
        <>
          <h3>{st('security.sessions')}</h3>
          <table className="sessions" data-testid="my-sessions">
            <thead>
              <tr>
                <th scope="col">{st('security.device')}</th>
                <th scope="col">{st('security.address')}</th>
                <th scope="col">{st('security.signedInAt')}</th>
                <th scope="col">{st('security.lastSeen')}</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {d.mySessions.map((s) => (
                <tr key={s.id} data-session-id={s.id} data-current={s.current ? 'true' : 'false'}>
                  <td title={s.userAgent ?? undefined}>
                    {deviceLabel(s.userAgent) ?? st('security.unknown')}
                    {s.current && <span className="badge current">{st('security.current')}</span>}
                  </td>
                  <td>{s.address ?? st('security.unknown')}</td>
                  <td>{at(s.createdAt)}</td>
                  <td>{at(s.lastSeenAt)}</td>
                  <td>
                    {!s.current && (
                      <button type="button" onClick={() => void end(s.id)} data-testid="end-session">
                        {st('security.end')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{st('security.factors')}</h3>
          {d.mySecondFactors.length === 0 ? (
            <p>{st('security.noFactors')}</p>
          ) : (
            <ul className="factors" data-testid="my-second-factors">
              {d.mySecondFactors.map((f) => (
                <li key={f.id} data-factor-id={f.id} data-kind={f.kind}>
                  <span className="factor-label">{f.label}</span> <span className="kind">{factorKindLabel(st, f.kind)}</span>{' '}
                  <span className="used">
                    {st('security.lastUsed')}: {at(f.lastUsedAt)}
                  </span>{' '}
                  <button type="button" className="secondary" onClick={() => void removeFactor(f.id, f.label)} data-testid="remove-factor">
                    {st('security.remove')}
                  </button>
                </li>
              ))}
            </ul>
          )}
          <p data-testid="recovery-left">{st('security.recoveryLeft', { n: d.recoveryCodesLeft })}</p>
          {codes ? (
            <RecoveryCodes codes={codes} onSaved={() => setCodes(null)} />
          ) : (
            d.mySecondFactors.length > 0 && (
              <button type="button" disabled={regenerated.fetching} onClick={() => void newCodes()} data-testid="regenerate-codes">
                {st('security.regenerate')}
              </button>
            )
          )}
        </>
      )}
    </section>
  );
}
