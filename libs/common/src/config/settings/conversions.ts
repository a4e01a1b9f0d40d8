/**
 * What the settings files share: turning environment strings into values (for
 * class-transformer's @Transform), and the shape of a group of settings.
 */

/**
 * A group of settings is a mixin: a function that extends the settings before
 * it with its own (see ../app-config.ts, which stacks them into AppConfig).
 * TypeScript requires a mixin's base to have a constructor `(...args: any[])`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SettingsBase = new (...args: any[]) => object;

export type NodeEnv = 'development' | 'production' | 'test';

/** The settings every group may consult (NODE_ENV is in ./server.settings.ts). */
export interface RunsIn {
  NODE_ENV: NodeEnv;
}

export const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value; // left as a string: @IsBoolean reports it
};

export const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;

export const emptyToUndefined = ({ value }: { value: unknown }): unknown => (value === '' ? undefined : value);

export const toList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim().toLowerCase())
        .filter((v) => v !== '')
    : value;

/**
 * An http:// or https:// URL with a host, optionally a path, and no user,
 * password, query or fragment (a base that paths and queries are appended to).
 */
export function isHttpBaseUrl(value: unknown): boolean {
  if (typeof value !== 'string' || !/^https?:\/\/[^/?#\s]/i.test(value) || /[?#\s]/.test(value)) return false;
  try {
    const url = new URL(value);
    return url.hostname !== '' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}
