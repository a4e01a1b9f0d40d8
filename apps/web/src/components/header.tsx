import { LANGS, enumLabel, type Lang } from '../i18n';
import { useI18n } from '../i18n-context';
import type { LiveState } from '../graphql-client';
import type { SessionUser } from '../queries';
import { useSecurityWords } from './use-security-words';

const LANG_NAMES: Record<Lang, string> = { ja: '日本語', en: 'English' };

/** Title, the signed-in user, the live feed's state, the language switch and sign-out. */
export function Header(props: {
  user?: SessionUser;
  live?: LiveState;
  onSignOut?: () => void;
  subtitle?: string;
  /** Opens (or closes) the security panel: sessions, second factors. */
  onSecurity?: () => void;
}) {
  const { lang, t, setLang } = useI18n();
  const { st } = useSecurityWords();
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
            {props.onSecurity && (
              <button type="button" className="security" onClick={props.onSecurity} data-testid="open-security">
                {st('security.open')}
              </button>
            )}
            <button type="button" className="sign-out" onClick={props.onSignOut}>
              {t('header.signOut')}
            </button>
          </>
        )}
      </div>
    </header>
  );
}
