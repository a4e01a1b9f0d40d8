import { createHash } from 'node:crypto';
import { CASE_TIME_ZONE } from '@app/common';
import { publicStatusWording, statementLabel, type PublicLanguage, type PublishedStatement } from '@app/duties';

/**
 * The public progress page, its Atom feed and its JSON (GET /progress, /progress/feed.atom, /progress.json):
 * pure rendering of published statements. Every text is escaped; nothing but the published fields is read
 * (never who published, never the countermeasures' ids or internal titles).
 */

const WORDS = {
  ja: {
    title: '調査・再発防止策の進捗状況',
    intro: '個人情報漏えい事案について、調査と再発防止策の進捗をお知らせします。公表した報告は変更せず、訂正は新たな報告として掲載します。',
    none: 'まだ公表した報告はありません。',
    correction: '訂正',
    corrects: (n: string) => `${n}の訂正：`,
    correctedBy: (n: string) => `この報告は${n}で訂正されています。`,
    countermeasures: '対策の状況（公表時点）',
    countermeasure: '対策',
    status: '状況',
    language: '言語',
    feed: 'Atom フィード',
    author: '情報セキュリティ対策強化の特別チーム',
  },
  en: {
    title: 'Progress of the investigation and of the countermeasures',
    intro:
      'Progress of the investigation into the personal-data breach and of the measures against its recurrence. A published statement is never changed: a correction is published as a new statement.',
    none: 'No statement has been published yet.',
    correction: 'Correction',
    corrects: (n: string) => `Correction of ${n}: `,
    correctedBy: (n: string) => `This statement is corrected by ${n}.`,
    countermeasures: 'Countermeasures (status when published)',
    countermeasure: 'Countermeasure',
    status: 'Status',
    language: 'Language',
    feed: 'Atom feed',
    author: 'Information security task force',
  },
} as const;

/** The feeds' ids: one per language, never changing. */
const FEED_IDS: Record<PublicLanguage, string> = {
  ja: 'urn:uuid:5b0a3f64-6c1e-4c39-9a57-0f6d2b1d7a11',
  en: 'urn:uuid:5b0a3f64-6c1e-4c39-9a57-0f6d2b1d7a12',
};

const STYLE = [
  'body{font-family:"Noto Sans JP","Hiragino Sans","Yu Gothic",system-ui,sans-serif;line-height:1.7;max-width:46rem;margin:0 auto;padding:1rem;color:#1a1a1a;background:#fff}',
  'header nav a{margin-right:.75rem}',
  'article{border-top:1px solid #ccc;padding:1rem 0}',
  '.no{font-weight:bold;margin-right:.5rem}',
  '.tag{font-size:.8em;border:1px solid #a33;color:#a33;padding:0 .3rem;margin-left:.5rem}',
  '.meta{color:#555;margin:0}',
  '.correction,.corrected{background:#fff6e5;padding:.4rem .6rem}',
  'table{border-collapse:collapse;width:100%}',
  'th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}',
  'caption{text-align:left;font-weight:bold}',
].join('');

/** The page's Content-Security-Policy: nothing loads, no script runs; only its one inline style block (by hash). */
export const PROGRESS_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** For the feed and the JSON: nothing of theirs is ever run or framed. */
export const PROGRESS_DATA_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

/** `?lang=ja|en` first; else the caller's Accept-Language (the better-ranked of ja and en); else Japanese. */
export function negotiateLanguage(acceptLanguage: string | undefined, asked: unknown): PublicLanguage {
  if (asked === 'ja' || asked === 'en') return asked;
  let best: { lang: PublicLanguage; q: number } | null = null;
  for (const part of (acceptLanguage ?? '').slice(0, 1000).split(',')) {
    const [tag, ...params] = part.trim().split(';');
    const primary = (tag ?? '').trim().toLowerCase().split('-')[0];
    if (primary !== 'ja' && primary !== 'en') continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { lang: primary, q };
  }
  return best?.lang ?? 'ja';
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** XML 1.0 text and attribute values (the statements' texts hold no character XML cannot carry: progress-rules). */
export const escapeXml = escapeHtml;

function dateText(at: Date, lang: PublicLanguage): string {
  return new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', {
    timeZone: CASE_TIME_ZONE,
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  }).format(at);
}

