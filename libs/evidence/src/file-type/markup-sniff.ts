/**
 * Would a browser take this text for markup (and render or run it)?
 *
 * At the start, as the WHATWG MIME Sniffing standard's "rules for identifying
 * an unknown MIME type" read it: skip a byte-order mark and leading whitespace,
 * then one of the HTML patterns `<!DOCTYPE HTML`, `<HTML`, `<HEAD`, `<SCRIPT`,
 * `<IFRAME`, `<H1`, `<DIV`, `<FONT`, `<TABLE`, `<A`, `<STYLE`, `<TITLE`, `<B`,
 * `<BODY`, `<BR`, `<P` followed by a tag-terminating byte, or `<!--` (any
 * case); `<?xml`; `<svg`. We are stricter than the standard on purpose: every
 * kind of whitespace and `/` also end a tag (`<svg/onload=…>`), and `<!--`
 * needs nothing after it (a comment can hide what follows from a naive check).
 *
 * Anywhere in the sniffed prefix: `<script`, `<iframe`, `<svg`, `<html`,
 * `<!doctype` (older browsers scanned the first bytes for these).
 *
 * `<` alone is ordinary text (`a<b`, `x < 10`, 「<注>」): only these tags count.
 */
export type MarkupType = 'text/html' | 'image/svg+xml' | 'application/xml';

/** How much of a text's start is examined (characters after decoding). */
export const MARKUP_PREFIX_CHARS = 1024;

const LEADING = /^[\s\uFEFF]*/;
const HTML_TAG_AT_START = /^<(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p)(?:[\s>/]|$)|^<!--/i;
const SVG_AT_START = /^<svg(?:[\s>/]|$)/i;
const XML_AT_START = /^<\?xml/i;
const ANYWHERE = /<(?:script|iframe|svg|html|!doctype)/i;

export function markupTypeOf(prefix: string): MarkupType | null {
  const text = prefix.slice(0, MARKUP_PREFIX_CHARS);
  const start = text.slice(LEADING.exec(text)![0].length);
  if (XML_AT_START.test(start)) return 'application/xml';
  if (SVG_AT_START.test(start)) return 'image/svg+xml';
  if (HTML_TAG_AT_START.test(start)) return 'text/html';
  const found = ANYWHERE.exec(text);
  if (!found) return null;
  return found[0].toLowerCase() === '<svg' ? 'image/svg+xml' : 'text/html';
}
