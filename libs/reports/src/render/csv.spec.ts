import { describe, expect, it } from 'vitest';
import { parseRfc4180 } from '../testing/rfc4180';
import { sampleCountermeasure, sampleStatusReport } from '../testing/sample-status-report';
import { COUNTERMEASURE_COLUMNS, CSV_WIDTH, csvField, renderCsv } from './csv';

function blocks(csv: Buffer): string[][][] {
  const records = parseRfc4180(csv.toString('utf8').replace(/^\uFEFF/, ''));
  const out: string[][][] = [[]];
  for (const r of records) {
    if (r.every((f) => f === '')) out.push([]);
    else out[out.length - 1]!.push(r);
  }
  return out;
}

describe('renderCsv', () => {
  it('is UTF-8 with a BOM, CRLF record ends, and the same number of fields in every record (RFC 4180)', () => {
    const csv = renderCsv(sampleStatusReport());
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = csv.toString('utf8');
    expect(text.endsWith('\r\n')).toBe(true);
    const records = parseRfc4180(text.slice(1));
    expect(records.length).toBeGreaterThan(30);
    expect(new Set(records.map((r) => r.length))).toEqual(new Set([CSV_WIDTH]));
  });

  it('lays out six blocks: report and case, countermeasures, engagements, findings per severity, findings, gates', () => {
    const [head, cms, engagements, bySeverity, findings, gates] = blocks(renderCsv(sampleStatusReport()));
    const item = (label: string) => head!.find((r) => r[0]!.startsWith(label))?.[1];
    expect(head![0]!.slice(0, 2)).toEqual(['項目 / Item', '値 / Value']);
    expect(item('作成日時 (UTC)')).toBe('2026-08-03T05:04:05.678Z');
    expect(item('作成日時 (日本時間)')).toBe('2026-08-03T14:04:05+09:00');
    expect(item('作成者')).toBe('佐藤 一郎 <president@example.com>');
    expect(item('事案 / Incident')).toBe('通信教育事業における顧客情報の漏えい');
    expect(item('漏えいした情報')).toBe('郵便番号、お名前、ご住所');
    expect(item('公表日')).toBe('2026-07-09');

    expect(cms![0]).toEqual([...COUNTERMEASURE_COLUMNS]);
    expect(cms!.slice(1).map((r) => r[0])).toEqual(['CM-001', 'CM-002', 'CM-003']);
    const cm1 = cms![1]!;
    expect(cm1.slice(0, 9)).toEqual([
      'CM-001',
      '当該データベースの稼働停止',
      'DB_SHUTDOWN',
      '田中 花子',
      'VERIFIED',
      '2026-09-30',
      'FALSE',
      'FALSE',
      'FALSE',
    ]);
    expect(cm1.slice(9)).toEqual(['3', '2', '1', '0', 'a'.repeat(64), '2026-07-20T01:02:03.004Z', 'auditor@example.com']);
    expect(cms![2]![6]).toBe('TRUE'); // overdue

    expect(engagements![1]!.slice(0, 7)).toEqual([
      '情報システム運用プロセス監査',
      '株式会社セキュリティ監査',
      'FIELDWORK',
      '鈴木 監査',
      '2026-07-15',
      '',
      'FALSE',
    ]);
    expect(bySeverity!.slice(1).map((r) => r.slice(0, 3))).toEqual([
      ['CRITICAL', '0', '0'],
      ['HIGH', '1', '0'],
      ['MEDIUM', '0', '1'],
      ['LOW', '0', '0'],
    ]);
    expect(findings!.slice(1).map((r) => r[0])).toEqual(['F-001', 'F-002']);
    expect(gates![1]!.slice(0, 4)).toEqual(['new-customer-promotion', '新規顧客向け販売促進', 'SUSPENDED', 'FALSE']);
    expect(gates![1]![5]).toBe('CM-002 は未検証です (IN_PROGRESS)\n外部監査の安全確認がありません');
  });

  it('neutralises formulas: a field starting with = + - @ (tab, CR, full-width forms) gets a leading apostrophe', () => {
    const report = sampleStatusReport({
      countermeasures: [
        sampleCountermeasure(1, { title: '=HYPERLINK("http://evil.example/","click")', ownerName: '@SUM(A1:A9)' }),
        sampleCountermeasure(2, { title: '+81-3-1234-5678', ownerName: '-2+3' }),
        sampleCountermeasure(3, { title: '\t=1+1', ownerName: '＝１＋１' }),
        sampleCountermeasure(4, { title: 'アクセス権限の見直し = 完了', ownerName: 'A-san' }),
      ],
    });
    const [, cms] = blocks(renderCsv(report));
    const rows = cms!.slice(1);
    expect(rows.map((r) => [r[1], r[3]])).toEqual([
      [`'=HYPERLINK("http://evil.example/","click")`, `'@SUM(A1:A9)`],
      [`'+81-3-1234-5678`, `'-2+3`],
      [`'\t=1+1`, `'＝１＋１`],
      ['アクセス権限の見直し = 完了', 'A-san'], // only the first character counts
    ]);
    // Keys, dates and numbers are untouched.
    expect(rows.map((r) => r[0])).toEqual(['CM-001', 'CM-002', 'CM-003', 'CM-004']);
    expect(rows[0]![5]).toBe('2026-09-30');
  });

  it('quotes only what needs quoting, doubling quotes; commas and newlines survive the round trip', () => {
    expect(csvField('CM-001')).toBe('CM-001');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('「重要」"注意"')).toBe('"「重要」""注意"""');
    expect(csvField('一行目\r\n二行目')).toBe('"一行目\r\n二行目"');
    expect(csvField(null)).toBe('');
    expect(csvField(true)).toBe('TRUE');
    expect(csvField(0)).toBe('0');
    expect(csvField('=1')).toBe("'=1");
    expect(csvField('=1,2')).toBe(`"'=1,2"`);

    const title = '監視の強化, 持ち出し制限\n（"外部専門機関"）';
    const [, cms] = blocks(renderCsv(sampleStatusReport({ countermeasures: [sampleCountermeasure(1, { title })] })));
    expect(cms![1]![1]).toBe(title);
  });
});
