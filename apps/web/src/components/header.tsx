import { LANGS, enumLabel, type Lang } from '../i18n';
import { useI18n } from '../i18n-context';
import type { LiveState } from '../graphql-client';
import type { SessionUser } from '../queries';

const LANG_NAMES: Record<Lang, string> = { ja: '日本語', en: 'English' };

/** Title, the signed-in user, the live feed's state, the language switch and sign-out. */
export function Header(props: { user?: SessionUser; live?: LiveState; onSignOut?: () => void; subtitle?: string }) {
  const { lang, t, setLang } = useI18n();
  return (
    <header className="app-header">
      <div className="app-title">
        <h1>{t('app.title')}</h1>
        <p className="subtitle">{props.subtitle ?? t('app.subtitle')}</p>
      </div>
      <div className="header-tools">
        {props.live && (
          <span className={`live live-${props.live}`} data-testid="live-state" data-state={props.live}>
            <span className="live-dot" aria-hidden="true" />
            {t(props.live === 'connected' ? 'live.connected' : props.live === 'connecting' ? 'live.connecting' : 'live.reconnecting')}
          </span>
        )}
        <div className="lang-switch" role="group" aria-label={t('header.language')}>
          {LANGS.map((l) => (
            <button
              key={l}
              type="button"
              lang={l}
              aria-pressed={lang === l}
              className={lang === l ? 'active' : ''}
              onClick={() => setLang(l)}
            >
              {LANG_NAMES[l]}
            </button>
          ))}
        </div>
        {props.user && (
          <>
            <span className="user" data-testid="signed-in-user">
              {t('header.signedInAs', {
                name: props.user.displayName,
                roles: props.user.roles.map((r) => enumLabel(t, 'role', r)).join('・'),
              })}
            </span>
            <button type="button" className="sign-out" onClick={props.onSignOut}>
              {t('header.signOut')}
            </button>
          </>
        )}
      </div>
    </header>
  );
}