const title = (s: PublishedStatement['statement'], lang: PublicLanguage) => (lang === 'ja' ? s.titleJa : s.titleEn);
const body = (s: PublishedStatement['statement'], lang: PublicLanguage) => (lang === 'ja' ? s.bodyJa : s.bodyEn);
const note = (s: PublishedStatement['statement'], lang: PublicLanguage) => (lang === 'ja' ? s.correctionNoteJa : s.correctionNoteEn);
const anchor = (id: string) => `s-${id}`;

function paragraphs(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((p) => `<p>${p.split('\n').map(escapeHtml).join('<br>')}</p>`)
    .join('');
}

function articleHtml(p: PublishedStatement, lang: PublicLanguage): string {
  const s = p.statement;
  const w = WORDS[lang];
  const out: string[] = [`<article id="${anchor(s.id)}">`];
  const tag = s.correctsId ? `<span class="tag">${w.correction}</span>` : '';
  out.push(`<h2><span class="no">${escapeHtml(statementLabel(s.number, lang))}</span>${escapeHtml(title(s, lang))}${tag}</h2>`);
  out.push(`<p class="meta"><time datetime="${s.publishedAt.toISOString()}">${escapeHtml(dateText(s.publishedAt, lang))}</time></p>`);
  if (s.correctsId && p.correctsNumber !== null) {
    const n = `<a href="#${anchor(s.correctsId)}">${escapeHtml(statementLabel(p.correctsNumber, lang))}</a>`;
    out.push(`<p class="correction">${w.corrects(n)}${escapeHtml(note(s, lang) ?? '')}</p>`);
  }
  if (p.correctedBy) {
    const n = `<a href="#${anchor(p.correctedBy.id)}">${escapeHtml(statementLabel(p.correctedBy.number, lang))}</a>`;
    out.push(`<p class="corrected">${w.correctedBy(n)}</p>`);
  }
  out.push(`<div class="body">${paragraphs(body(s, lang))}</div>`);
  if (s.countermeasures.length) {
    const rows = s.countermeasures
      .map((c) => {
        const label = lang === 'ja' ? c.labelJa : c.labelEn;
        return `<tr><td>${escapeHtml(label)}</td><td>${escapeHtml(publicStatusWording(c.status, lang))}</td></tr>`;
      })
      .join('');
    out.push(
      `<table><caption>${w.countermeasures}</caption><thead><tr><th scope="col">${w.countermeasure}</th><th scope="col">${w.status}</th></tr></thead><tbody>${rows}</tbody></table>`,
    );
  }
  out.push('</article>');
  return out.join('\n');
}

