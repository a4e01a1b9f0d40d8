import { describe, expect, it } from 'vitest';
import { readPdfText } from '../../../reports/src/testing/pdf-text';
import { NINE_ITEM_KEYS, NINE_ITEM_LABELS } from '../domain/nine-items';
import { SAMPLE_ITEMS_SHA256, sampleFilingDocument, sampleSubmittedFiling } from '../testing/sample-filing';
import { readZip } from './docx-zip';
import { renderFilingDocx } from './filing-docx';
import { renderFilingPdf } from './filing-pdf';

/**
 * The legal lead reviews a filing as a PDF and edits it as a Word document (issue 15): both must read back with the
 * Japanese headings and every item's text, the fonts must travel with the PDF, and the same filing must give the
 * same bytes (a file sent for review can be compared with the one filed).
 */

const headings = NINE_ITEM_KEYS.map((k) => `${NINE_ITEM_LABELS[k].no}. ${NINE_ITEM_LABELS[k].ja}`);
/** An item's text with its line breaks and wrapping removed, for comparison with text read back. */
const flat = (s: string) => s.replace(/\s+/g, '');

/** The text of the pages' bodies, read in order: without each page's watermark and footer (title, page number, digest). */
function bodyText(pages: readonly { runs: string[] }[]): string {
  const footer = (r: string) =>
    r === '下書き' || /^\d+ \/ \d+$/.test(r) || r.startsWith('個人情報の漏えい等に関する報告（速報）　') || r.startsWith('SHA-256');
  return pages.flatMap((p) => p.runs.filter((r) => !footer(r))).join('');
}

/** A long item: 80 lines of Japanese, far more than a page. */
const LONG_OVERVIEW = Array.from(
  { length: 80 },
  (_, n) => `・経緯その${n + 1}：外部専門機関による常時監視の結果を確認し、アクセス権限の絞り込みと外部への持ち出し制限の状況を記録した。`,
).join('\n');

async function pdfText(doc: Parameters<typeof renderFilingPdf>[0]) {
  const pdf = await renderFilingPdf(doc, { compress: false });
  return { pdf, ...readPdfText(pdf) };
}

