import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Provider } from 'urql';
import { answerErrorOf, createAnonymousClient, createSessionClient, type ApiClient, type LiveState } from './graphql-client';
import { LANG_STORAGE_KEY, pickLanguage, translator, type Lang } from './i18n';
import { I18nContext, type I18n } from './i18n-context';
import { REFRESH_SESSION, SIGN_OUT } from './security-queries';
import { securityTranslator } from './security-words';
import { clearSession, loadSession, saveSession, sessionFromLogin, type Session, type SessionState } from './session';
import { StepUpBroker } from './step-up';
import { setActiveKeeper, TokenKeeper } from './token-keeper';
import { DashboardPage } from './components/dashboard-page';
import { Header } from './components/header';
import { SecondFactorStep } from './components/second-factor-step';
import { SecurityPanel } from './components/security-panel';
import { SignIn } from './components/sign-in';
import { StepUpDialog } from './components/step-up-dialog';

function rememberedLanguage(): string | null {
  try {
    return window.localStorage.getItem(LANG_STORAGE_KEY);
  } catch {
    return null; // storage disabled: the browser's preference decides
  }
}

export function App() {
  const [lang, setLangState] = useState<Lang>(() =>
    pickLanguage(navigator.languages?.length ? navigator.languages : [navigator.language], rememberedLanguage()),
  );
  const i18n = useMemo<I18n>(
    () => ({
      lang,
      t: translator(lang),
      setLang: (l: Lang) => {
        setLangState(l);
        try {
          window.localStorage.setItem(LANG_STORAGE_KEY, l);
        } catch {
          // not remembered; still switched
        }
      },
    }),
    [lang],
  );
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = i18n.t('app.title');
  }, [lang, i18n]);

  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [ended, setEnded] = useState<string | null>(null);

  const signIn = useCallback((s: Session) => {
    saveSession(s);
    setEnded(null);
    setSession(s);
  }, []);
  const signOut = useCallback((why: SignOutReason) => {
    clearSession();
    setSession(null);
    setEnded(why === 'user' ? null : why);
  }, []);

  return (
    <I18nContext.Provider value={i18n}>
      {session ? (
        <SignedIn key={session.id} session={session} onSignOut={signOut} />
      ) : (
        <>
          <Header />
          <SignIn
            onSignedIn={signIn}
            notice={
              ended === null
                ? null
                : ended === 'expired'
                  ? i18n.t('signIn.expired')
                  : securityTranslator(lang)('signIn.ended', { code: ended })
            }
          />
        </>
      )}
    </I18nContext.Provider>
  );
}

/** Why the page went back to the sign-in form: the person signed out, the session expired, or a renewal was refused (its code). */
type SignOutReason = 'user' | 'expired' | string;

/**
 * Holds the session's API client (HTTP + WebSocket) for as long as the user stays signed in: the token keeper
 * renews the access token before it expires (saving each renewal at once: the refresh token works once); a refused
 * renewal, or the end of the refresh token's life, goes back to the sign-in form. Until the session is ACTIVE, the
 * second factor is proved or enrolled first (SecondFactorStep); afterwards an operation that needs a fresh proof
 * opens the step-up dialog.
 */
function SignedIn({ session, onSignOut }: { session: Session; onSignOut: (why: SignOutReason) => void }) {
  const [api, setApi] = useState<{ client: ApiClient; keeper: TokenKeeper; broker: StepUpBroker } | null>(null);
  const [state, setState] = useState<SessionState>(session.state);
  const [live, setLive] = useState<LiveState>('connecting');
  const [reconnects, setReconnects] = useState(0);
  const [incidentTitle, setIncidentTitle] = useState<string | undefined>(undefined);
  const [refreshEnds, setRefreshEnds] = useState(session.refreshExpiresAt);
  const [securityOpen, setSecurityOpen] = useState(false);
  const onSignOutRef = useRef(onSignOut);
  onSignOutRef.current = onSignOut;

  useEffect(() => {
    const anonymous = createAnonymousClient();
    const keeper = new TokenKeeper(session, {
      renew: async (refreshToken) => {
        const r = await anonymous.mutation(REFRESH_SESSION, { refreshToken }).toPromise();
        if (r.data) return { kind: 'renewed', session: sessionFromLogin(r.data.refreshSession) };
        const e = answerErrorOf(r.error);
        if (e?.code === 'UNAUTHENTICATED' || e?.code === 'BAD_USER_INPUT') return { kind: 'refused', code: e.reason ?? e.code };
        return { kind: 'unreachable' };
      },
      onRenewed: (s) => {
        saveSession(s);
        setRefreshEnds(s.refreshExpiresAt);
      },
      onEnded: (code) => onSignOutRef.current(code),
    });
    setActiveKeeper(keeper);
    const broker = new StepUpBroker();
    const client = createSessionClient(keeper, {
      onLive: setLive,
      onReconnected: () => setReconnects((n) => n + 1),
      onUnauthenticated: () => onSignOutRef.current('expired'),
      stepUp: () => broker.request(),
    });
    setApi({ client, keeper, broker });
    return () => {
      setActiveKeeper(null);
      broker.settle(false);
      client.dispose();
    };
    // One client per session (the component is keyed by the session's id); renewals go through the keeper.
  }, []);

  // The refresh token's end (its idle limit, or the session's): back to the sign-in form, saying why.
  useEffect(() => {
    const ms = Date.parse(refreshEnds) - Date.now();
    const timer = Number.isFinite(ms)
      ? window.setTimeout(() => onSignOutRef.current('expired'), Math.min(Math.max(ms, 0), 2 ** 31 - 1))
      : undefined;
    return () => window.clearTimeout(timer);
  }, [refreshEnds]);

  const signOut = useCallback(() => {
    // Ends the session on the server too (its refresh token with it); signed out here whatever the answer.
    const done = () => onSignOutRef.current('user');
    if (!api) return done();
    // The socket first: the server closes it when the session ends, and a closed socket would be retried.
    api.client.dispose();
    void api.client.client.mutation(SIGN_OUT, {}).toPromise().finally(done);
  }, [api]);

  const activate = useCallback(() => {
    if (!api) return;
    const s: Session = { ...api.keeper.current, state: 'ACTIVE' };
    api.keeper.update(s);
    saveSession(s);
    setState('ACTIVE');
  }, [api]);

  if (!api) return null;
  return (
    <Provider value={api.client.client}>
      {state !== 'ACTIVE' ? (
        <>
          <Header user={session.user} onSignOut={signOut} />
          <SecondFactorStep state={state} onActive={activate} onCancel={signOut} />
        </>
      ) : (
        <>
          <Header
            user={session.user}
            live={live}
            onSignOut={signOut}
            subtitle={incidentTitle}
            onSecurity={() => setSecurityOpen((o) => !o)}
          />
          <DashboardPage user={session.user} reconnects={reconnects} onIncident={setIncidentTitle} />
          {securityOpen && <SecurityPanel onClose={() => setSecurityOpen(false)} />}
          <StepUpDialog broker={api.broker} />
        </>
      )}
    </Provider>
  );
}
