import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '@app/common';
import { ProgressStatementsService, type PublishProgressStatementCommand } from '@app/duties';
import { TestApp } from '../support/test-app';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';

/**
 * The public progress page over HTTP, as a visitor and a CDN see it: no sign-in, no cookie, cacheable with
 * validators, Japanese or English by Accept-Language, and nothing but the published text.
 */
describe('the public progress page (GET /progress, /progress/feed.atom, /progress.json)', () => {
  let t: TestApp;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let publisher: Actor;
  let cmId: string;
  const INTERNAL_TITLE = '【社内限】顧客DB-7 の停止作業（委託先 山田商事）';

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${t.baseUrl}${path}`, { headers });
  const publish = (over: Partial<PublishProgressStatementCommand>) =>
    t.app.get(ProgressStatementsService).publish(publisher, {
      incidentId: ctx.incident.id,
      titleJa: '調査の進捗について',
      titleEn: 'Progress of the investigation',
      bodyJa: '漏えいしたデータベースを停止しました。',
      bodyEn: 'The leaked database has been stopped.',
      ...over,
    });

  beforeAll(async () => {
    t = await TestApp.start();
    ctx = await makeIncident(t, '個人情報漏えい事案');
    const executive = await t.createUser(['EXECUTIVE'], { email: 'exec.publisher@example.test' });
    publisher = Actor.user(executive.user);
    const owner = await ctx.addMember(['TASK_FORCE']);
    cmId = (await makeCountermeasure(t, ctx.incident.id, owner.user.id, { title: INTERNAL_TITLE })).id;
  });
  afterAll(async () => t?.close());

  it('before anything is published, says so, in Japanese by default', async () => {
    const res = await get('/progress');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain('まだ公表した報告はありません。');
    const json = (await (await get('/progress.json')).json()) as { statements: unknown[] };
    expect(json.statements).toEqual([]);
  });

  describe('with statements published', () => {
    let first: { id: string };
    let correction: { id: string };

    beforeAll(async () => {
      first = await publish({
        titleJa: '第一報：<script>alert("x")</script> & 調査開始',
        bodyJa: '警察に相談しました。\n\n調査会社に依頼しました。',
        countermeasures: [{ countermeasureId: cmId, labelJa: '漏えいしたデータベースの停止', labelEn: 'Stopping the leaked database' }],
      });
      await publish({ titleJa: 'お客様へのお願い', titleEn: 'A request to our customers' });
      correction = await publish({
        titleJa: '第一報の訂正',
        titleEn: 'Correction of No. 1',
        corrects: first.id,
        correctionNoteJa: '相談日を訂正しました。',
        correctionNoteEn: 'The date of the consultation is corrected.',
      });
    });

    it('serves cacheable HTML: public max-age, an ETag, Vary: Accept-Language, a strict CSP, and never a cookie', async () => {
      const res = await get('/progress');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('public, max-age=300');
      expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
      expect(res.headers.get('vary')).toMatch(/Accept-Language/i);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(res.headers.getSetCookie()).toEqual([]);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('script-src');
    });

    it('answers 304 without a body to If-None-Match with its ETag (weak or strong), 200 again once something new is published', async () => {
      const etag = (await get('/progress', { 'accept-language': 'ja' })).headers.get('etag')!;
      const again = await get('/progress', { 'accept-language': 'ja', 'if-none-match': etag });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
      expect(again.headers.get('etag')).toBe(etag);
      expect(again.headers.get('cache-control')).toBe('public, max-age=300');
      expect(again.headers.get('set-cookie')).toBeNull();
      expect((await get('/progress', { 'accept-language': 'ja', 'if-none-match': `"other", W/${etag}` })).status).toBe(304);
      // The English page is another representation: its own ETag.
      expect((await get('/progress', { 'accept-language': 'en', 'if-none-match': etag })).status).toBe(200);
      const jsonTag = (await get('/progress.json')).headers.get('etag')!;
      expect((await get('/progress.json', { 'if-none-match': jsonTag })).status).toBe(304);
      const feedTag = (await get('/progress/feed.atom')).headers.get('etag')!;
      expect((await get('/progress/feed.atom', { 'if-none-match': feedTag })).status).toBe(304);

      const extra = await t.createUser(['EXECUTIVE']);
      const other = await makeIncident(t, '別事案');
      await t.app.get(ProgressStatementsService).publish(Actor.user(extra.user), {
        incidentId: other.incident.id,
        titleJa: '別件のお知らせ',
        titleEn: 'Another notice',
        bodyJa: '本文',
        bodyEn: 'Body',
      });
      const changed = await get('/progress', { 'accept-language': 'ja', 'if-none-match': etag });
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).not.toBe(etag);
    });

    it('chooses the language by Accept-Language; ?lang= switches it', async () => {
      const cases: [Record<string, string>, string, 'ja' | 'en'][] = [
        [{ 'accept-language': 'en-US,en;q=0.9' }, '', 'en'],
        [{ 'accept-language': 'ja-JP,ja;q=0.9,en;q=0.8' }, '', 'ja'],
        [{ 'accept-language': 'en;q=0.5, ja;q=0.8' }, '', 'ja'],
        [{ 'accept-language': 'fr-FR' }, '', 'ja'],
        [{ 'accept-language': 'ja' }, '?lang=en', 'en'],
        [{ 'accept-language': 'en' }, '?lang=ja', 'ja'],
        [{ 'accept-language': 'en' }, '?lang=de', 'en'],
      ];
      for (const [headers, query, lang] of cases) {
        const res = await get(`/progress${query}`, headers);
        expect(res.headers.get('content-language'), JSON.stringify([headers, query])).toBe(lang);
        const html = await res.text();
        expect(html).toContain(`<html lang="${lang}">`);
        expect(html).toContain(lang === 'ja' ? 'お客様へのお願い' : 'A request to our customers');
        expect(html).toContain('href="/progress?lang=en"');
        expect(html).toContain('href="/progress?lang=ja"');
      }
    });

    it('shows the published text escaped, newest first, the correction as such and the corrected one marked', async () => {
      const html = await (await get('/progress?lang=ja')).text();
      expect(html).not.toContain('<script');
      expect(html).toContain('第一報：&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 調査開始');
      expect(html).toContain('<p>警察に相談しました。</p><p>調査会社に依頼しました。</p>');
      expect(html.indexOf('第一報の訂正')).toBeLessThan(html.indexOf('お客様へのお願い'));
      expect(html.indexOf('お客様へのお願い')).toBeLessThan(html.indexOf('調査開始'));
      expect(html).toContain(`<a href="#s-${first.id}">第1報</a>の訂正：相談日を訂正しました。`);
      expect(html).toContain(`この報告は<a href="#s-${correction.id}">第3報</a>で訂正されています。`);
      expect(html).toContain('<td>漏えいしたデータベースの停止</td><td>実施予定</td>');
      const en = await (await get('/progress?lang=en')).text();
      expect(en).toContain(`This statement is corrected by <a href="#s-${correction.id}">No. 3</a>.`);
      expect(en).toContain('<td>Stopping the leaked database</td><td>Planned</td>');
    });

    it('serves a valid-looking Atom 1.0 feed in the negotiated language, every text escaped', async () => {
      const res = await get('/progress/feed.atom', { 'accept-language': 'ja' });
      expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
      expect(res.headers.get('vary')).toMatch(/Accept-Language/i);
      expect(res.headers.get('set-cookie')).toBeNull();
      const xml = await res.text();
      expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ja">')).toBe(true);
      const entries = xml.match(/<entry>[\s\S]*?<\/entry>/g)!;
      expect(entries).toHaveLength(4);
      expect(entries[3]).toContain(`<id>urn:uuid:${first.id}</id>`);
      expect(entries[3]).toContain('&lt;script&gt;');
      expect(xml).not.toContain('<script');
      expect(xml).toMatch(/<updated>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z<\/updated>/);
      const en = await (await get('/progress/feed.atom?lang=en')).text();
      expect(en).toContain('xml:lang="en"');
      expect(en).toContain('No. 3 Correction of No. 1 (Correction)');
    });

    it('serves the JSON with both languages, newest first, and only published fields', async () => {
      const res = await get('/progress.json', { 'accept-language': 'en' });
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('public, max-age=300');
      expect(res.headers.get('set-cookie')).toBeNull();
      const doc = (await res.json()) as { format: string; statements: Record<string, unknown>[] };
      expect(doc.format).toBe('remediation-tracker-progress/v1');
      const mine = doc.statements.filter((s) => s['incidentId'] === ctx.incident.id);
      expect(mine.map((s) => s['number'])).toEqual([3, 2, 1]);
      expect(mine[0]).toMatchObject({
        corrects: { id: first.id, number: 1, note: { ja: '相談日を訂正しました。', en: 'The date of the consultation is corrected.' } },
        correctedBy: null,
      });
      expect(mine[2]).toMatchObject({
        correctedBy: { id: correction.id, number: 3 },
        countermeasures: [
          {
            label: { ja: '漏えいしたデータベースの停止', en: 'Stopping the leaked database' },
            status: 'PLANNED',
            statusText: { ja: '実施予定', en: 'Planned' },
          },
        ],
      });
      expect(Object.keys(mine[2]!).sort()).toEqual(
        ['body', 'correctedBy', 'corrects', 'countermeasures', 'id', 'incidentId', 'number', 'publishedAt', 'title'].sort(),
      );
    });

    it('never shows who published, the countermeasure’s internal title or id, on any of the three', async () => {
      for (const path of ['/progress?lang=ja', '/progress?lang=en', '/progress/feed.atom', '/progress.json']) {
        const body = await (await get(path)).text();
        expect(body, path).not.toContain('exec.publisher@example.test');
        expect(body, path).not.toContain(INTERNAL_TITLE);
        expect(body, path).not.toContain('山田商事');
        expect(body, path).not.toContain(cmId);
      }
    });

    it('needs no sign-in, and a HEAD gets the same headers', async () => {
      const head = await fetch(`${t.baseUrl}/progress`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('cache-control')).toBe('public, max-age=300');
      expect(head.headers.get('set-cookie')).toBeNull();
    });

    it('lists at most the latest 100 statements', async () => {
      for (let i = 0; i < 100; i++)
        await publish({ titleJa: `定例報告 ${i + 1}`, titleEn: `Regular report ${i + 1}`, countermeasures: [] });
      const html = await (await get('/progress?lang=ja')).text();
      expect(html.match(/<article /g)).toHaveLength(100);
      expect(html).toContain('定例報告 100');
      expect(html).not.toContain('第1報');
      const doc = (await (await get('/progress.json')).json()) as { statements: { number: number }[] };
      expect(doc.statements).toHaveLength(100);
      expect(doc.statements[0]!.number).toBe(103);
    });
  });
});
