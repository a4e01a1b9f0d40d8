/**
 * The results table: one row per named check (docs/proofs.md "The verifier's
 * checks"), its result in words and a symbol (never by colour alone), and for
 * a failure which file, entry or signature, in Japanese with English beside it.
 */
export type RowStatus = 'pass' | 'fail' | 'skip';

export interface RowDetail {
  ja: string;
  en: string;
  /** The file, trail entry or signature the detail is about (shown as code). */
  subject?: string;
}

export interface Row {
  name: string;
  status: RowStatus;
  details: RowDetail[];
}

/** What each check proves, for the reader who does not know its name. */
export const CHECK_TITLES: Record<string, { ja: string; en: string }> = {
  BAG_COMPLETE: {
    ja: 'バッグの完全性（全ファイルが目録どおり・余分なファイルなし）',
    en: 'Bag complete (every file as listed, nothing extra)',
  },
  TAG_MANIFEST: {
    ja: 'タグ目録（bagit.txt・bag-info.txt・目録のハッシュ）',
    en: 'Tag manifest (hashes of bagit.txt, bag-info.txt, manifest)',
  },
  SIGNED_SUBJECT: { ja: '署名対象がこのバッグのタグ目録であること', en: 'The signed subject is this bag’s tag manifest' },
  BUNDLE_SIGNATURE: { ja: '信頼する鍵によるバンドル署名', en: 'Bundle signature under the pinned key' },
  CHECKPOINT_SIGNATURE: { ja: 'チェックポイントの署名（証跡の鍵）', en: 'Checkpoint signature (trail key)' },
  COSIGNATURES: { ja: '監査人の連署', en: 'Auditors’ co-signatures' },
  TRAIL_CHAIN: { ja: '監査証跡のハッシュ連鎖', en: 'Audit trail hash chain' },
  TRAIL_INCLUSION: { ja: '監査証跡エントリの包含証明', en: 'Inclusion proofs of the trail entries' },
  CHECKPOINT_CONSISTENCY: { ja: '保管しているチェックポイントとの整合性', en: 'Consistency with the checkpoint you kept' },
  SIGN_OFF_DIGESTS: { ja: '承認（サインオフ）のダイジェスト', en: 'Sign-off digests' },
  CLEARANCE_DIGESTS: { ja: '解除判定のダイジェスト', en: 'Clearance digests' },
  EVIDENCE_BYTES: { ja: '証跡ファイルの内容とハッシュ', en: 'Evidence file bytes against their hashes' },
};

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
      const title = CHECK_TITLES[row.name] ?? { ja: row.name, en: row.name };
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
      if (row.details.length > 0) {
        details.append(
          el(
            'ul',
            { className: 'details' },
            ...row.details.map((d) => {
              const li = el('li');
              if (d.subject) li.append(el('code', { text: d.subject }), document.createTextNode(' '));
              li.append(bilingual('span', d.ja, d.en));
              return li;
            }),
          ),
        );
      }
      tr.append(nameCell, result, details);
      return tr;
    }),
  );
}

export type Outcome = { kind: 'pass' } | { kind: 'fail'; failed: string[] } | { kind: 'error'; ja: string; en: string } | { kind: 'busy' };

/** The sentence above the table (a live region, so a screen reader says it when the check ends). */
export function renderStatus(status: HTMLElement, outcome: Outcome): void {
  status.dataset.result = outcome.kind;
  const [ja, en] =
    outcome.kind === 'pass'
      ? ['✔ 合格：すべての検査に合格しました。', '✔ PASS: every check passed.']
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
