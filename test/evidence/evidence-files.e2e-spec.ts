import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PinoLogger } from 'nestjs-pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Actor, CASE_TIME_ZONE, todayIn } from '@app/common';
import { EvidenceService, EvidenceStorage, LocalEvidenceStorage } from '@app/evidence';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { TestApp } from '../support/test-app';
import { CSV_JA, docx, JSON_JA, jpeg, pdf, png, TEXT_JA, windowsExe, xlsx, zip } from './support-files';
import { cutOffUpload, eventually, filesUnder, multipartBody, postRaw, upload } from './support-files-http';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const LIMIT = 256 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const JA_NAME = 'アクセス権限見直し_2026-10.xlsx';

describe('evidence files: upload and download over HTTP', () => {
  let t: TestApp;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let owner: Awaited<ReturnType<TestApp['createUser']>>;
  let ownerToken: string;
  let auditorToken: string;
  let requirementId: string;
  let storage: LocalEvidenceStorage;
  let today: string;

  beforeAll(async () => {
    t = await TestApp.start({ EVIDENCE_MAX_BYTES: String(LIMIT) });
    ctx = await makeIncident(t);
    owner = await ctx.addMember();
    ownerToken = await owner.token();
    auditorToken = await (await t.createUser(['AUDITOR'])).token();
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id);
    requirementId = (await t.sql<{ id: string }>(`SELECT id FROM countermeasure_requirements WHERE countermeasure_id = $1`, [cm.id]))[0]!
      .id;
    storage = t.app.get(EvidenceStorage) as LocalEvidenceStorage;
    today = todayIn(CASE_TIME_ZONE, new Date());
  });
  afterAll(async () => t?.close());

  const fields = (over: Record<string, string> = {}) => ({ requirementId, effectiveOn: today, ...over });
  const evidenceCount = async () => Number((await t.sql<{ n: string }>(`SELECT count(*) AS n FROM evidence`))[0]!.n);

  /** Snapshot of what is stored and recorded; `unchanged()` proves a refusal left nothing behind. */
  async function snapshot() {
    const files = filesUnder(storage.root);
    const rows = await evidenceCount();
    const trail = (await t.sql(`SELECT seq FROM audit_trail`)).length;
    return {
      async unchanged() {
        expect(filesUnder(storage.root)).toEqual(files);
        expect(filesUnder(storage.tempDir)).toEqual([]);
        expect(await evidenceCount()).toBe(rows);
        expect((await t.sql(`SELECT seq FROM audit_trail`)).length).toBe(trail);
      },
    };
  }

  describe('upload', () => {
    it('stores a Japanese-named XLSX under its SHA-256, records its detected type, and answers 201 with the row', async () => {
      const bytes = xlsx();
      const res = await upload(t, ownerToken, fields({ description: '10月分の棚卸し' }), [
        { bytes, name: JA_NAME, type: 'application/vnd.ms-excel' },
      ]);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        kind: 'FILE',
        name: JA_NAME,
        description: '10月分の棚卸し',
        mediaType: XLSX,
        sizeBytes: bytes.length,
        sha256: sha(bytes),
        versionNo: 1,
        status: 'SUBMITTED',
        effectiveOn: today,
        requirementId,
        targetId: null,
      });
      expect(new Date(res.body.uploadedAt as string).getTime()).toBeGreaterThan(Date.now() - 60_000);
      const [row] = await t.sql(`SELECT name, media_type, size_bytes, sha256, uploaded_by_id FROM evidence WHERE id = $1`, [res.body.id]);
      expect(row).toEqual({
        name: JA_NAME,
        media_type: XLSX,
        size_bytes: String(bytes.length),
        sha256: sha(bytes),
        uploaded_by_id: owner.user.id,
      });
      // Content-addressed: the path is made of the hash only, never of the name.
      const h = sha(bytes);
      expect(fs.readFileSync(path.join(storage.root, h.slice(0, 2), h.slice(2, 4), h)).equals(bytes)).toBe(true);
      expect(filesUnder(storage.tempDir)).toEqual([]);
      const trail = await t.sql<{ action: string }>(`SELECT action FROM audit_trail WHERE entity_id = $1`, [res.body.id]);
      expect(trail.map((e) => e.action)).toEqual(['evidence.submitted']);
    });

    it.each([
      ['PDF', () => pdf('monitoring 2026-10'), 'report.pdf', 'application/pdf'],
      ['PNG', png, 'screenshot.png', 'image/png'],
      ['JPEG', jpeg, '写真.jpg', 'image/jpeg'],
      ['DOCX', docx, '委託先監査報告書.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
      ['CSV (declared as Excel by the browser)', () => Buffer.from(CSV_JA), '権限一覧.csv', 'text/csv'],
      ['plain text', () => Buffer.from(TEXT_JA), '作業記録.txt', 'text/plain'],
      ['JSON', () => Buffer.from(JSON_JA), 'export.json', 'application/json'],
    ])('accepts %s and records the type its bytes show', async (_, make, name, type) => {
      const bytes = make();
      const res = await upload(t, ownerToken, fields(), [{ bytes, name, type: 'application/vnd.ms-excel' }]);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ name, mediaType: type, sha256: sha(bytes), sizeBytes: bytes.length });
    });

    it('accepts X-Requested-With in place of Apollo-Require-Preflight', async () => {
      const res = await upload(t, ownerToken, fields(), [{ bytes: pdf('xrw'), name: 'x.pdf' }], { 'x-requested-with': 'XMLHttpRequest' });
      expect(res.status).toBe(201);
    });

    it('keeps the uploaded name as display text only: path parts and control characters are stripped', async () => {
      const res = await upload(t, ownerToken, fields(), [{ bytes: pdf('name'), name: '..\\..\\windows\\報告書\u202Efdp.exe' }]);
      expect(res.status).toBe(201);
      expect(res.body.name).toBe('報告書fdp.exe');
      const long = `${'あ'.repeat(300)}.pdf`;
      const res2 = await upload(t, ownerToken, fields(), [{ bytes: pdf('long'), name: long }]);
      expect(res2.status).toBe(201);
      expect([...(res2.body.name as string)]).toHaveLength(255);
      expect(res2.body.name as string).toMatch(/^あ+\.pdf$/);
    });

    it('a corrected version supersedes the earlier one (versionNo 2)', async () => {
      const v1 = await upload(t, ownerToken, fields(), [{ bytes: Buffer.from('版1,a\nx,y\n'), name: 'list.csv' }]);
      const v2 = await upload(t, ownerToken, fields({ supersedesId: v1.body.id as string }), [
        { bytes: Buffer.from('版2,a\nx,z\n'), name: 'list.csv' },
      ]);
      expect(v2.status).toBe(201);
      expect(v2.body).toMatchObject({ versionNo: 2, supersedesId: v1.body.id });
      const [old] = await t.sql(`SELECT status FROM evidence WHERE id = $1`, [v1.body.id]);
      expect(old).toEqual({ status: 'SUPERSEDED' });
    });
  });

  describe('bad uploads get a coded error and leave nothing behind', () => {
    it.each([
      ['an empty file', { bytes: Buffer.alloc(0), name: 'empty.pdf' }, 'FILE_EMPTY', {}],
      [
        'a file over the limit',
        { bytes: Buffer.concat([pdf(), Buffer.alloc(LIMIT * 4, 0x20)]), name: 'big.pdf' },
        'FILE_TOO_LARGE',
        { limitBytes: LIMIT },
      ],
      [
        'a Windows executable named .pdf and declared application/pdf',
        { bytes: windowsExe(), name: '監査報告書.pdf', type: 'application/pdf' },
        'FILE_TYPE_NOT_ALLOWED',
        { detected: 'application/x-msdownload' },
      ],
      [
        'a plain ZIP named .xlsx',
        { bytes: zip({ 'a.txt': 'x' }), name: 'book.xlsx', type: XLSX },
        'FILE_TYPE_NOT_ALLOWED',
        { detected: 'application/zip' },
      ],
      [
        'an HTML page named .txt',
        { bytes: Buffer.from('<html><script>alert(1)</script></html>'), name: 'note.txt', type: 'text/plain' },
        'FILE_TYPE_NOT_ALLOWED',
        { detected: 'text/html' },
      ],
      [
        'an HTML page behind a byte-order mark and a comment, named .txt',
        { bytes: Buffer.from('\uFEFF<!-- 議事録 -->\n<p onclick="alert(1)">会議メモ</p>'), name: '議事録.txt', type: 'text/plain' },
        'FILE_TYPE_NOT_ALLOWED',
        { detected: 'text/html' },
      ],
      [
        'Shift_JIS text (not UTF-8)',
        { bytes: Buffer.from([0x8e, 0x81, 0x96, 0xbc, 0x0a]), name: 'sjis.csv' },
        'FILE_TYPE_NOT_ALLOWED',
        { detected: 'application/octet-stream' },
      ],
    ])('%s', async (_, file, reason, details) => {
      const before = await snapshot();
      const res = await upload(t, ownerToken, fields(), [file]);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'BAD_USER_INPUT', reason, ...details });
      await before.unchanged();
    });

    it('a client sending far more than the limit gets the answer at once, and the server stops storing at the limit', async () => {
      const before = await snapshot();
      const res = await upload(t, ownerToken, fields(), [
        { bytes: Buffer.concat([pdf(), Buffer.alloc(64 * LIMIT, 0x20)]), name: 'huge.pdf' },
      ]);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ reason: 'FILE_TOO_LARGE', limitBytes: LIMIT });
      await before.unchanged();
    });

    it('the type refusal lists what is allowed', async () => {
      const res = await upload(t, ownerToken, fields(), [{ bytes: windowsExe(), name: 'a.pdf' }]);
      expect(res.body.error!.allowed).toContain('application/pdf');
      expect(res.body.error!.allowed).toHaveLength(8);
    });

    it.each([
      ['no file part', () => fields(), [], 'UPLOAD_INVALID'],
      [
        'two files',
        () => fields(),
        [
          { bytes: pdf('1'), name: '1.pdf' },
          { bytes: pdf('2'), name: '2.pdf' },
        ],
        'UPLOAD_INVALID',
      ],
      ['a missing requirementId', () => ({ effectiveOn: '2026-10-31' }), [{ bytes: pdf(), name: 'a.pdf' }], 'UPLOAD_INVALID'],
      [
        'a missing effectiveOn',
        () => ({ requirementId: '00000000-0000-4000-8000-000000000001' }),
        [{ bytes: pdf(), name: 'a.pdf' }],
        'UPLOAD_INVALID',
      ],
      ['an unknown field', () => ({ ...fields(), owner: 'me' }), [{ bytes: pdf(), name: 'a.pdf' }], 'UPLOAD_INVALID'],
      ['a requirementId that is not a UUID', () => fields({ requirementId: '../etc' }), [{ bytes: pdf(), name: 'a.pdf' }], 'INVALID_FIELD'],
      ['a malformed effectiveOn', () => fields({ effectiveOn: '31/10/2026' }), [{ bytes: pdf(), name: 'a.pdf' }], 'INVALID_FIELD'],
    ])('%s', async (_, f, files, reason) => {
      const before = await snapshot();
      const res = await upload(t, ownerToken, f() as Record<string, string>, files);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'BAD_USER_INPUT', reason });
      await before.unchanged();
    });

    it('the fields must come before the file', async () => {
      const before = await snapshot();
      const boundary = 'b0undary';
      const body = multipartBody(boundary, [
        { name: 'file', filename: 'a.pdf', bytes: pdf() },
        { name: 'requirementId', value: requirementId },
        { name: 'effectiveOn', value: today },
      ]);
      const res = await postRaw(t, ownerToken, body, {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'apollo-require-preflight': '1',
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ reason: 'UPLOAD_INVALID', field: 'requirementId' });
      await before.unchanged();
    });

    it('a body that is not multipart, or a multipart body that stops early, is UPLOAD_INVALID', async () => {
      const before = await snapshot();
      const json = await postRaw(t, ownerToken, Buffer.from('{"file":"JVBERi0="}'), {
        'content-type': 'application/json',
        'apollo-require-preflight': '1',
      });
      expect(json.status).toBe(400);
      expect(json.body.error).toMatchObject({ reason: 'UPLOAD_INVALID' });
      const boundary = 'b0undary';
      const truncated = multipartBody(
        boundary,
        [
          { name: 'requirementId', value: requirementId },
          { name: 'effectiveOn', value: today },
          { name: 'file', filename: 'a.pdf', bytes: pdf() },
        ],
        false,
      );
      const res = await postRaw(t, ownerToken, truncated, {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'apollo-require-preflight': '1',
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ reason: 'UPLOAD_INVALID' });
      await before.unchanged();
    });

    it('without the CSRF header (what a cross-site form would send) the upload is refused and nothing is stored', async () => {
      const before = await snapshot();
      const res = await upload(t, ownerToken, fields(), [{ bytes: pdf('csrf'), name: 'a.pdf' }], {});
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'BAD_USER_INPUT',
        reason: 'UPLOAD_INVALID',
        requiredHeader: ['Apollo-Require-Preflight', 'X-Requested-With'],
      });
      const empty = await upload(t, ownerToken, fields(), [{ bytes: pdf('csrf'), name: 'a.pdf' }], { 'apollo-require-preflight': '' });
      expect(empty.status).toBe(400);
      await before.unchanged();
    });

    it('anonymous callers get 401 and auditors (no evidence:submit) 403, with nothing stored', async () => {
      const before = await snapshot();
      const anon = await upload(t, null, fields(), [{ bytes: pdf('anon'), name: 'a.pdf' }]);
      expect(anon.status).toBe(401);
      expect(anon.body.error).toMatchObject({ code: 'UNAUTHENTICATED' });
      const auditor = await upload(t, auditorToken, fields(), [{ bytes: pdf('auditor'), name: 'a.pdf' }]);
      expect(auditor.status).toBe(403);
      expect(auditor.body.error).toMatchObject({ code: 'FORBIDDEN' });
      await before.unchanged();
    });

    it('a refusal by the service (unknown requirement, not the owner) removes the bytes it just stored', async () => {
      const stranger = await ctx.addMember();
      const strangerToken = await stranger.token();
      const before = await snapshot();
      const unknown = await upload(t, ownerToken, fields({ requirementId: '00000000-0000-4000-8000-000000000001' }), [
        { bytes: pdf('orphan-1'), name: 'a.pdf' },
      ]);
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toMatchObject({ code: 'NOT_FOUND', reason: 'REQUIREMENT_NOT_FOUND' });
      const res = await upload(t, strangerToken, fields(), [{ bytes: pdf('orphan-2'), name: 'a.pdf' }]);
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'FORBIDDEN' });
      expect(await storage.exists(sha(pdf('orphan-2')))).toBe(false);
      await before.unchanged();
    });

    it('a refused upload of bytes that another evidence already holds keeps that evidence’s blob', async () => {
      const bytes = pdf('shared bytes');
      expect((await upload(t, ownerToken, fields(), [{ bytes, name: 'ok.pdf' }])).status).toBe(201);
      const stranger = await ctx.addMember();
      const res = await upload(t, await stranger.token(), fields(), [{ bytes, name: 'again.pdf' }]);
      expect(res.status).toBe(403);
      expect(await storage.exists(sha(bytes))).toBe(true);
    });

    it('an upload cut off half way leaves no row, no temp file and no blob', async () => {
      const before = await snapshot();
      const boundary = 'cutoff-boundary';
      const head = multipartBody(
        boundary,
        [
          { name: 'requirementId', value: requirementId },
          { name: 'effectiveOn', value: today },
        ],
        false,
      );
      const partHead = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="half.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
      );
      const half = Buffer.concat([pdf(), Buffer.alloc(100 * 1024, 0x20)]);
      let inFlight: string[] = [];
      await cutOffUpload(t, ownerToken, Buffer.concat([head, partHead]), half, head.length + partHead.length + 200 * 1024, boundary, () => {
        inFlight = filesUnder(storage.tempDir);
      });
      expect(inFlight).toHaveLength(1); // the bytes were streaming to a temp file when the client vanished
      await eventually(() => filesUnder(storage.tempDir).length === 0);
      await new Promise((r) => setTimeout(r, 200));
      await before.unchanged();
      // The server is still well: the next upload goes through.
      expect((await upload(t, ownerToken, fields(), [{ bytes: pdf('after cut'), name: 'a.pdf' }])).status).toBe(201);
    });
  });

  describe('download', () => {
    let fileId: string;
    let bytes: Buffer;
    beforeAll(async () => {
      bytes = xlsx({ 'xl/worksheets/sheet2.xml': '<worksheet/>' });
      const res = await upload(t, ownerToken, fields(), [{ bytes, name: JA_NAME }]);
      fileId = res.body.id as string;
    });

    it('streams the exact bytes with their type, an attachment disposition keeping the Japanese name, nosniff and Repr-Digest', async () => {
      const res = await fetch(`${t.baseUrl}/evidence/${fileId}/content`, { headers: { authorization: `Bearer ${auditorToken}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(XLSX);
      expect(res.headers.get('content-length')).toBe(String(bytes.length));
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('repr-digest')).toBe(`sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`);
      const disposition = res.headers.get('content-disposition')!;
      expect(disposition).toMatch(/^attachment; filename="[ -~]+"; filename\*=UTF-8''/);
      expect(decodeURIComponent(disposition.split("filename*=UTF-8''")[1]!)).toBe(JA_NAME);
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    });

    it('a client that ignores filename* still gets a name that says what the file is: CM key, evidence id, extension of the stored type', async () => {
      const res = await fetch(`${t.baseUrl}/evidence/${fileId}/content`, { headers: { authorization: `Bearer ${auditorToken}` } });
      const disposition = res.headers.get('content-disposition')!;
      await res.arrayBuffer();
      const [row] = await t.sql<{ seq: number }>(
        'SELECT c.seq FROM evidence e JOIN countermeasures c ON c.id = e.countermeasure_id WHERE e.id = $1',
        [fileId],
      );
      const key = `CM-${String(row!.seq).padStart(3, '0')}`;
      expect(disposition.split(';')[1]!.trim()).toBe(`filename="${key}_evidence-${fileId}.xlsx"`);
      expect(decodeURIComponent(disposition.split("filename*=UTF-8''")[1]!)).toBe(JA_NAME);
      // A plain ASCII name is its own fallback.
      const ascii = await upload(t, ownerToken, fields(), [{ bytes: pdf('ascii name'), name: 'access-review_2026-10.pdf' }]);
      const plain = await fetch(`${t.baseUrl}/evidence/${ascii.body.id}/content`, { headers: { authorization: `Bearer ${ownerToken}` } });
      await plain.arrayBuffer();
      expect(plain.headers.get('content-disposition')).toBe(
        `attachment; filename="access-review_2026-10.pdf"; filename*=UTF-8''access-review_2026-10.pdf`,
      );
    });

    it('text is served with its charset', async () => {
      const up = await upload(t, ownerToken, fields(), [{ bytes: Buffer.from(CSV_JA), name: '一覧.csv' }]);
      const res = await fetch(`${t.baseUrl}/evidence/${up.body.id}/content`, { headers: { authorization: `Bearer ${ownerToken}` } });
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(await res.text()).toBe(CSV_JA);
    });

    it('anonymous callers get 401; unknown, malformed and non-file evidence ids get 404 with a clear reason', async () => {
      expect((await fetch(`${t.baseUrl}/evidence/${fileId}/content`)).status).toBe(401);
      const get = async (id: string) => {
        const res = await fetch(`${t.baseUrl}/evidence/${encodeURIComponent(id)}/content`, {
          headers: { authorization: `Bearer ${ownerToken}` },
        });
        return { status: res.status, body: (await res.json()) as { error: Record<string, unknown> } };
      };
      expect(await get('00000000-0000-4000-8000-000000000009')).toMatchObject({
        status: 404,
        body: { error: { code: 'NOT_FOUND', reason: 'EVIDENCE_NOT_FOUND' } },
      });
      expect(await get('not-a-uuid')).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND', reason: 'EVIDENCE_NOT_FOUND' } } });
      const link = await t.app.get(EvidenceService).submitLink(Actor.user(owner.user), {
        requirementId,
        effectiveOn: today,
        title: '監視ダッシュボード',
        url: 'https://example.com/dash',
      });
      expect(await get(link.id)).toMatchObject({
        status: 404,
        body: { error: { code: 'NOT_FOUND', reason: 'EVIDENCE_NOT_FOUND', kind: 'LINK' } },
      });
    });

    describe('when the stored bytes were altered', () => {
      let errorLog: ReturnType<typeof vi.spyOn>;
      beforeEach(() => {
        errorLog = vi.spyOn(PinoLogger.prototype, 'error');
        return () => errorLog.mockRestore();
      });

      it('refuses with 500 STORAGE_INTEGRITY before sending a byte, and logs an error naming the evidence and both hashes', async () => {
        const original = Buffer.from(TEXT_JA + '改ざん検知テスト\n');
        const up = await upload(t, ownerToken, fields(), [{ bytes: original, name: 'log.txt' }]);
        const h = up.body.sha256 as string;
        const altered = Buffer.from(TEXT_JA + '改ざん済みテスト\n');
        const blobPath = storage.pathOf(h);
        fs.chmodSync(blobPath, 0o600);
        fs.writeFileSync(blobPath, altered);

        const res = await fetch(`${t.baseUrl}/evidence/${up.body.id}/content`, { headers: { authorization: `Bearer ${auditorToken}` } });
        expect(res.status).toBe(500);
        const body = (await res.json()) as { error: Record<string, unknown> };
        expect(body.error).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', reason: 'STORAGE_INTEGRITY', expected: h, actual: sha(altered) });
        expect(res.headers.get('repr-digest')).toBeNull();
        expect(errorLog).toHaveBeenCalledWith(
          expect.objectContaining({ evidenceId: up.body.id, expectedSha256: h, actualSha256: sha(altered) }),
          expect.stringContaining(up.body.id as string),
        );
      });

      it('a missing blob is the same alarm', async () => {
        const up = await upload(t, ownerToken, fields(), [{ bytes: pdf('to be lost'), name: 'lost.pdf' }]);
        fs.rmSync(storage.pathOf(up.body.sha256 as string));
        const res = await fetch(`${t.baseUrl}/evidence/${up.body.id}/content`, { headers: { authorization: `Bearer ${ownerToken}` } });
        expect(res.status).toBe(500);
        expect(((await res.json()) as { error: Record<string, unknown> }).error).toMatchObject({ reason: 'STORAGE_INTEGRITY' });
        expect(errorLog).toHaveBeenCalledWith(
          expect.objectContaining({ evidenceId: up.body.id, expectedSha256: up.body.sha256, actualSha256: null }),
          expect.any(String),
        );
      });
    });
  });
});