describe('renderFilingPdf', () => {
  it('reads back with the title, the header, the nine numbered headings and every item’s text, in the embedded Noto Sans JP', async () => {
    const doc = sampleFilingDocument();
    const { pdf, pages, baseFonts } = await pdfText(doc);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const runs = pages.flatMap((p) => p.runs);
    expect(runs.join('')).not.toContain('\uFFFD');
    expect(runs).toContain('個人情報の漏えい等に関する報告（速報）');
    for (const h of headings) expect(runs).toContain(h);
    expect(runs.indexOf(headings[0]!)).toBeLessThan(runs.indexOf(headings[8]!));
    const all = flat(bodyText(pages));
    for (const key of NINE_ITEM_KEYS) expect(all).toContain(flat(doc.items[key]));
    // The header: who reports to whom, when the company knew (Tokyo), the due date and the rule pack.
    for (const text of ['株式会社サンプル通信教育', '個人情報保護委員会', '2026年7月3日 14時20分', '2026年7月8日', 'appi-ppc@2024-04-01']) {
      expect(runs.some((r) => r.includes(text))).toBe(true);
    }
    // Fonts: subsets of Noto Sans JP, embedded as TrueType font files.
    expect(baseFonts.map((f) => f.replace(/^[A-Z]{6}\+/, '')).sort()).toEqual(['NotoSansJP-Bold', 'NotoSansJP-Regular']);
    const raw = pdf.toString('latin1');
    expect(raw).toMatch(/\/FontFile2 \d+ 0 R/);
    expect(raw).toMatch(/\/FontName \/[A-Z]{6}\+NotoSansJP-Regular/);
    expect(raw).toContain('/Lang (ja-JP)');
    expect(raw).toContain('(D:20260706000405Z)'); // CreationDate: generatedAt, not the clock
  });

  it('flows a long item onto the next pages, each page numbered, and the items after it follow', async () => {
    const base = sampleFilingDocument();
    const doc = sampleFilingDocument({ items: { ...base.items, overview: LONG_OVERVIEW } });
    const { pages } = await pdfText(doc);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    pages.forEach((p, n) => expect(p.runs).toContain(`${n + 1} / ${pages.length}`));
    const pageOf = (text: string) => pages.findIndex((p) => p.runs.some((r) => r.includes(text)));
    expect(pageOf('・経緯その1：')).toBe(0);
    expect(pageOf('・経緯その80：')).toBeGreaterThanOrEqual(1);
    expect(pageOf(headings[1]!)).toBeGreaterThanOrEqual(pageOf('・経緯その80：'));
    // Every line of the long item once, in order.
    const lines = pages.flatMap((p) => p.runs).filter((r) => r.startsWith('・経緯その'));
    expect(lines.map((l) => Number(/その(\d+)：/.exec(l)![1]))).toEqual(Array.from({ length: 80 }, (_, n) => n + 1));
    expect(flat(bodyText(pages))).toContain(flat(LONG_OVERVIEW));
  });

  it('gives the same bytes for the same filing (compressed), and other bytes when generated at another time', async () => {
    const a = await renderFilingPdf(sampleFilingDocument());
    const b = await renderFilingPdf(sampleFilingDocument());
    expect(a.equals(b)).toBe(true);
    expect(a.length).toBeLessThan(400_000); // subsets, not the 5 MB font files
    expect(readPdfText(a).pages[0]!.runs).toContain('1. 概要'); // deflated streams read back too
    const c = await renderFilingPdf(sampleFilingDocument({ generatedAt: '2026-07-06T00:04:06.000Z' }));
    expect(a.equals(c)).toBe(false);
  });

  it('marks a draft as 下書き on every page, and prints the submission, its lateness and the items’ SHA-256 only once submitted', async () => {
    const draft = await pdfText(sampleFilingDocument({ items: { ...sampleFilingDocument().items, overview: LONG_OVERVIEW } }));
    for (const p of draft.pages) expect(p.runs).toContain('下書き');
    const draftRuns = draft.pages.flatMap((p) => p.runs).join('\n');
    expect(draftRuns).not.toContain(SAMPLE_ITEMS_SHA256);
    expect(draftRuns).not.toContain('受付番号');
    expect(draftRuns).not.toContain('提出済');

    const submitted = await pdfText(sampleSubmittedFiling({ items: { ...sampleFilingDocument().items, overview: LONG_OVERVIEW } }));
    const runs = submitted.pages.flatMap((p) => p.runs);
    expect(runs).not.toContain('下書き');
    expect(runs).toContain('提出済');
    expect(runs).toContain('PPC-2026-000123');
    expect(runs).toContain('PPC_WEB_FORM');
    expect(runs).toContain('期限を2日超過して提出');
    expect(runs).toContain('提出済（2026年7月10日 10時30分）');
    for (const p of submitted.pages) expect(p.runs).toContain(`SHA-256（提出した9項目）: ${SAMPLE_ITEMS_SHA256}`);
    const onTime = (await pdfText(sampleSubmittedFiling({ lateDays: 0 }))).pages.flatMap((p) => p.runs);
    expect(onTime).toContain('期限内に提出');
  });
});

const xmlText = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');

/** A Word part's paragraphs as text: the w:t of each w:p joined, XML-unescaped. */
function paragraphs(xml: string): string[] {
  return [...xml.matchAll(/<w:p\b[^>]*>([\s\S]*?)<\/w:p>/g)].map((p) =>
    [...p[1]!.matchAll(/<w:t\b[^>]*>([^<]*)<\/w:t>/g)].map((t) => xmlText(t[1]!)).join(''),
  );
}

async function docxParts(doc: Parameters<typeof renderFilingDocx>[0]) {
  const docx = await renderFilingDocx(doc);
  const parts = new Map((await readZip(docx)).map(([name, data]) => [name, data.toString('utf8')]));
  const part = (name: string) => {
    const text = parts.get(name);
    if (text === undefined) throw new Error(`no ${name} in the package`);
    return text;
  };
  return { docx, parts, part };
}

