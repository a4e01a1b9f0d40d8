import {
  AlignmentType,
  Document,
  Footer,
  Header,
  HeadingLevel,
  Packer,
  PageNumber,
  Paragraph,
  TextRun,
  type IRunOptions,
  type IRunStylePropertiesOptions,
} from 'docx';
import type { FilingDocument } from '../domain/draft-facts';
import { filingContent } from './filing-content';
import { rezipDeterministic } from './docx-zip';

/** The fonts Word is asked for: Noto Sans JP (the PDF's font), 游ゴシック where it is not installed (fontTable altName). */
export const DOCX_FONT = 'Noto Sans JP';
export const DOCX_FALLBACK_FONT = 'Yu Gothic';

const FONT = { ascii: DOCX_FONT, hAnsi: DOCX_FONT, eastAsia: DOCX_FONT, cs: DOCX_FONT, hint: 'eastAsia' } as const;
const LANGUAGE = { value: 'ja-JP', eastAsia: 'ja-JP' } as const;
const RUN: IRunStylePropertiesOptions = { font: FONT, language: LANGUAGE };
const ALERT = 'B00020';
const MUTED = '555555';

/**
 * A filing of the PPC report as a Word document for legal review, with the same content as the PDF
 * (`filingContent`): the title (Word's Title style) and the status (下書き in red in the page header and under the
 * title, or 提出済 with when, how, the reference number and the lateness), the header's facts, the nine items under
 * Heading 1 with their text one paragraph a line, and a footer with the items' SHA-256 once submitted and the page
 * number. Runs are set in Noto Sans JP for every script (eastAsia included), language ja-JP.
 *
 * Deterministic: docx stamps the core properties with the clock and zips with the clock, so the package is re-zipped
 * (`rezipDeterministic`) with dcterms:created/modified and every entry's time set from `generatedAt`.
 */
export async function renderFilingDocx(doc: FilingDocument): Promise<Buffer> {
  const c = filingContent(doc);
  const run = (text: string, options: Omit<IRunOptions, 'text'> = {}) => new TextRun({ text, ...RUN, ...options });
  const lines = (text: string) => (text.trim() === '' ? ['（未記入）'] : text.replace(/\r\n?/g, '\n').split('\n'));

  const body: Paragraph[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [run(c.title)] }),
    new Paragraph({
      spacing: { after: 200 },
      children: [run(`【${c.statusLabel}】`, { bold: true, color: c.draft ? ALERT : undefined })],
    }),
    ...c.header.map(
      ([label, value]) =>
        new Paragraph({
          children: [
            run(`${label}：`, { bold: true, color: MUTED }),
            run(value, { color: label === '期限との関係' && /超過/.test(value) ? ALERT : undefined }),
          ],
        }),
    ),
    ...c.items.flatMap((item) => [
      new Paragraph({ heading: HeadingLevel.HEADING_1, spacing: { before: 240, after: 120 }, children: [run(item.heading)] }),
      ...lines(item.text).map((line) => new Paragraph({ indent: { left: 240 }, children: [run(line)] })),
    ]),
  ];

  const footer = new Footer({
    children: [
      new Paragraph({ children: [run(`${c.title}\u3000${c.statusLabel}`, { size: 14, color: MUTED })] }),
      ...(c.digestLine ? [new Paragraph({ children: [run(c.digestLine, { size: 12, color: MUTED })] })] : []),
      new Paragraph({
        alignment: AlignmentType.RIGHT,
        children: [
          new TextRun({ ...RUN, size: 16, children: [PageNumber.CURRENT] }),
          run(' / ', { size: 16 }),
          new TextRun({ ...RUN, size: 16, children: [PageNumber.TOTAL_PAGES] }),
        ],
      }),
    ],
  });
  const header = new Header({
    children: [
      new Paragraph({
        alignment: AlignmentType.RIGHT,
        children: [
          run(c.draft ? `${c.statusLabel}（未提出）` : c.statusLabel, { bold: c.draft, color: c.draft ? ALERT : MUTED, size: 18 }),
        ],
      }),
    ],
  });

  const word = new Document({
    title: `${c.title} — ${c.statusLabel}`,
    subject: c.subject,
    creator: doc.reporter,
    lastModifiedBy: 'remediation-tracker',
    keywords: `ppc-filing ${doc.filingId}`,
    description: c.digestLine ?? `${c.statusLabel}`,
    revision: 1,
    styles: {
      default: {
        document: { run: { ...RUN, size: 21 }, paragraph: { spacing: { line: 320 } } },
        title: { run: { ...RUN, size: 32, bold: true } },
        heading1: { run: { ...RUN, size: 24, bold: true } },
      },
    },
    sections: [
      {
        properties: {
          page: {
            size: { width: 11906, height: 16838 }, // A4 portrait, in twips
            margin: { top: 1134, bottom: 1134, left: 1134, right: 1134, header: 567, footer: 567 },
          },
        },
        headers: { default: header },
        footers: { default: footer },
        children: body,
      },
    ],
  });
  return rezipDeterministic(await Packer.toBuffer(word), doc.generatedAt, {
    fallbackFont: { name: DOCX_FONT, altName: DOCX_FALLBACK_FONT },
  });
}
