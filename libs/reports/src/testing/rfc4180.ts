/**
 * A strict RFC 4180 reader for tests: CRLF record ends, quoted fields with
 * doubled quotes, CR/LF allowed inside quotes only. Throws on anything else
 * (a bare LF between records, a quote inside an unquoted field, text after a
 * closing quote), so that a test parsing the report proves it is well formed.
 */
export function parseRfc4180(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  const n = text.length;
  if (n === 0) return records;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= n) throw new Error('Unterminated quoted field');
        const ch = text[i]!;
        if (ch === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += ch;
        i++;
      }
    } else {
      while (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`A quote inside an unquoted field at ${i}`);
        field += text[i];
        i++;
      }
    }
    record.push(field);
    if (i >= n) throw new Error('The last record does not end with CRLF');
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text[i] === '\r' && text[i + 1] === '\n') {
      records.push(record);
      record = [];
      i += 2;
      if (i >= n) return records;
      continue;
    }
    throw new Error(`Expected a comma or CRLF at ${i}, found ${JSON.stringify(text[i])}`);
  }
}
