/**
 * A list named in an error message, bounded: the first few items, then how
 * many more. A request may name thousands of unknown ids; the answer must not
 * echo them all (the API's error mapper caps lists in error details the same way).
 */
export function describeList(items: readonly string[], shown = 5): string {
  if (items.length <= shown) return items.join(', ');
  return `${items.slice(0, shown).join(', ')} and ${(items.length - shown).toLocaleString('en-US')} more`;
}
