import type { SessionUser } from './queries';

/** What a session may do (the API's SessionState): everything, or first prove or enrol a second factor. */
export type SessionState = 'ACTIVE' | 'SECOND_FACTOR_PENDING' | 'ENROLMENT_PENDING';

/**
 * The signed-in session. Kept in sessionStorage: it survives a reload of the
 * tab, ends with the tab, is not shared with other tabs, and is never sent by
 * the browser on its own (unlike a cookie, so no CSRF); sign-out removes it.
 *
 * The access token lives a few minutes (`expiresAt`); the refresh token
 * (single use: the server ends the whole session when one is used twice) buys
 * the next pair until `refreshExpiresAt`. Every renewal is saved here at once,
 * so a reload uses the newest refresh token, never a spent one.
 */
export interface Session {
  /** The server's session id (one per sign-in). */
  id: string;
  state: SessionState;
  token: string;
  expiresAt: string;
  refreshToken: string;
  refreshExpiresAt: string;
  user: SessionUser;
}

/** The tokens and the session as `login`, `refreshSession` and `completeSsoSignIn` answer them. */
export interface LoginAnswer {
  accessToken: string;
  expiresAt: string;
  refreshToken: string;
  refreshExpiresAt: string;
  session: { id: string; state: string };
  user: SessionUser;
}

const KEY = 'rt.session';
const STATES: readonly string[] = ['ACTIVE', 'SECOND_FACTOR_PENDING', 'ENROLMENT_PENDING'];

/** The session a sign-in (or a renewal) answered. An unknown state is treated as the strictest: prove a factor. */
export function sessionFromLogin(answer: LoginAnswer): Session {
  return {
    id: answer.session.id,
    state: (STATES.includes(answer.session.state) ? answer.session.state : 'SECOND_FACTOR_PENDING') as SessionState,
    token: answer.accessToken,
    expiresAt: answer.expiresAt,
    refreshToken: answer.refreshToken,
    refreshExpiresAt: answer.refreshExpiresAt,
    user: answer.user,
  };
}

/** A stored session, while its refresh token can still renew it (the access token may have expired meanwhile). */
export function loadSession(storage: Storage = window.sessionStorage, now: number = Date.now()): Session | null {
  try {
    const raw = storage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<Session>;
    const usable =
      typeof s.token === 'string' &&
      typeof s.refreshToken === 'string' &&
      typeof s.id === 'string' &&
      typeof s.state === 'string' &&
      STATES.includes(s.state) &&
      !!s.user &&
      typeof s.refreshExpiresAt === 'string' &&
      Date.parse(s.refreshExpiresAt) > now;
    if (!usable) {
      storage.removeItem(KEY);
      return null;
    }
    return s as Session;
  } catch {
    return null;
  }
}

export function saveSession(session: Session, storage: Storage = window.sessionStorage): void {
  storage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(storage: Storage = window.sessionStorage): void {
  storage.removeItem(KEY);
}
