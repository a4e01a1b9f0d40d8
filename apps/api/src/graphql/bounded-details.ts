/**
 * Error output stays small whatever the input: a request naming 2,000 unknown
 * ids must not get 2,000 ids back (nor a client a megabyte of error). Applied by
 * the one error mapper to every domain error's details and message.
 *
 * - an array longer than MAX_LISTED keeps its first MAX_LISTED items; a
 *   top-level `ids: [...]` then gains `idsCount` (the full length) and the
 *   details `truncated: true`; nested arrays (inside a blocker, say) are cut
 *   the same way (the top-level flag covers them);
 * - a string longer than MAX_DETAIL_CHARS is cut with an ellipsis;
 * - the message is cut at MAX_MESSAGE_CHARS (the domain code and details
 *   carry the meaning; messages should not interpolate lists at all, see
 *   describeList in @app/common).
 */
export const MAX_LISTED = 20;
export const MAX_DETAIL_CHARS = 500;
export const MAX_MESSAGE_CHARS = 1000;

export function boundMessage(message: string): string {
  return message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS - 1)}…` : message;
}

export function boundDetails(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let truncated = false;
  for (const [key, value] of Object.entries(details)) {
    if (Array.isArray(value) && value.length > MAX_LISTED) {
      out[key] = value.slice(0, MAX_LISTED).map((v) => bound(v, 1).value);
      out[`${key}Count`] = value.length;
      truncated = true;
    } else {
      const b = bound(value, 1);
      if (b.cut) truncated = true;
      out[key] = b.value;
    }
  }
  if (truncated) out['truncated'] = true;
  return out;
}

function bound(value: unknown, depth: number): { value: unknown; cut: boolean } {
  if (typeof value === 'string') {
    return value.length > MAX_DETAIL_CHARS ? { value: `${value.slice(0, MAX_DETAIL_CHARS - 1)}…`, cut: true } : { value, cut: false };
  }
  if (depth > 4 || value === null || typeof value !== 'object' || value instanceof Date) return { value, cut: false };
  let cut = false;
  if (Array.isArray(value)) {
    if (value.length > MAX_LISTED) cut = true;
    const items = value.slice(0, MAX_LISTED).map((v) => {
      const b = bound(v, depth + 1);
      cut ||= b.cut;
      return b.value;
    });
    return { value: items, cut };
  }
  const obj: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const b = bound(v, depth + 1);
    cut ||= b.cut;
    obj[k] = b.value;
  }
  return { value: obj, cut };
}
