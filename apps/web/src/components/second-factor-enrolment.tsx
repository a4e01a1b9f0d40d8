import { useState, type FormEvent } from 'react';
import { useClient } from 'urql';
import { CONFIRM_TOTP_ENROLMENT, FINISH_PASSKEY_REGISTRATION, START_PASSKEY_REGISTRATION, START_TOTP_ENROLMENT } from '../security-queries';
import { normalizeCode } from '../security-words';
import { createPasskey, passkeysSupported } from '../webauthn';
import { QrCode } from './qr-code';
import { RecoveryCodes } from './recovery-codes';
import { proofErrorText } from './second-factor-form';
import { useSecurityWords } from './use-security-words';

type Step =
  { kind: 'choose' } | { kind: 'totp'; factorId: string; secret: string; otpauthUri: string } | { kind: 'codes'; codes: string[] };

/**
 * Enrols a second factor: an authenticator app (its secret shown as a QR code and as text, then confirmed with a
 * code) or a passkey; then, with the first factor, the recovery codes shown once. `onDone` when finished (the
 * session has proved the new factor).
 */
export function SecondFactorEnrolment({ onDone }: { onDone: () => void }) {
  const { st } = useSecurityWords();
  const client = useClient();
  const [step, setStep] = useState<Step>({ kind: 'choose' });
  const [label, setLabel] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const finished = (codes: readonly string[] | null | undefined) => {
    if (codes && codes.length > 0) setStep({ kind: 'codes', codes: [...codes] });
    else onDone();
  };

  async function startApp() {
    setBusy(true);
    setError(null);
    const res = await client.mutation(START_TOTP_ENROLMENT, { label: label.trim() || st('mfa.enrol.defaultApp') }).toPromise();
    setBusy(false);
    if (res.data) setStep({ kind: 'totp', ...res.data.startTotpEnrolment });
    else if (res.error) setError(proofErrorText(st, res.error));
  }

  async function confirmApp(e: FormEvent) {
    e.preventDefault();
    if (step.kind !== 'totp') return;
    setBusy(true);
    setError(null);
    const res = await client.mutation(CONFIRM_TOTP_ENROLMENT, { factorId: step.factorId, code: normalizeCode(code) }).toPromise();
    setBusy(false);
    setCode('');
    if (res.data) finished(res.data.confirmTotpEnrolment.recoveryCodes);
    else if (res.error) setError(proofErrorText(st, res.error));
  }

  async function registerPasskey() {
    setBusy(true);
    setError(null);
    try {
      const started = await client
        .mutation(START_PASSKEY_REGISTRATION, { label: label.trim() || st('mfa.enrol.defaultPasskey') })
        .toPromise();
      if (!started.data) {
        if (started.error) setError(proofErrorText(st, started.error));
        return;
      }
      let response: Record<string, unknown>;
      try {
        response = await createPasskey(started.data.startPasskeyRegistration.options);
      } catch (err) {
        setError(st('mfa.passkey.failed', { message: err instanceof Error ? err.message : String(err) }));
        return;
      }
      const res = await client
        .mutation(FINISH_PASSKEY_REGISTRATION, { challengeId: started.data.startPasskeyRegistration.challengeId, response })
        .toPromise();
      if (res.data) finished(res.data.finishPasskeyRegistration.recoveryCodes);
      else if (res.error) setError(proofErrorText(st, res.error));
    } finally {
      setBusy(false);
    }
  }

  const errorLine = error && (
    <p className="error" role="alert" data-testid="enrolment-error">
      {error}
    </p>
  );

  if (step.kind === 'codes') return <RecoveryCodes codes={step.codes} onSaved={onDone} />;

  if (step.kind === 'totp') {
    return (
      <form className="enrolment" onSubmit={confirmApp} data-testid="totp-enrolment" noValidate>
        <p>{st('mfa.enrol.scan')}</p>
        <QrCode text={step.otpauthUri} label={st('mfa.enrol.qr')} />
        <dl className="totp-secret">
          <dt>{st('mfa.enrol.secret')}</dt>
          <dd>
            <code data-testid="totp-secret">{step.secret}</code>
          </dd>
          <dt>{st('mfa.enrol.uri')}</dt>
          <dd>
            <code data-testid="totp-uri" className="uri">
              {step.otpauthUri}
            </code>
          </dd>
        </dl>
        <label>
          {st('mfa.enrol.confirmLead')}
          <input name="totp-code" autoComplete="one-time-code" inputMode="numeric" value={code} onChange={(e) => setCode(e.target.value)} />
        </label>
        {errorLine}
        <div className="actions">
          <button type="submit" disabled={busy || !code.trim()}>
            {busy ? st('mfa.busy') : st('mfa.enrol.confirm')}
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={() => setStep({ kind: 'choose' })}>
            {st('mfa.enrol.back')}
          </button>
        </div>
      </form>
    );
  }

  return (
    <div className="enrolment" data-testid="enrolment-choice">
      <label>
        {st('mfa.enrol.label')}
        <input name="factor-label" maxLength={100} value={label} onChange={(e) => setLabel(e.target.value)} />
      </label>
      {errorLine}
      <div className="actions">
        <button type="button" disabled={busy} onClick={() => void startApp()} data-testid="enrol-totp">
          {st('mfa.enrol.app')}
        </button>
        {passkeysSupported() && (
          <button type="button" disabled={busy} onClick={() => void registerPasskey()} data-testid="enrol-passkey">
            {st('mfa.enrol.passkey')}
          </button>
        )}
      </div>
    </div>
  );
}
