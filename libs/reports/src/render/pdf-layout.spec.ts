import { describe, expect, it } from 'vitest';
import { REPORT_TITLE_JA } from '../domain/status-report';
import { sampleCountermeasure, sampleStatusReport } from '../testing/sample-status-report';
import { COUNTERMEASURE_TABLE, layoutStatusReport, PAGE, wrapText, type Measure, type TextOp } from './pdf-layout';

/** A stand-in for the font: full-width characters are one em wide, the rest half an em. */
const measure: Measure = (text, _font, size) => [...text].reduce((w, ch) => w + (ch.codePointAt(0)! > 0x2e7f ? size : size * 0.5), 0);

const texts = (ops: readonly { kind: string }[]) => ops.filter((o): o is TextOp => o.kind === 'text');

describe('wrapText', () => {
  it('breaks Japanese between any two characters, never wider than the column', () => {
    const lines = wrapText('顧客情報を保有する全データベースにおけるアクセス監視の強化', 100, measure, 'regular', 10);
    expect(lines.join('')).toBe('顧客情報を保有する全データベースにおけるアクセス監視の強化');
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => measure(l, 'regular', 10) <= 100)).toBe(true);
  });

  it('keeps Latin words whole, breaks at spaces, and keeps explicit newlines', () => {
    expect(wrapText('access rights review\nmonthly', 60, measure, 'regular', 10)).toEqual(['access', 'rights', 'review', 'monthly']);
  });

  it('breaks a token wider than the column (a digest) by characters', () => {
    const lines = wrapText('f'.repeat(64), 100, measure, 'regular', 10);
    expect(lines).toEqual(['f'.repeat(20), 'f'.repeat(20), 'f'.repeat(20), 'f'.repeat(4)]);
  });

  it('does not start a line with closing punctuation (kinsoku): it hangs on the previous line', () => {
    const lines = wrapText('あいうえお。かきく', 50, measure, 'regular', 10);
    expect(lines).toEqual(['あいうえお。', 'かきく']);
  });
});

describe('layoutStatusReport', () => {
  it('puts the Japanese title, the generated-at line, every countermeasure and the audit and gate sections on the pages', () => {
    const layout = layoutStatusReport(sampleStatusReport(), measure);
    const all = layout.pages.flatMap((p) => texts(p.ops).map((o) => o.text));
    expect(texts(layout.pages[0]!.ops)[0]).toMatchObject({ text: REPORT_TITLE_JA, font: 'bold', x: PAGE.margin, y: PAGE.margin });
    expect(all.some((t) => t.startsWith('作成日時 / Generated: 2026-08-03 14:04 JST (2026-08-03T05:04:05.678Z)'))).toBe(true);
    for (const key of ['CM-001', 'CM-002', 'CM-003']) expect(all).toContain(key);
    expect(all).toContain('1. 事案の概要 / The case');
    expect(all).toContain('4. 外部監査 / External audit');
    expect(all).toContain('5. 新規顧客向け販売促進の再開判定 / Promotion gate');
    expect(all).toContain('・外部監査の安全確認がありません');
    expect(all).toEqual(expect.arrayContaining(['検証済', 'VERIFIED', 'DB停止'])); // status and category in words
  });

  it('wraps a long Japanese title inside its column, on consecutive lines', () => {
    const report = sampleStatusReport();
    const layout = layoutStatusReport(report, measure);
    const titleCol = COUNTERMEASURE_TABLE[1]!;
    const x = PAGE.margin + COUNTERMEASURE_TABLE[0]!.width + 3;
    const cm2Title = report.countermeasures[1]!.title;
    const ops = layout.pages.flatMap((p) => texts(p.ops)).filter((o) => o.x === x && o.font === 'regular' && cm2Title.includes(o.text));
    expect(ops.length).toBeGreaterThanOrEqual(3);
    expect(ops.map((o) => o.text).join('')).toBe(cm2Title);
    expect(ops.every((o) => measure(o.text, o.font, o.size) <= titleCol.width - 6 + o.size)).toBe(true); // a hanging 、 at most
    expect(ops.slice(1).every((o, n) => o.y > ops[n]!.y)).toBe(true);
  });

  it('breaks pages with the table header repeated, numbers every page "n / N", and draws nothing outside the page', () => {
    const many = Array.from({ length: 80 }, (_, n) =>
      sampleCountermeasure(n + 1, { title: `アクセス権限の棚卸と見直し（第${n + 1}期）、外部専門機関による常時監視の実施` }),
    );
    const layout = layoutStatusReport(sampleStatusReport({ countermeasures: many }), measure);
    expect(layout.pages.length).toBeGreaterThanOrEqual(4);
    const pageOfKey = new Map<string, number>();
    const keyX = PAGE.margin + 3; // the first column (CM keys also appear in the findings table)
    const isKey = (o: TextOp) => o.x === keyX && /^CM-\d{3}$/.test(o.text);
    layout.pages.forEach((p, n) => texts(p.ops).forEach((o) => isKey(o) && pageOfKey.set(o.text, n)));
    expect(pageOfKey.size).toBe(80); // every row drawn once
    const tablePages = [...new Set(pageOfKey.values())];
    expect(tablePages.length).toBeGreaterThanOrEqual(3);
    for (const n of tablePages) {
      // The header ("キー" in the first column) is on every page with rows, above them.
      const page = texts(layout.pages[n]!.ops);
      const header = page.find((o) => o.text === 'キー' && o.font === 'bold');
      expect(header, `header on page ${n + 1}`).toBeTruthy();
      const firstRowY = Math.min(...page.filter(isKey).map((o) => o.y));
      expect(header!.y).toBeLessThan(firstRowY);
    }
    layout.pages.forEach((p, n) => {
      expect(texts(p.ops).some((o) => o.text === `${n + 1} / ${layout.pages.length}`)).toBe(true);
      for (const o of texts(p.ops)) {
        expect(o.x).toBeGreaterThanOrEqual(PAGE.margin - 0.01);
        expect(o.x + measure(o.text, o.font, o.size)).toBeLessThanOrEqual(PAGE.width - PAGE.margin + o.size); // a hanging 、 at most
        expect(o.y + o.size).toBeLessThanOrEqual(PAGE.height - PAGE.margin);
      }
    });
  });

  it('marks overdue countermeasures in the alert colour', () => {
    const layout = layoutStatusReport(sampleStatusReport(), measure);
    const overdue = layout.pages.flatMap((p) => texts(p.ops)).filter((o) => o.text === '超過' && o.font === 'regular');
    expect(overdue).toHaveLength(1);
    expect(overdue[0]!.color).toBe('#b00020');
  });
});
