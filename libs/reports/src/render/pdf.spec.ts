import { describe, expect, it } from 'vitest';
import { REPORT_TITLE_JA } from '../domain/status-report';
import { readPdfText } from '../testing/pdf-text';
import { sampleCountermeasure, sampleStatusReport } from '../testing/sample-status-report';
import { renderPdf } from './pdf';

describe('renderPdf', () => {
  it('writes a PDF whose text (read back through the embedded fonts’ ToUnicode maps) holds the Japanese title, the case and every countermeasure', async () => {
    const report = sampleStatusReport();
    const pdf = await renderPdf(report, { compress: false });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-6).toString('latin1')).toMatch(/%%EOF\s*$/);
    const { pages, baseFonts } = readPdfText(pdf);
    expect(baseFonts.map((f) => f.replace(/^[A-Z]{6}\+/, '')).sort()).toEqual(['NotoSansJP-Bold', 'NotoSansJP-Regular']);
    const runs = pages.flatMap((p) => p.runs);
    expect(pages[0]!.runs[0]).toBe(REPORT_TITLE_JA);
    expect(runs).toEqual(
      expect.arrayContaining([
        'CM-001',
        'CM-002',
        'CM-003',
        '当該データベースの稼働停止',
        '通信教育事業における顧客情報の漏えい',
        '田中 花子',
      ]),
    );
    expect(runs.some((r) => r.includes('作成日時 / Generated: 2026-08-03 14:04 JST'))).toBe(true);
    expect(runs).toContain(`1 / ${pages.length}`);
    expect(runs.join('')).not.toContain('\uFFFD');
  });

  it('embeds the fonts as subsets, sets CreationDate to the report time, and gives the same bytes for the same report', async () => {
    const report = sampleStatusReport();
    const a = await renderPdf(report);
    const b = await renderPdf(report);
    expect(a.equals(b)).toBe(true);
    expect(a.length).toBeLessThan(300_000); // subsets, not the 5 MB font files
    expect(readPdfText(a).pages[0]!.runs[0]).toBe(REPORT_TITLE_JA); // deflated streams read back too
    const raw = (await renderPdf(report, { compress: false })).toString('latin1');
    expect(raw).toContain('/CreationDate');
    expect(raw).toContain('(D:20260803050405Z)');
    expect(raw).toMatch(/\/FontFile2 \d+ 0 R/);
    expect(raw).toContain('/Lang (ja-JP)');
  });

  it('spreads a long table over pages, each with its page number, and every countermeasure key once', async () => {
    const many = Array.from({ length: 60 }, (_, n) =>
      sampleCountermeasure(n + 1, { title: `外部専門機関による常時監視の実施と月次報告の確認（第${n + 1}回）` }),
    );
    const pdf = await renderPdf(sampleStatusReport({ countermeasures: many }), { compress: false });
    const { pages } = readPdfText(pdf);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    pages.forEach((p, n) => expect(p.runs).toContain(`${n + 1} / ${pages.length}`));
    const all = pages.flatMap((p) => p.runs);
    const table = all.slice(all.indexOf('3. 対策一覧 / Countermeasures'), all.indexOf('4. 外部監査 / External audit'));
    const keys = table.filter((r) => /^CM-\d{3}$/.test(r));
    expect(keys).toEqual(many.map((c) => c.key));
    // Every page the table runs on starts it with the header again.
    let inTable = false;
    const tablePages: string[][] = [];
    for (const p of pages) {
      const runsInTable = p.runs.filter((r) => {
        if (r === '3. 対策一覧 / Countermeasures') inTable = true;
        if (r === '4. 外部監査 / External audit') inTable = false;
        return inTable;
      });
      if (runsInTable.some((r) => /^CM-\d{3}$/.test(r))) tablePages.push(runsInTable);
    }
    expect(tablePages.length).toBeGreaterThanOrEqual(2);
    for (const runs of tablePages) {
      const header = runs.indexOf('キー');
      expect(header).toBeGreaterThanOrEqual(0);
      expect(header).toBeLessThan(runs.findIndex((r) => /^CM-\d{3}$/.test(r)));
    }
  });
});
