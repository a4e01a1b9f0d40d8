/** The SQL of a CHECK constraint that keeps a text column within a fixed list of values. */
export function inListCheck(column: string, values: readonly string[]): string {
  return `"${column}" IN (${values.map((v) => `'${v}'`).join(', ')})`;
}
