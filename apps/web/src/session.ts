import type { SessionUser } from './queries';

/**
 * The signed-in session. Kept in sessionStorage: it survives a reload of the
 * tab, ends with the tab, is not shared with other tabs, and is never sent by
 * the browser on its own (unlike a cookie, so no CSRF); sign-out removes it.
 */
export interface Session {
  token: string;
  expiresAt: string;
  user: SessionUser;
}

const KEY = 'rt.session';

export function loadSession(storage: Storage = window.sessionStorage): Session | null {
  try {
    const raw = storage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (typeof s.token !== 'string' || !s.user || Date.parse(s.expiresAt) <= Date.now()) {
      storage.removeItem(KEY);
      return null;
    }
    return s;
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
