import { useState, type FormEvent, type ReactNode } from 'react';
import { useClient, type CombinedError } from 'urql';
import { answerErrorOf } from '../graphql-client';
import { FINISH_PASSKEY_VERIFICATION, START_PASSKEY_VERIFICATION, VERIFY_SECOND_FACTOR } from '../security-queries';
import { normalizeCode, type SecurityTranslate } from '../security-words';
import { getPasskey, passkeysSupported } from '../webauthn';
import { useSecurityWords } from './use-security-words';

/** A refused proof in words: a wrong or used code, too many tries, or the server's own words with its code. */
export function proofErrorText(st: SecurityTranslate, error: CombinedError): string {
  const e = answerErrorOf(error);
  if (e?.reason === 'INVALID_SECOND_FACTOR') return st('mfa.invalid');
  if (e?.code === 'TOO_MANY_REQUESTS') return st('mfa.throttled');
  return st('mfa.error', {
    code: e?.code ?? 'NETWORK',
    message: error.graphQLErrors[0]?.message ?? error.networkError?.message ?? error.message,
  });
}

/**
 * Proves the second factor in this session: a code (authenticator app or recovery code) or a passkey. Used to
 * finish a sign-in and by the step-up dialog. `onProved` once the server accepted the proof.
 */
export function SecondFactorForm(props: { onProved: () => void; extra?: ReactNode; autoFocus?: boolean; idPrefix: string }) {
  const { st } = useSecurityWords();
  const client = useClient();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const res = await client.mutation(VERIFY_SECOND_FACTOR, { code: normalizeCode(code) }).toPromise();
    setBusy(false);
    if (res.data?.verifySecondFactor) props.onProved();
    else if (res.error) {
      setError(proofErrorText(st, res.error));
      setCode('');
    }
  }

  async function usePasskey() {
    setBusy(true);
    setError(null);
    try {
      const started = await client.mutation(START_PASSKEY_VERIFICATION, {}).toPromise();
      if (!started.data) {
        if (started.error) setError(proofErrorText(st, started.error));
        return;
      }
      let response: Record<string, unknown>;
      try {
        response = await getPasskey(started.data.startPasskeyVerification.options);
      } catch (err) {
        setError(st('mfa.passkey.failed', { message: err instanceof Error ? err.message : String(err) }));
        return;
      }
      const finished = await client
        .mutation(FINISH_PASSKEY_VERIFICATION, { challengeId: started.data.startPasskeyVerification.challengeId, response })
        .toPromise();
      if (finished.data?.finishPasskeyVerification) props.onProved();
      else if (finished.error) setError(proofErrorText(st, finished.error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="second-factor-form" data-testid={`${props.idPrefix}-form`} noValidate>
      <label>
        {st('mfa.code')}
        <input
          name="second-factor-code"
          autoComplete="one-time-code"
          inputMode="text"
          autoFocus={props.autoFocus}
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
      </label>
      {error && (
        <p className="error" role="alert" data-testid={`${props.idPrefix}-error`}>
          {error}
        </p>
      )}
      <div className="actions">
        <button type="submit" disabled={busy || !code.trim()}>
          {busy ? st('mfa.busy') : st('mfa.verify.submit')}
        </button>
        {passkeysSupported() && (
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() => void usePasskey()}
            data-testid={`${props.idPrefix}-passkey`}
          >
            {st('mfa.passkey')}
          </button>
        )}
        {props.extra}
      </div>
    </form>
  );
}
