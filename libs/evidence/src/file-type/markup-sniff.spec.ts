import { describe, expect, it } from 'vitest';
import { CSV_JA, JSON_JA, TEXT_JA } from '../../../../test/evidence/support-files';
import { sniffBytes } from './media-type-sniffer';
import { markupTypeOf } from './markup-sniff';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const utf8 = (s: string) => Buffer.from(s, 'utf8');
const withBom = (s: string) => Buffer.concat([BOM, utf8(s)]);

/**
 * A text evidence file is served back to browsers. Whatever a browser would
 * sniff as markup (and so render, and run its script) must not pass as
 * text/plain, text/csv or application/json.
 */
describe('markup hidden in a text file is refused', () => {
  it.each([
    ['a BOM, a comment, then HTML', withBom('<!-- exported by tool -->\n<html><body><script>alert(1)</script></body></html>'), 'text/html'],
    ['a UTF-8 BOM + <!-- x -->\\n<p>', withBom('<!-- x -->\n<p>hello</p>'), 'text/html'],
    ['whitespace then <script>', utf8('   \r\n\t <script>alert(document.cookie)</script>'), 'text/html'],
    ['upper case <SCRIPT>', utf8('<SCRIPT SRC=//evil.example/x.js></SCRIPT>'), 'text/html'],
    ['mixed case doctype', utf8('<!DoCtYpE HtMl>\n<title>x</title>'), 'text/html'],
    ['a comment with no space', utf8('<!--x--><img src=x onerror=alert(1)>'), 'text/html'],
    ['<iframe>', utf8('<iframe src="https://evil.example"></iframe>'), 'text/html'],
    ['<h1>', utf8('<h1>見出し</h1>'), 'text/html'],
    ['<div>', utf8('<div onclick=alert(1)>x</div>'), 'text/html'],
    ['<font>', utf8('<font color=red>x</font>'), 'text/html'],
    ['<table>', utf8('<table><tr><td>1</td></tr></table>'), 'text/html'],
    ['<a href>', utf8('<a href="javascript:alert(1)">click</a>'), 'text/html'],
    ['<style>', utf8('<style>body{}</style>'), 'text/html'],
    ['<title>', utf8('<title>t</title>'), 'text/html'],
    ['<b>', utf8('<b>bold</b>'), 'text/html'],
    ['<body>', utf8('<body onload=alert(1)>'), 'text/html'],
    ['<br/>', utf8('<br/>text'), 'text/html'],
    ['<p>', utf8('<p>para'), 'text/html'],
    ['<head>', utf8('<head><meta http-equiv=refresh content="0;url=https://evil.example"></head>'), 'text/html'],
    ['an ideographic space before the tag', utf8('\u3000<script>alert(1)</script>'), 'text/html'],
    ['two BOMs', utf8('\uFEFF\uFEFF<html>'), 'text/html'],
    ['<svg/onload>', utf8('<svg/onload=alert(1)>'), 'image/svg+xml'],
    ['an SVG after a BOM and newlines', withBom('\n\n<svg xmlns="http://www.w3.org/2000/svg"></svg>'), 'image/svg+xml'],
    ['XML after a BOM', withBom('<?xml version="1.0"?><x/>'), 'application/xml'],
    ['a CSV with <script> in a cell', utf8('名前,メモ\n山田,<script>alert(1)</script>\n'), 'text/html'],
    ['a JSON with <iframe> in a string', utf8('{"note": "<iframe src=x>"}'), 'text/html'],
    ['plain text with <svg later in the prefix', utf8(`${'報告書。'.repeat(40)}\n<svg onload=alert(1)>`), 'image/svg+xml'],
    ['plain text with <!DOCTYPE later in the prefix', utf8(`メモ\n\n<!doctype html><p>x`), 'text/html'],
  ])('%s', async (_, bytes, type) => {
    expect(await sniffBytes(bytes)).toBe(type);
    // Whatever the chunk boundaries (the BOM split, a tag split).
    for (const size of [1, 2, 3, 5]) expect(await sniffBytes(bytes, size)).toBe(type);
  });

  it.each([
    ['a Japanese plain text', utf8(TEXT_JA), 'text/plain'],
    ['a Japanese CSV', utf8(CSV_JA), 'text/csv'],
    ['a Japanese JSON', utf8(JSON_JA), 'application/json'],
    ['a comparison a<b', utf8('a<b\nx < 10 and y<=3\n'), 'text/plain'],
    ['a CSV with < and > in cells', utf8('項目,条件\nA,x<10\nB,y>3\n'), 'text/csv'],
    ['angle-bracket quotes in Japanese text', utf8('〈注〉 <注記> 「<参考>」を参照。\n'), 'text/plain'],
    ['a tag-like word that is not one of the patterns', utf8('<abc> is not a tag a browser sniffs\n<bold> neither\n'), 'text/plain'],
    ['a mail-style address', utf8('From: 山田 <yamada@example.com>\n'), 'text/plain'],
    ['<script far beyond the sniffed prefix', utf8(`${'あ'.repeat(2000)}\n<script>`), 'text/plain'],
  ])('%s stays text (%s)', async (_, bytes, type) => {
    expect(await sniffBytes(bytes)).toBe(type);
  });

  it('the pure rule: the start after BOM and whitespace, then the anywhere list', () => {
    expect(markupTypeOf('\uFEFF  <!-- c -->')).toBe('text/html');
    expect(markupTypeOf('<A HREF=x>')).toBe('text/html');
    expect(markupTypeOf('<a')).toBe('text/html');
    expect(markupTypeOf('<abbr>')).toBeNull();
    expect(markupTypeOf('x <b')).toBeNull();
    expect(markupTypeOf('x <SvG')).toBe('image/svg+xml');
    expect(markupTypeOf('x <Html')).toBe('text/html');
    expect(markupTypeOf('')).toBeNull();
  });
});
