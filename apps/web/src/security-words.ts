import { fillPlaceholders, type Lang } from './i18n';

/**
 * The words of signing in beyond the password and of the security panel (issue 16: second factors, step-up, single
 * sign-on, one's sessions), in the page's two languages, kept beside i18n.ts as the duties' and the hotline's. Every
 * key exists in both (the type of `en` is derived from `ja`).
 */
const ja = {
  'signIn.sso': 'シングルサインオン（SSO）でサインイン',
  'signIn.ssoRefused': 'シングルサインオンでサインインできませんでした（{code}）。もう一度お試しください。',
  'signIn.ended': 'セッションが終了しました（{code}）。もう一度サインインしてください。',
  'mfa.verify.title': '二要素認証',
  'mfa.verify.lead': '認証アプリに表示されている 6 桁のコード、または回復コードを入力してください。',
  'mfa.code': 'コード',
  'mfa.verify.submit': '確認する',
  'mfa.passkey': 'パスキーを使う',
  'mfa.invalid': 'コードが正しくないか、すでに使われています。',
  'mfa.throttled': '失敗が続いたため、しばらく受け付けません。時間をおいてお試しください。',
  'mfa.error': 'エラー（{code}）: {message}',
  'mfa.busy': '処理中…',
  'mfa.cancelSignIn': 'サインインをやめる',
  'mfa.enrol.title': '二要素認証の設定',
  'mfa.enrol.lead': 'あなたの役割では二要素認証が必要です。認証アプリかパスキーを登録すると、サインインが完了します。',
  'mfa.enrol.label': '名前（例: 業務用 iPhone）',
  'mfa.enrol.app': '認証アプリを登録する',
  'mfa.enrol.passkey': 'パスキーを登録する',
  'mfa.enrol.defaultApp': '認証アプリ',
  'mfa.enrol.defaultPasskey': 'パスキー',
  'mfa.enrol.scan': '認証アプリで QR コードを読み取るか、秘密鍵を入力してください。',
  'mfa.enrol.qr': '認証アプリ登録用の QR コード',
  'mfa.enrol.secret': '秘密鍵',
  'mfa.enrol.uri': 'otpauth URI',
  'mfa.enrol.confirmLead': '登録したアプリに表示されている 6 桁のコードを入力してください。',
  'mfa.enrol.confirm': '登録を確定する',
  'mfa.enrol.back': '戻る',
  'mfa.recovery.title': '回復コード',
  'mfa.recovery.lead':
    'この回復コードはいまだけ表示されます。安全な場所に保管してください。認証アプリやパスキーを使えないとき、各コードを 1 回だけ使えます。',
  'mfa.recovery.saved': '保管しました',
  'mfa.passkey.failed': 'パスキーを使えませんでした: {message}',
  'mfa.passkey.unsupported': 'このブラウザはパスキーに対応していません。',
  'stepUp.title': '本人確認',
  'stepUp.lead': 'この操作には直近 5 分以内の二要素認証が必要です。コードを入力するか、パスキーを使ってください。',
  'stepUp.submit': '確認して続ける',
  'stepUp.cancel': 'キャンセル',
  'security.open': 'セキュリティ',
  'security.title': 'セキュリティ',
  'security.close': '閉じる',
  'security.sessions': 'サインイン中のセッション',
  'security.device': '端末（ブラウザ）',
  'security.address': 'アドレス',
  'security.signedInAt': 'サインイン',
  'security.lastSeen': '最終利用',
  'security.current': 'この端末',
  'security.end': '終了する',
  'security.ended': 'セッションを終了しました。',
  'security.unknown': '不明',
  'security.factors': '二要素認証',
  'security.noFactors': '登録されている二要素認証はありません。',
  'security.kind.TOTP': '認証アプリ',
  'security.kind.PASSKEY': 'パスキー',
  'security.lastUsed': '最終使用',
  'security.neverUsed': '未使用',
  'security.remove': '削除する',
  'security.removed': '「{label}」を削除しました。',
  'security.recoveryLeft': '未使用の回復コード: {n} 件',
  'security.regenerate': '回復コードを作り直す',
  'security.error': 'エラー（{code}）: {message}',
};
export type SecurityKey = keyof typeof ja;

