import { CountermeasureError, CountermeasureErrorCode } from './countermeasure.errors';
import { MAX_REASON_LENGTH } from './countermeasure-fields';

/**
 * A target's note as stored: trimmed, at most MAX_REASON_LENGTH characters
 * (code points: a Japanese character counts one), else INVALID_FIELD on note.
 * null means "leave the note as it is".
 */
export function targetNote(note: string | null): string | null {
  if (note == null) return null;
  if ([...note].length > MAX_REASON_LENGTH) {
    throw new CountermeasureError(CountermeasureErrorCode.INVALID_FIELD, `note must be at most ${MAX_REASON_LENGTH} characters`, {
      field: 'note',
    });
  }
  return note.trim();
}
