import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Provider } from 'urql';
import { createSessionClient, type ApiClient, type LiveState } from './graphql-client';
import { LANG_STORAGE_KEY, pickLanguage, translator, type Lang } from './i18n';
import { I18nContext, type I18n } from './i18n-context';
import { clearSession, loadSession, saveSession, type Session } from './session';
import { DashboardPage } from './components/dashboard-page';
import { Header } from './components/header';
import { SignIn } from './components/sign-in';

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
  const [expired, setExpired] = useState(false);

  const signIn = useCallback((s: Session) => {
    saveSession(s);
    setExpired(false);
    setSession(s);
  }, []);
  const signOut = useCallback((why: 'user' | 'expired') => {
    clearSession();
    setSession(null);
    setExpired(why === 'expired');
  }, []);

  return (
    <I18nContext.Provider value={i18n}>
      {session ? (
        <SignedIn key={session.token} session={session} onSignOut={signOut} />
      ) : (
        <>
          <Header />
          <SignIn onSignedIn={signIn} notice={expired ? i18n.t('signIn.expired') : null} />
        </>
      )}
    </I18nContext.Provider>
  );
}

/** Holds the session's API client (HTTP + WebSocket) for as long as the user stays signed in. */
function SignedIn({ session, onSignOut }: { session: Session; onSignOut: (why: 'user' | 'expired') => void }) {
  const [api, setApi] = useState<ApiClient | null>(null);
  const [live, setLive] = useState<LiveState>('connecting');
  const [reconnects, setReconnects] = useState(0);
  const [incidentTitle, setIncidentTitle] = useState<string | undefined>(undefined);
  const onSignOutRef = useRef(onSignOut);
  onSignOutRef.current = onSignOut;

  useEffect(() => {
    const created = createSessionClient(session.token, {
      onLive: setLive,
      onReconnected: () => setReconnects((n) => n + 1),
      onUnauthenticated: () => onSignOutRef.current('expired'),
    });
    setApi(created);
    // The token's end: back to the sign-in form, saying why.
    const ms = Date.parse(session.expiresAt) - Date.now();
    const timer = Number.isFinite(ms)
      ? window.setTimeout(() => onSignOutRef.current('expired'), Math.min(Math.max(ms, 0), 2 ** 31 - 1))
      : undefined;
    return () => {
      window.clearTimeout(timer);
      created.dispose();
    };
  }, [session.token, session.expiresAt]);

  if (!api) return null;
  return (
    <Provider value={api.client}>
      <Header user={session.user} live={live} onSignOut={() => onSignOut('user')} subtitle={incidentTitle} />
      <DashboardPage user={session.user} reconnects={reconnects} onIncident={setIncidentTitle} />
    </Provider>
  );
}
