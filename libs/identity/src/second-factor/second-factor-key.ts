import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * SECOND_FACTOR_KEY when set (required in production by the config validation); otherwise a random key generated
 * once and kept in DATA_DIR/second-factor-key, so that enrolled authenticator apps survive a restart of a
 * development server. Losing the key loses every enrolled authenticator app (users then sign in with a recovery
 * code and enrol again).
 */
export function resolveSecondFactorKey(config: { SECOND_FACTOR_KEY?: string; DATA_DIR: string }): string {
  if (config.SECOND_FACTOR_KEY) return config.SECOND_FACTOR_KEY;
  const file = path.resolve(config.DATA_DIR, 'second-factor-key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(48).toString('base64url');
  try {
    fs.writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
    return key;
  } catch {
    // another process wrote it first
    return fs.readFileSync(file, 'utf8').trim();
  }
}
