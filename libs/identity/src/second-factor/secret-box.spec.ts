import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box';

const KEY = 'k'.repeat(32);

describe('SecretBox (authenticator secrets at rest)', () => {
  it('opens what it sealed, for the same row', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 'factor-1');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('GEZDGNBV');
    expect(box.open(sealed, 'factor-1')).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  });

  it('seals the same secret differently each time (random IV)', () => {
    const box = new SecretBox(KEY);
    expect(box.seal('same', 'f')).not.toBe(box.seal('same', 'f'));
  });

  it('refuses to open for another row, under another key, or after tampering', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('secret', 'factor-1');
    expect(() => box.open(sealed, 'factor-2')).toThrow();
    expect(() => new SecretBox('x'.repeat(32)).open(sealed, 'factor-1')).toThrow();
    const [v, iv, tag, ct] = sealed.split('.');
    const flipped = Buffer.from(ct!, 'base64url');
    flipped[0] ^= 1;
    expect(() => box.open([v, iv, tag, flipped.toString('base64url')].join('.'), 'factor-1')).toThrow();
    expect(() => box.open('v2.a.b.c', 'factor-1')).toThrow();
    expect(() => box.open('not sealed', 'factor-1')).toThrow();
  });

  it('refuses a key shorter than 32 characters', () => {
    expect(() => new SecretBox('short')).toThrow();
  });
});