/** The whole page: server-rendered, no script; the language switch is two links. */
export function renderProgressPage(items: readonly PublishedStatement[], lang: PublicLanguage): string {
  const w = WORDS[lang];
  const switchLink = (to: PublicLanguage, text: string) =>
    `<a href="/progress?lang=${to}" hreflang="${to}" lang="${to}"${to === lang ? ' aria-current="page"' : ''}>${text}</a>`;
  return [
    '<!DOCTYPE html>',
    `<html lang="${lang}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${w.title}</title>`,
    `<link rel="alternate" type="application/atom+xml" href="/progress/feed.atom?lang=${lang}" title="${w.feed}">`,
    '<link rel="alternate" type="application/json" href="/progress.json">',
    `<link rel="alternate" hreflang="${lang === 'ja' ? 'en' : 'ja'}" href="/progress?lang=${lang === 'ja' ? 'en' : 'ja'}">`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${w.title}</h1>`,
    `<nav aria-label="${w.language}">${switchLink('ja', '日本語')}${switchLink('en', 'English')}</nav>`,
    `<p>${w.intro}</p>`,
    '</header>',
    '<main>',
    items.length ? items.map((p) => articleHtml(p, lang)).join('\n') : `<p>${w.none}</p>`,
    '</main>',
    `<footer><a href="/progress/feed.atom?lang=${lang}">${w.feed}</a> · <a href="/progress.json">JSON</a></footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** A statement as plain text for the feed: the correction, the body, the countermeasures. */
function entryText(p: PublishedStatement, lang: PublicLanguage): string {
  const s = p.statement;
  const w = WORDS[lang];
  const parts: string[] = [];
  if (s.correctsId && p.correctsNumber !== null) parts.push(`${w.corrects(statementLabel(p.correctsNumber, lang))}${note(s, lang) ?? ''}`);
  if (p.correctedBy) parts.push(w.correctedBy(statementLabel(p.correctedBy.number, lang)));
  parts.push(body(s, lang));
  if (s.countermeasures.length) {
    const lines = s.countermeasures.map((c) => `・${lang === 'ja' ? c.labelJa : c.labelEn}: ${publicStatusWording(c.status, lang)}`);
    parts.push([w.countermeasures, ...lines].join('\n'));
  }
  return parts.join('\n\n');
}

/** An Atom 1.0 feed (RFC 4287) of the statements, in one language; links absolute when the public base URL is known. */
export function renderAtomFeed(items: readonly PublishedStatement[], lang: PublicLanguage, baseUrl: string | null): string {
  const w = WORDS[lang];
  const base = baseUrl ?? '';
  const page = `${base}/progress?lang=${lang}`;
  const updated = items.length ? items[0]!.statement.publishedAt.toISOString() : new Date(0).toISOString();
  const entries = items.map((p) => {
    const s = p.statement;
    const heading = `${statementLabel(s.number, lang)} ${title(s, lang)}${s.correctsId ? ` (${w.correction})` : ''}`;
    return [
      '<entry>',
      `<id>urn:uuid:${s.id}</id>`,
      `<title type="text">${escapeXml(heading)}</title>`,
      `<published>${s.publishedAt.toISOString()}</published>`,
      `<updated>${s.publishedAt.toISOString()}</updated>`,
      `<link rel="alternate" type="text/html" hreflang="${lang}" href="${escapeXml(`${page}#${anchor(s.id)}`)}"/>`,
      `<content type="text">${escapeXml(entryText(p, lang))}</content>`,
      '</entry>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${lang}">`,
    `<id>${FEED_IDS[lang]}</id>`,
    `<title type="text">${escapeXml(w.title)}</title>`,
    `<updated>${updated}</updated>`,
    `<author><name>${escapeXml(w.author)}</name></author>`,
    `<link rel="self" type="application/atom+xml" href="${escapeXml(`${base}/progress/feed.atom?lang=${lang}`)}"/>`,
    `<link rel="alternate" type="text/html" hreflang="${lang}" href="${escapeXml(page)}"/>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}

/** The JSON document: both languages of every published field, nothing else. */
export function progressJson(items: readonly PublishedStatement[]) {
  return {
    format: 'remediation-tracker-progress/v1',
    statements: items.map((p) => {
      const s = p.statement;
      return {
        id: s.id,
        incidentId: s.incidentId,
        number: s.number,
        publishedAt: s.publishedAt.toISOString(),
        title: { ja: s.titleJa, en: s.titleEn },
        body: { ja: s.bodyJa, en: s.bodyEn },
        corrects:
          s.correctsId && p.correctsNumber !== null
            ? { id: s.correctsId, number: p.correctsNumber, note: { ja: s.correctionNoteJa, en: s.correctionNoteEn } }
            : null,
        correctedBy: p.correctedBy,
        countermeasures: s.countermeasures.map((c) => ({
          label: { ja: c.labelJa, en: c.labelEn },
          status: c.status,
          statusText: { ja: publicStatusWording(c.status, 'ja'), en: publicStatusWording(c.status, 'en') },
        })),
      };
    }),
  };
}