describe('renderFilingDocx', () => {
  const withMarkup = () => {
    const base = sampleFilingDocument();
    return sampleFilingDocument({ items: { ...base.items, other: `${base.items.other}\n社内資料「A&B <第2版>」を参照のこと。` } });
  };

  it('is a Word package whose document holds the title, the nine headings as Word headings and every item’s text', async () => {
    const doc = withMarkup();
    const { docx, part } = await docxParts(doc);
    expect(docx.subarray(0, 2).toString('latin1')).toBe('PK');
    const types = part('[Content_Types].xml');
    expect(types).toContain('PartName="/word/document.xml"');
    expect(types).toContain('wordprocessingml.document.main+xml');

    const document = part('word/document.xml');
    const paras = paragraphs(document);
    expect(paras).toContain('個人情報の漏えい等に関する報告（速報）');
    for (const key of NINE_ITEM_KEYS) {
      for (const line of doc.items[key].split('\n')) expect(paras).toContain(line);
    }
    expect(paras).toContain('社内資料「A&B <第2版>」を参照のこと。');
    // Headings are Word headings, in order.
    const headingParas = [...document.matchAll(/<w:p\b[^>]*>((?:(?!<\/w:p>)[\s\S])*?<w:pStyle w:val="Heading1"\/>[\s\S]*?)<\/w:p>/g)].map(
      (m) => paragraphs(`<w:p>${m[1]}</w:p>`)[0],
    );
    expect(headingParas).toEqual(headings);
    expect(document).toContain('<w:pStyle w:val="Title"/>');
    // Japanese fonts and language.
    const styles = part('word/styles.xml');
    expect(styles).toMatch(/w:eastAsia="Noto Sans JP"/);
    expect(styles).toMatch(/<w:lang [^>]*w:eastAsia="ja-JP"/);
    expect(part('word/fontTable.xml')).toContain('<w:font w:name="Noto Sans JP"><w:altName w:val="Yu Gothic"/>');
  });

  it('has valid core properties dated by generatedAt, and the same filing gives the same bytes', async () => {
    const doc = sampleFilingDocument();
    const { docx, part } = await docxParts(doc);
    const core = part('docProps/core.xml');
    expect(core).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8" standalone="yes"\?><cp:coreProperties [^>]*>[\s\S]*<\/cp:coreProperties>$/,
    );
    expect(core).toContain('<dc:title>個人情報の漏えい等に関する報告（速報） — 下書き</dc:title>');
    expect(core).toContain('<dc:creator>株式会社サンプル通信教育</dc:creator>');
    expect(core).toContain('<dcterms:created xsi:type="dcterms:W3CDTF">2026-07-06T00:04:05Z</dcterms:created>');
    expect(core).toContain('<dcterms:modified xsi:type="dcterms:W3CDTF">2026-07-06T00:04:05Z</dcterms:modified>');
    const again = await renderFilingDocx(sampleFilingDocument());
    expect(again.equals(docx)).toBe(true);
  });

  it('shows 下書き on a draft, and the submission, its reference number, lateness and SHA-256 only once submitted', async () => {
    const draft = await docxParts(sampleFilingDocument());
    const draftText = [...draft.parts]
      .filter(([n]) => /^word\/(document|header\d*|footer\d*)\.xml$/.test(n))
      .map(([, x]) => paragraphs(x).join('\n'))
      .join('\n');
    expect(draftText).toContain('【下書き】');
    expect(draftText).toContain('下書き（未提出）'); // the page header
    expect(draftText).not.toContain(SAMPLE_ITEMS_SHA256);
    expect(draftText).not.toContain('PPC-2026-000123');

    const submitted = await docxParts(sampleSubmittedFiling());
    const text = [...submitted.parts]
      .filter(([n]) => /^word\/(document|header\d*|footer\d*)\.xml$/.test(n))
      .map(([, x]) => paragraphs(x).join('\n'))
      .join('\n');
    expect(text).not.toContain('下書き');
    expect(text).toContain('【提出済】');
    expect(text).toContain('受付番号：PPC-2026-000123');
    expect(text).toContain('期限との関係：期限を2日超過して提出');
    expect(text).toContain(`SHA-256（提出した9項目）: ${SAMPLE_ITEMS_SHA256}`);
  });
});
