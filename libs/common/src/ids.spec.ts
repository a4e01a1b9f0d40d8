import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { isUuid } from './ids';

describe('isUuid', () => {
  it('accepts UUIDs in either case, and nothing else', () => {
    const id = randomUUID();
    expect(isUuid(id)).toBe(true);
    expect(isUuid(id.toUpperCase())).toBe(true);
    for (const bad of ['', 'CM-001', id.slice(1), `${id}x`, ` ${id}`, id.replace(/-/g, ''), 'g'.repeat(8) + id.slice(8), `${id}\n`])
      expect(isUuid(bad)).toBe(false);
  });
});
