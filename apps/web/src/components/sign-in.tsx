import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { answerErrorOf, createAnonymousClient, errorCodeOf } from '../graphql-client';
import { useI18n } from '../i18n-context';
import { LOGIN } from '../queries';
import { COMPLETE_SSO_SIGN_IN, SIGN_IN_OPTIONS } from '../security-queries';
import { readSsoFragment } from '../security-words';
import { sessionFromLogin, type Session } from '../session';
import { useSecurityWords } from './use-security-words';

/**
 * E-mail and password, through the API's `login` mutation; or single sign-on when the server offers it: the browser
 * goes to the identity provider and comes back to `/#sso=<code>` (or `#sso-error=<CODE>`), which is traded here for
 * the session (completeSsoSignIn) and cleared from the address. The session may then still ask for a second factor.
 */
export function SignIn(props: { onSignedIn: (session: Session) => void; notice?: string | null }) {
  const { t } = useI18n();
  const { st } = useSecurityWords();
  const client = useMemo(createAnonymousClient, []);
  const [sso, setSso] = useState<string | null>(null);
  const [ssoError, setSsoError] = useState<string | null>(null);
  const onSignedIn = props.onSignedIn;
  useEffect(() => {
    let live = true;
    void client
      .query(SIGN_IN_OPTIONS, {})
      .toPromise()
      .then((r) => live && setSso(r.data?.signInOptions.sso ? r.data.signInOptions.ssoStartUrl : null));
    const handOff = readSsoFragment(window.location.hash);
    if (handOff) {
      // The code works once: out of the address (and the history) before anything else.
      window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
      if ('error' in handOff) setSsoError(handOff.error);
      else
        void client
          .mutation(COMPLETE_SSO_SIGN_IN, { code: handOff.code })
          .toPromise()
          .then((r) => {
            if (!live) return;
            if (r.data) onSignedIn(sessionFromLogin(r.data.completeSsoSignIn));
            else setSsoError(answerErrorOf(r.error)?.reason ?? errorCodeOf(r.error) ?? 'NETWORK');
          });
    }
    return () => {
      live = false;
    };
  }, [client, onSignedIn]);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<
    { key: 'signIn.invalid' | 'signIn.tooMany' | 'signIn.busy' | 'error.unavailable' } | { message: string } | null
  >(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const res = await client.mutation(LOGIN, { input: { email: email.trim(), password } }).toPromise();
    setBusy(false);
    if (res.data?.login) {
      props.onSignedIn(sessionFromLogin(res.data.login));
      return;
    }
    const code = errorCodeOf(res.error);
    if (code === 'UNAUTHENTICATED' || code === 'BAD_USER_INPUT') setError({ key: 'signIn.invalid' });
    else if (code === 'TOO_MANY_REQUESTS' && res.error?.graphQLErrors[0]?.extensions?.['reason'] === 'SIGN_IN_BUSY')
      setError({ key: 'signIn.busy' });
    else if (code === 'TOO_MANY_REQUESTS') setError({ key: 'signIn.tooMany' });
    else if (code === 'SERVICE_UNAVAILABLE') setError({ key: 'error.unavailable' });
    else setError({ message: res.error?.graphQLErrors[0]?.message ?? res.error?.networkError?.message ?? String(res.error) });
  }

  return (
    <main className="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title" noValidate>
        <h2 id="sign-in-title">{t('signIn.title')}</h2>
        <p className="lead">{t('signIn.lead')}</p>
        {props.notice && <p className="notice">{props.notice}</p>}
        {ssoError && (
          <p className="error" role="alert" data-testid="sso-error">
            {st('signIn.ssoRefused', { code: ssoError })}
          </p>
        )}
        <label>
          {t('signIn.email')}
          <input name="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          {t('signIn.password')}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p className="error" role="alert" data-testid="sign-in-error">
            {'key' in error ? t(error.key) : t('signIn.failed', { message: error.message })}
          </p>
        )}
        <button type="submit" disabled={busy || !email || !password}>
          {busy ? t('signIn.submitting') : t('signIn.submit')}
        </button>
        {sso && (
          <a className="sso-button" href={sso} data-testid="sso-sign-in">
            {st('signIn.sso')}
          </a>
        )}
      </form>
    </main>
  );
}
