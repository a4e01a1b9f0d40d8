/**
 * The results table: one row per named check (docs/proofs.md "The verifier's
 * checks"), its result in words and a symbol (never by colour alone), and for
 * a failure which file, entry or signature, in Japanese with English beside it.
 */
export type RowStatus = 'pass' | 'fail' | 'skip';

export interface RowDetail {
  ja: string;
  en: string;
  /** What made the check fail (shown first, marked ✘). */
  problem: boolean;
  /** A stable failure code (FORK, TRUNCATED, ...). */
  code?: string;
  /** The file, trail entry or signature the detail is about (shown as code). */
  subject?: string;
}

export interface Row {
  name: string;
  title: { ja: string; en: string };
  status: RowStatus;
  details: RowDetail[];
}

/** Details shown per check; a failure's problems come first, so these are what matters. */
const MAX_DETAILS = 50;

const RESULT_TEXT: Record<RowStatus, { symbol: string; ja: string; en: string }> = {
  pass: { symbol: '✔', ja: '合格', en: 'PASS' },
  fail: { symbol: '✘', ja: '不合格', en: 'FAIL' },
  skip: { symbol: '–', ja: '未実施', en: 'NOT RUN' },
};

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; lang?: string; text?: string } = {},
  ...children: Node[]
) {
  const e = document.createElement(tag);
  if (props.className) e.className = props.className;
  if (props.lang) e.lang = props.lang;
  if (props.text !== undefined) e.textContent = props.text;
  e.append(...children);
  return e;
}

function bilingual(tag: 'span' | 'div', ja: string, en: string): HTMLElement {
  return el(tag, {}, el('span', { lang: 'ja', text: ja }), el('span', { className: 'en', lang: 'en', text: en }));
}

export function renderRows(tbody: HTMLTableSectionElement, rows: Row[]): void {
  tbody.replaceChildren(
    ...rows.map((row) => {
      const title = row.title;
      const tr = el('tr');
      tr.dataset.check = row.name;
      tr.dataset.status = row.status;
      const nameCell = el('th', {}, el('div', { className: 'name', text: row.name }), bilingual('div', title.ja, title.en));
      nameCell.scope = 'row';
      const r = RESULT_TEXT[row.status];
      const result = el(
        'td',
        { className: 'result' },
        el('span', { text: `${r.symbol} ${r.ja}` }),
        el('span', { className: 'en', lang: 'en', text: r.en }),
      );
      const details = el('td', { className: 'details' });
      const ordered = [...row.details.filter((d) => d.problem), ...row.details.filter((d) => !d.problem)];
      const shown = ordered.slice(0, MAX_DETAILS);
      if (shown.length > 0) {
        const items = shown.map((d) => {
          const li = el('li');
          li.dataset.problem = String(d.problem);
          li.append(el('span', { text: d.problem ? '✘ ' : '' }));
          if (d.code) li.append(el('strong', { className: 'code', text: d.code }), document.createTextNode(' '));
          if (d.subject) li.append(el('code', { text: d.subject }), document.createTextNode(' '));
          li.append(bilingual('span', d.ja, d.en));
          return li;
        });
        const more = ordered.length - shown.length;
        if (more > 0)
          items.push(el('li', {}, bilingual('span', `…ほか ${more} 件（報告書を参照）`, `… and ${more} more (see the report)`)));
        details.append(el('ul', { className: 'details' }, ...items));
      }
      tr.append(nameCell, result, details);
      return tr;
    }),
  );
}

export type Outcome =
  { kind: 'pass'; skipped: string[] } | { kind: 'fail'; failed: string[] } | { kind: 'error'; ja: string; en: string } | { kind: 'busy' };

/** The sentence above the table (a live region, so a screen reader says it when the check ends). */
export function renderStatus(status: HTMLElement, outcome: Outcome): void {
  status.dataset.result = outcome.kind;
  const [ja, en] =
    outcome.kind === 'pass'
      ? outcome.skipped.length === 0
        ? ['✔ 合格：すべての検査に合格しました。', '✔ PASS: every check passed.']
        : [
            `✔ 合格：不合格の検査はありません（${outcome.skipped.length} 件は未実施：${outcome.skipped.join('、')}）。`,
            `✔ PASS: no check failed (${outcome.skipped.length} not run: ${outcome.skipped.join(', ')}).`,
          ]
      : outcome.kind === 'fail'
        ? [
            `✘ 不合格：${outcome.failed.length} 件の検査が不合格です（${outcome.failed.join('、')}）。`,
            `✘ FAIL: ${outcome.failed.length} check(s) failed (${outcome.failed.join(', ')}).`,
          ]
        : outcome.kind === 'busy'
          ? ['検証しています…', 'Verifying…']
          : [`エラー：${outcome.ja}`, `Error: ${outcome.en}`];
  status.replaceChildren(bilingual('div', ja, en));
}

export interface SummaryFacts {
  scope: string | null;
  scopeId: string | null;
  asOf: string | null;
  checkpointSize: number | null;
  bundleKey: string | null;
  files: number;
}

/** What the bundle says it is (from its signed statement), above the table. */
export function renderSummary(dl: HTMLElement, s: SummaryFacts): void {
  const unknown = '不明 / unknown';
  const rows: [string, string, string][] = [
    ['範囲', 'Scope', [s.scope, s.scopeId].filter(Boolean).join(' ') || unknown],
    ['基準時刻', 'As of', s.asOf ?? unknown],
    ['チェックポイントのサイズ', 'Checkpoint size', s.checkpointSize === null ? unknown : String(s.checkpointSize)],
    ['バンドル署名鍵', 'Bundle key', s.bundleKey ?? unknown],
    ['ファイル数', 'Files', String(s.files)],
  ];
  dl.replaceChildren(
    ...rows.flatMap(([ja, en, value]) => [el('dt', {}, bilingual('span', ja, en)), el('dd', { className: 'name', text: value })]),
  );
}
