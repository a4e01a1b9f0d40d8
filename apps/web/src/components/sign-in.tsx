import { useMemo, useState, type FormEvent } from 'react';
import { createAnonymousClient, errorCodeOf } from '../graphql-client';
import { useI18n } from '../i18n-context';
import { LOGIN } from '../queries';
import type { Session } from '../session';

/** E-mail and password, through the API's `login` mutation. */
export function SignIn(props: { onSignedIn: (session: Session) => void; notice?: string | null }) {
  const { t } = useI18n();
  const client = useMemo(createAnonymousClient, []);
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
      const { accessToken, expiresAt, user } = res.data.login;
      props.onSignedIn({ token: accessToken, expiresAt, user });
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
      </form>
    </main>
  );
}
