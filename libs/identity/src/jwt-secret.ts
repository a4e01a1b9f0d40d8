import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AppConfig } from '@app/common';

/**
 * JWT_SECRET when set (required in production by the config validation);
 * otherwise a random secret generated once and kept in DATA_DIR/jwt-secret,
 * so that tokens survive a restart of a development server.
 */
export function resolveJwtSecret(config: Pick<AppConfig, 'JWT_SECRET' | 'DATA_DIR'>): string {
  if (config.JWT_SECRET) return config.JWT_SECRET;
  const file = path.resolve(config.DATA_DIR, 'jwt-secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  try {
    fs.writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
    return secret;
  } catch {
    // another process wrote it first
    return fs.readFileSync(file, 'utf8').trim();
  }
}

/**
 * The secret as a KeyObject, to make once: given a string, jsonwebtoken first
 * tries it as a PEM key (an exception) before making the same secret key, on
 * every sign and verify. (Its typings and passport-jwt's name only string |
 * Buffer; both hand it to jsonwebtoken, which takes a KeyObject.)
 */
export function jwtKey(config: Pick<AppConfig, 'JWT_SECRET' | 'DATA_DIR'>): KeyObject {
  return createSecretKey(Buffer.from(resolveJwtSecret(config), 'utf8'));
}
