import { crc32, deflateRawSync, deflateSync } from 'node:zlib';

/**
 * Small real files of every kind the evidence upload knows, built in memory
 * (no fixtures on disk): the file-type specs and the upload e2e share them.
 */

/** A ZIP archive (deflated entries, central directory, end record), as an Office file is. */
export function zip(entries: Record<string, string | Buffer>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(entries)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    const packed = deflateRawSync(data);
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, packed);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const CONTENT_TYPES = (main: string) =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="${main}"/></Types>`;

/** A minimal XLSX workbook: one sheet with a Japanese cell. */
export function xlsx(extra: Record<string, string> = {}): Buffer {
  return zip({
    '[Content_Types].xml': CONTENT_TYPES('/xl/workbook.xml'),
    '_rels/.rels': '<Relationships/>',
    'xl/workbook.xml': '<workbook><sheets><sheet name="権限一覧" sheetId="1"/></sheets></workbook>',
    'xl/worksheets/sheet1.xml':
      '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>アクセス権限</t></is></c></row></sheetData></worksheet>',
    ...extra,
  });
}

/** A minimal DOCX document with a Japanese paragraph. */
export function docx(): Buffer {
  return zip({
    '[Content_Types].xml': CONTENT_TYPES('/word/document.xml'),
    '_rels/.rels': '<Relationships/>',
    'word/document.xml': '<w:document><w:body><w:p><w:r><w:t>委託先監査報告書</w:t></w:r></w:p></w:body></w:document>',
  });
}

/** A 1×1 PNG (signature, IHDR, IDAT, IEND with their CRCs). */
export function png(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]); // 1x1, 8-bit greyscale
  const idat = deflateSync(Buffer.from([0, 0x80]));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The start of a JFIF JPEG (SOI, APP0) and its end marker; enough for a signature check. */
export function jpeg(): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
    Buffer.from('JFIF\0', 'latin1'),
    Buffer.from([0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]),
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** A one-page PDF. */
export function pdf(text = 'Access review 2026-10'): Buffer {
  return Buffer.from(
    `%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n` +
      `3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R>> endobj\n` +
      `4 0 obj <</Length ${text.length + 20}>> stream\nBT (${text}) Tj ET\nendstream endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n`,
    'latin1',
  );
}

/** A Windows executable's first bytes (MZ header, PE offset, DOS stub). */
export function windowsExe(): Buffer {
  const b = Buffer.alloc(256);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('This program cannot be run in DOS mode.', 0x4e, 'latin1');
  b.write('PE\0\0', 0x80, 'latin1');
  return b;
}

/** A Linux executable's first bytes. */
export function elf(): Buffer {
  const b = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(b);
  return b;
}

export const CSV_JA =
  '氏名,部署,権限,確認日\n佐藤 一郎,経営企画部,管理者,2026-10-01\n"山田, 太郎",情報システム部,"閲覧のみ ""暫定""",2026-10-02\n';
export const TEXT_JA = '顧客データベースのアクセス権限を見直しました。\n対象: 全 42 アカウント、削除 7 件。\n';
export const JSON_JA = '{"対策":"アクセス権限見直し","件数":42,"完了":true,"明細":[{"id":1,"削除":false}]}';
