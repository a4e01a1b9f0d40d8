import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Authenticator secrets at rest: AES-256-GCM under a key derived (HKDF-SHA-256) from SECOND_FACTOR_KEY, with the
 * row's id as additional data, so a copied database alone does not give anyone the codes, and a ciphertext moved
 * to another factor's row does not decrypt.
 *
 * Stored form: `v1.<iv>.<tag>.<ciphertext>`, each part base64url (iv 12 bytes, tag 16 bytes).
 */
const VERSION = 'v1';
const INFO = 'remediation-tracker/totp-secrets/v1';

export class SecretBox {
  private readonly key: Buffer;

  /** `secret`: SECOND_FACTOR_KEY (or the generated one), at least 32 characters. */
  constructor(secret: string) {
    if (secret.length < 32) throw new Error('The second-factor key must be at least 32 characters');
    this.key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), INFO, 32));
  }

  seal(plaintext: string, boundTo: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(boundTo, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  /** The plaintext; throws when the stored form, the key or `boundTo` is not the one it was sealed with. */
  open(sealed: string, boundTo: string): string {
    const [version, iv, tag, ciphertext, ...rest] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || ciphertext === undefined || rest.length > 0) {
      throw new Error('Not a sealed second-factor secret');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(boundTo, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }
}
