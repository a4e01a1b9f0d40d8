import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '@app/common';
import { CountermeasuresService } from '@app/countermeasures';
import { EvidenceService, EvidenceStorage } from '@app/evidence';
import { errorCode, TestApp } from '../support/test-app';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The few browser APIs the page-side functions use (the tests are compiled without the DOM's types). */
interface XmlNode {
  namespaceURI: string | null;
  localName: string;
  textContent: string | null;
  getElementsByTagName(name: string): ArrayLike<XmlNode>;
  getElementsByTagNameNS(ns: string, name: string): ArrayLike<XmlNode> & Iterable<XmlNode>;
}
interface BrowserGlobals {
  getComputedStyle(el: unknown): { borderCollapse: string };
  DOMParser: new () => { parseFromString(source: string, type: string): XmlNode & { documentElement: XmlNode } };
}

/** What must never reach the public page: the plan's internals, and a statement that was refused. */
const INTERNAL_TITLE = '【社内限】顧客DB-7 停止と委託先アカウント削除';
const EVIDENCE_NAME = '顧客DB7_停止作業記録_社外秘.csv';
const REVIEW_COMMENT = '停止後もバッチ用アカウントが残存しています。削除の記録を追加で提出してください。';
const OWNER_NAME = '高橋 健';
const REFUSED_TITLE = '担当者高橋健による作業報告（公表不可）';

/**
 * The public page in a real Chromium (Debian's, via playwright-core), with the plan around it holding what is
 * never published: a countermeasure's internal title, its evidence, an auditor's comment, the owner's name,
 * and a statement the tracker refused. The page shows the published text in Japanese, switches to English
 * through its link, and none of the rest ever appears in what the browser shows.
 */
describe('the public progress page in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
    t = await TestApp.start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });

    const ctx = await makeIncident(t, '個人情報漏えい事案');
    const executive = await t.createUser(['EXECUTIVE'], { email: 'president@example.test' });
    const owner = await ctx.addMember(['TASK_FORCE']);
    const ownerNamed = await t.createUser(['TASK_FORCE'], { displayName: OWNER_NAME, email: 'takahashi.ken@example.test' });
    const auditor = await t.createUser(['AUDITOR']);

    // The plan's internals: a countermeasure with an internal title, its evidence, an auditor's comment on it.
    let cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id, { title: INTERNAL_TITLE });
    const cms = t.app.get(CountermeasuresService);
    cm = await cms.transition(Actor.user(owner.user), cm.id, cm.version, 'IN_PROGRESS', null);
    const [requirement] = await cms.requirementsOf([cm.id]);
    const staged = await t.app.get(EvidenceStorage).stage(Readable.from([Buffer.from('停止日時,作業者\n2026-07-02,高橋\n', 'utf8')]), {
      maxBytes: 1 << 20,
      allowedTypes: ['text/plain', 'text/csv'],
    });
    await staged.commit();
    const evidence = t.app.get(EvidenceService);
    const file = await evidence.submitFile(Actor.user(owner.user), {
      requirementId: requirement!.id,
      effectiveOn: '2026-07-02',
      file: { name: EVIDENCE_NAME, mediaType: staged.mediaType, sizeBytes: staged.sizeBytes, sha256: staged.sha256 },
    });
    await evidence.review(Actor.user(auditor.user), file.id, file.sha256, 'REJECTED', REVIEW_COMMENT);

    const token = await executive.token();
    const PUBLISH = `mutation($input: PublishProgressStatementInput!) { publishProgressStatement(input: $input) { id number } }`;
    const statement = {
      incidentId: ctx.incident.id,
      titleJa: '漏えいしたデータベースの停止について',
      titleEn: 'On stopping the leaked database',
      bodyJa: '漏えいが確認されたデータベースを停止しました。\n\n警察の捜査に全面的に協力しています。',
      bodyEn: 'The database from which the data leaked has been stopped.\n\nWe are cooperating fully with the police investigation.',
      countermeasures: [{ countermeasureId: cm.id, labelJa: 'データベースの停止', labelEn: 'Stopping the database' }],
    };
    // A statement naming the owner is refused, and so never published.
    const refused = await t.gql(PUBLISH, { input: { ...statement, titleJa: REFUSED_TITLE } }, token);
    expect(errorCode(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors![0]!.extensions).toMatchObject({ reason: 'NOT_PUBLISHABLE', field: 'titleJa', matched: 'USER_NAME' });
    // So is one quoting the evidence's name or the auditor's comment.
    for (const [bodyJa, matched] of [
      [`詳細は${EVIDENCE_NAME}をご覧ください。`, 'EVIDENCE_NAME'],
      [`監査人の指摘：${REVIEW_COMMENT}`, 'REVIEW_COMMENT'],
    ]) {
      const quoted = await t.gql(PUBLISH, { input: { ...statement, bodyJa } }, token);
      expect(quoted.errors![0]!.extensions).toMatchObject({ reason: 'NOT_PUBLISHABLE', field: 'bodyJa', matched });
    }
    expect(ownerNamed.user.displayName).toBe(OWNER_NAME);
    const published = await t.gql<{ publishProgressStatement: { number: number } }>(PUBLISH, { input: statement }, token);
    expect(published.data?.publishProgressStatement.number).toBe(1);
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  async function open(locale: string, path = '/progress'): Promise<{ page: Page; context: BrowserContext; errors: string[] }> {
    const context = await browser.newContext({ locale });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('pageerror', (e) => void errors.push(e.message));
    const res = await page.goto(`${t.baseUrl}${path}`);
    expect(res?.status()).toBe(200);
    return { page, context, errors };
  }

  /** What the browser shows (rendered text) and what it holds (the whole document). */
  async function shown(page: Page): Promise<{ text: string; html: string }> {
    return { text: await page.locator('body').innerText(), html: await page.content() };
  }

  function expectNothingInternal(view: { text: string; html: string }): void {
    for (const secret of [
      INTERNAL_TITLE,
      EVIDENCE_NAME,
      REVIEW_COMMENT,
      REFUSED_TITLE,
      OWNER_NAME,
      '高橋健',
      'president@example.test',
      'takahashi.ken@example.test',
    ]) {
      expect(view.text).not.toContain(secret);
      expect(view.html).not.toContain(secret);
    }
  }

  it('shows the published statement in Japanese to a Japanese browser, styled under its CSP, with no cookie', async () => {
    const { page, context, errors } = await open('ja-JP');
    const view = await shown(page);
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
    expect(view.text).toContain('第1報');
    expect(view.text).toContain('漏えいしたデータベースの停止について');
    expect(view.text).toContain('警察の捜査に全面的に協力しています。');
    expect(view.text).toMatch(/データベースの停止\s+実施中/);
    expect(view.text).not.toContain('On stopping the leaked database');
    expectNothingInternal(view);
    // The inline style is allowed by its hash (a CSP violation would be a console error) and applied.
    expect(errors).toEqual([]);
    const borderCollapse = await page
      .locator('table')
      .evaluate((el) => (globalThis as unknown as BrowserGlobals).getComputedStyle(el).borderCollapse);
    expect(borderCollapse).toBe('collapse');
    expect(await context.cookies()).toEqual([]);
  });

  it('switches to English through its link, and back', async () => {
    const { page, errors } = await open('ja-JP');
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(/lang=en/);
    const en = await shown(page);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(en.text).toContain('No. 1');
    expect(en.text).toContain('On stopping the leaked database');
    expect(en.text).toContain('We are cooperating fully with the police investigation.');
    expect(en.text).toMatch(/Stopping the database\s+In progress/);
    expect(en.text).not.toContain('漏えいしたデータベースの停止について');
    expectNothingInternal(en);
    await page.getByRole('link', { name: '日本語' }).click();
    await page.waitForURL(/lang=ja/);
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
    expect(errors).toEqual([]);
  });

  it('an English browser gets English by its Accept-Language', async () => {
    const { page } = await open('en-US');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expectNothingInternal(await shown(page));
  });

  it('the Atom feed is well-formed XML in the Atom namespace, and holds nothing internal either', async () => {
    const { page } = await open('ja-JP');
    const xml = await (await fetch(`${t.baseUrl}/progress/feed.atom`, { headers: { 'accept-language': 'ja' } })).text();
    const parsed = await page.evaluate((source) => {
      const doc = new (globalThis as unknown as BrowserGlobals).DOMParser().parseFromString(source, 'application/xml');
      const ns = 'http://www.w3.org/2005/Atom';
      return {
        error: doc.getElementsByTagName('parsererror').length > 0,
        root: `${doc.documentElement.namespaceURI} ${doc.documentElement.localName}`,
        entries: [...doc.getElementsByTagNameNS(ns, 'entry')].map((e) => ({
          id: e.getElementsByTagNameNS(ns, 'id')[0]?.textContent,
          title: e.getElementsByTagNameNS(ns, 'title')[0]?.textContent,
          content: e.getElementsByTagNameNS(ns, 'content')[0]?.textContent ?? '',
        })),
      };
    }, xml);
    expect(parsed.error).toBe(false);
    expect(parsed.root).toBe('http://www.w3.org/2005/Atom feed');
    expect(parsed.entries).toHaveLength(1);
    expect(parsed.entries[0]!.id).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(parsed.entries[0]!.title).toBe('第1報 漏えいしたデータベースの停止について');
    expect(parsed.entries[0]!.content).toContain('・データベースの停止: 実施中');
    expectNothingInternal({ text: parsed.entries.map((e) => `${e.title}\n${e.content}`).join('\n'), html: xml });
  });
});