const en: Record<SecurityKey, string> = {
  'signIn.sso': 'Sign in with single sign-on (SSO)',
  'signIn.ssoRefused': 'Single sign-on did not sign you in ({code}). Please try again.',
  'signIn.ended': 'Your session has ended ({code}). Please sign in again.',
  'mfa.verify.title': 'Second factor',
  'mfa.verify.lead': 'Enter the six-digit code your authenticator app shows, or one of your recovery codes.',
  'mfa.code': 'Code',
  'mfa.verify.submit': 'Verify',
  'mfa.passkey': 'Use a passkey',
  'mfa.invalid': 'The code is not correct, or it was already used.',
  'mfa.throttled': 'Too many failed attempts: refused for a while. Try again later.',
  'mfa.error': 'Error ({code}): {message}',
  'mfa.busy': 'Working…',
  'mfa.cancelSignIn': 'Cancel the sign-in',
  'mfa.enrol.title': 'Set up a second factor',
  'mfa.enrol.lead': 'Your role requires a second factor. Enrol an authenticator app or a passkey to finish signing in.',
  'mfa.enrol.label': 'Name (e.g. work iPhone)',
  'mfa.enrol.app': 'Enrol an authenticator app',
  'mfa.enrol.passkey': 'Register a passkey',
  'mfa.enrol.defaultApp': 'Authenticator app',
  'mfa.enrol.defaultPasskey': 'Passkey',
  'mfa.enrol.scan': 'Scan the QR code with your authenticator app, or type the secret into it.',
  'mfa.enrol.qr': 'QR code to add the tracker to an authenticator app',
  'mfa.enrol.secret': 'Secret',
  'mfa.enrol.uri': 'otpauth URI',
  'mfa.enrol.confirmLead': 'Enter the six-digit code the app now shows.',
  'mfa.enrol.confirm': 'Confirm the enrolment',
  'mfa.enrol.back': 'Back',
  'mfa.recovery.title': 'Recovery codes',
  'mfa.recovery.lead':
    'These recovery codes are shown only now. Keep them somewhere safe: when you cannot use your app or passkey, each code works once.',
  'mfa.recovery.saved': 'I have saved them',
  'mfa.passkey.failed': 'The passkey could not be used: {message}',
  'mfa.passkey.unsupported': 'This browser does not support passkeys.',
  'stepUp.title': 'Confirm it is you',
  'stepUp.lead': 'This operation needs a second-factor proof from the last five minutes. Enter a code, or use a passkey.',
  'stepUp.submit': 'Confirm and continue',
  'stepUp.cancel': 'Cancel',
  'security.open': 'Security',
  'security.title': 'Security',
  'security.close': 'Close',
  'security.sessions': 'Signed-in sessions',
  'security.device': 'Device (browser)',
  'security.address': 'Address',
  'security.signedInAt': 'Signed in',
  'security.lastSeen': 'Last seen',
  'security.current': 'this device',
  'security.end': 'End',
  'security.ended': 'The session was ended.',
  'security.unknown': 'unknown',
  'security.factors': 'Second factors',
  'security.noFactors': 'No second factor is enrolled.',
  'security.kind.TOTP': 'Authenticator app',
  'security.kind.PASSKEY': 'Passkey',
  'security.lastUsed': 'Last used',
  'security.neverUsed': 'never',
  'security.remove': 'Remove',
  'security.removed': 'Removed “{label}”.',
  'security.recoveryLeft': 'Unused recovery codes: {n}',
  'security.regenerate': 'Make new recovery codes',
  'security.error': 'Error ({code}): {message}',
};

const DICTIONARIES: Record<Lang, Record<SecurityKey, string>> = { ja, en };

/** Every message of one language (for the test that both languages say the same things). */
export function securityMessages(lang: Lang): Readonly<Record<SecurityKey, string>> {
  return DICTIONARIES[lang];
}

export type SecurityTranslate = (key: SecurityKey, vars?: Record<string, string | number>) => string;

export function securityTranslator(lang: Lang): SecurityTranslate {
  const dict = DICTIONARIES[lang];
  return (key, vars) => fillPlaceholders(dict[key], vars);
}

/** A second factor's kind in words, or the value itself for a kind this page does not know yet. */
export function factorKindLabel(t: SecurityTranslate, kind: string): string {
  const key = `security.kind.${kind}`;
  return key in ja ? t(key as SecurityKey) : kind;
}

/**
 * What the person typed as a second-factor code, as the server reads it: a six-digit app code without the spaces
 * apps show in the middle ("123 456"); a recovery code (xxxx-xxxx-xxxx-xxxx) trimmed and in lower case.
 */
export function normalizeCode(typed: string): string {
  const trimmed = typed.trim();
  const digits = trimmed.replace(/[\s-]/g, '');
  if (/^\d{6,8}$/.test(digits)) return digits;
  return trimmed.toLowerCase();
}

/**
 * The address's single sign-on hand-off (#sso=<code>, or #sso-error=<CODE>&reason=...), or null when the fragment is
 * not one (e.g. #duties).
 */
export function readSsoFragment(hash: string): { code: string } | { error: string } | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const code = params.get('sso');
  if (code) return { code };
  const error = params.get('sso-error');
  // The reason (UNMAPPED_GROUP, USER_DEACTIVATED, ...) says more than the code, as completeSsoSignIn's refusals do.
  if (error) return { error: params.get('reason') || error };
  return null;
}

const BROWSERS: [RegExp, string][] = [
  [/Edg\/(\d+)/, 'Edge'],
  [/Firefox\/(\d+)/, 'Firefox'],
  [/(?:Chrome|Chromium)\/(\d+)/, 'Chrome'],
  [/Version\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
];
const SYSTEMS: [RegExp, string][] = [
  [/iPhone|iPad/, 'iOS'],
  [/Android/, 'Android'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux/, 'Linux'],
];

/** A User-Agent in a few words: the browser and the system ("Chrome 131 · Linux"), or the text itself (shortened). */
export function deviceLabel(userAgent: string | null): string | null {
  if (!userAgent) return null;
  let browser: string | null = null;
  for (const [re, name] of BROWSERS) {
    const m = re.exec(userAgent);
    if (m) {
      browser = `${name} ${m[1]}`;
      break;
    }
  }
  const system = SYSTEMS.find(([re]) => re.test(userAgent))?.[1] ?? null;
  if (!browser && !system) return userAgent.slice(0, 80);
  return [browser, system].filter(Boolean).join(' · ');
}
