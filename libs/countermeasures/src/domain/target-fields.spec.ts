import { describe, expect, it } from 'vitest';
import { CountermeasureError } from './countermeasure.errors';
import { MAX_REASON_LENGTH } from './countermeasure-fields';
import { targetNote } from './target-fields';

describe("a target's note", () => {
  it('is stored trimmed; null leaves the note as it is; an empty note clears it', () => {
    expect(targetNote('  顧客DB-3 は権限棚卸し済み  ')).toBe('顧客DB-3 は権限棚卸し済み');
    expect(targetNote(null)).toBeNull();
    expect(targetNote('')).toBe('');
  });

  it(`counts characters, not bytes or UTF-16 units: ${MAX_REASON_LENGTH} kanji (or emoji) pass, one more is INVALID_FIELD on note`, () => {
    expect(targetNote('漢'.repeat(MAX_REASON_LENGTH))).toHaveLength(MAX_REASON_LENGTH);
    expect(() => targetNote('😀'.repeat(MAX_REASON_LENGTH))).not.toThrow();
    let err: unknown;
    try {
      targetNote('漢'.repeat(MAX_REASON_LENGTH + 1));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CountermeasureError);
    expect((err as CountermeasureError).code).toBe('INVALID_FIELD');
    expect((err as CountermeasureError).details).toEqual({ field: 'note' });
  });
});
