import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDay, messages } from '../../apps/web/src/i18n';
import type { TestApp } from '../support/test-app';
import { PASSWORD, PageHarness, WAIT, root } from './page-harness';

/**
 * The dashboard page as its users meet it: a real Chromium (Debian's
 * `chromium`, driven by playwright-core) on the page the server serves at `/`,
 * against the demo case, with changes made meanwhile by other people through
 * the API.
 */

/** What the page shows, as the API gives it (the page is compared with this, never with fixed numbers: the demo's history changes). */
const DASHBOARD = `query($asOf: LocalDate) {
  dashboard(asOf: $asOf) {
    asOf startsOn incidentId
    totals { total verified overdue dueSoon atRisk blocked }
    reviewQueue { waiting }
    findings { bySeverity { open } }
    gate { state }
    overdue { key } dueSoon { key daysOverdue } blocked { key } atRisk { key }
    ownerLoad { ownerId ownerName open overdue }
    burnUp { day total implemented verified }
    byCategory { category status count }
    latestActivity { at action entityType actorLabel actorName summary subject fromState toState decision }
  }
}`;
interface ApiDashboard {
  asOf: string;
  startsOn: string;
  incidentId: string;
  totals: { total: number; verified: number; overdue: number; dueSoon: number; atRisk: number; blocked: number };
  reviewQueue: { waiting: number };
  findings: { bySeverity: { open: number }[] };
  gate: { state: string } | null;
  overdue: { key: string }[];
  dueSoon: { key: string; daysOverdue: number }[];
  blocked: { key: string }[];
  atRisk: { key: string }[];
  ownerLoad: { ownerId: string; ownerName: string; open: number; overdue: number }[];
  burnUp: { day: string; total: number; implemented: number; verified: number }[];
  byCategory: { category: string; status: string; count: number }[];
  latestActivity: {
    at: string;
    action: string;
    entityType: string;
    actorLabel: string;
    actorName: string | null;
    summary: string;
    subject: string;
    fromState: string | null;
    toState: string | null;
    decision: string | null;
  }[];
}

/** The page's own labels (the words it is meant to use), to read its sentences against. */
const JA = messages('ja');
const EN = messages('en');
const PREFIX: Record<string, string> = {
  PromotionGate: 'gate.state',
  AuditEngagement: 'audit.status',
  CountermeasureTarget: 'target.status',
};
const label = (dict: Readonly<Record<string, string>>, entityType: string, value: string) =>
  dict[`${PREFIX[entityType] ?? 'status'}.${value}`] ?? value;
/** An entry whose sentence says the move in labels: a status or state changed, or a target moved. */
const saysMove = (a: { action: string; fromState: string | null; toState: string | null }) =>
  !!a.fromState && !!a.toState && a.fromState !== a.toState && /(status_changed|state_changed|target_updated)$/.test(a.action);

/** 2026-10-01 → 2026年10月1日, as the page writes a day in Japanese. */
function jaDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

describe('the dashboard page', () => {
  let h: PageHarness;
  let t: TestApp;
  const openPage = (locale: string, pathAndQuery = '/') => h.openPage(locale, pathAndQuery);
  const signIn = (page: Page, email: string, password?: string) => h.signIn(page, email, password);

  beforeAll(async () => {
    h = await PageHarness.start();
    t = h.t;
  }, 180_000);

  afterAll(async () => h?.close());

  /** Waits until the element's text is exactly `text`. */
  async function textIs(page: Page, testId: string, text: string): Promise<void> {
    await page
      .getByTestId(testId)
      .filter({ hasText: new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) })
      .waitFor(WAIT);
  }

  it('shows the president the suspended gate with the case’s blockers, then an auditor’s changes as they happen, without a reload', async () => {
    const { page, errors } = await openPage('ja-JP');
    await signIn(page, 'president@example.com');

    const banner = page.getByTestId('gate-banner');
    await banner.waitFor(WAIT);
    expect(await page.getByTestId('gate-state').textContent()).toBe('停止中');
    expect(await banner.getAttribute('data-state')).toBe('SUSPENDED');
    const blockers = await page.getByTestId('gate-blockers').locator('li').allTextContents();
    // The demo: CM-002/003/004 not verified, no clearance, finding F-001 open; CM-001 (signed off) is not among them.
    expect(blockers).toEqual([
      expect.stringMatching(
        /^CM-002.*全顧客データベースのアクセス監視強化と外部への持ち出し制限.*まだ監査人の承認（検証済）を受けていません.*担当者: 鈴木 花子/,
      ),
      expect.stringMatching(/^CM-003.*まだ監査人の承認/),
      expect.stringMatching(/^CM-004.*まだ監査人の承認.*担当者: 佐藤 一郎/),
      '外部監査による安全性の確認（監査完了）がまだです。',
      expect.stringMatching(/^F-001.*監査指摘事項「お問い合わせ管理データベースに委託先の共用アカウントが残存」が未解決です。/),
    ]);
    expect(blockers.join('\n')).not.toContain('CM-001');
    // The figures and the charts are there (an executive's view: no review queue of their own, no "my items").
    expect(await page.getByTestId('tile-total-value').textContent()).toBe('10');
    expect(await page.getByTestId('tile-open-findings-value').textContent()).toBe('3');
    const waitingBefore = Number(await page.getByTestId('tile-review-waiting-value').textContent());
    expect(waitingBefore).toBeGreaterThan(0);
    expect(await page.getByTestId('chart-by-category').locator('canvas').count()).toBe(1);
    expect(await page.getByTestId('chart-burn-up').locator('canvas').count()).toBe(1);
    expect(await page.getByTestId('review-queue').count()).toBe(0);
    expect(await page.getByTestId('my-items').count()).toBe(0);
    await page.getByTestId('live-state').and(page.locator('[data-state="connected"]')).waitFor(WAIT);
    await page.evaluate('window.stillTheSamePage = true'); // gone if the page reloaded

    // Meanwhile, through the API: the second auditor raises a HIGH finding...
    const auditor2 = await t.login('auditor2@example.com', PASSWORD);
    const engagements = await t.gql<{ auditEngagements: { nodes: { id: string }[] } }>(
      `{ auditEngagements(first: 1) { nodes { id } } }`,
      {},
      auditor2,
    );
    const raised = await t.gql<{ raiseAuditFinding: { key: string } }>(
      `mutation($input: RaiseAuditFindingInput!) { raiseAuditFinding(input: $input) { key } }`,
      {
        input: {
          engagementId: engagements.data!.auditEngagements.nodes[0]!.id,
          severity: 'HIGH',
          title: '退職者のVPNアカウントが無効化されていない',
          description: '2件',
        },
      },
      auditor2,
    );
    expect(raised.errors).toBeUndefined();
    const findingKey = raised.data!.raiseAuditFinding.key;
    // ...and the page shows it: a new blocker in the banner, one more open finding.
    await banner.getByText('退職者のVPNアカウントが無効化されていない').waitFor(WAIT);
    expect(await banner.locator('li', { hasText: '退職者のVPNアカウント' }).textContent()).toContain(findingKey);
    await textIs(page, 'tile-open-findings-value', '4');

    // The lead auditor accepts a piece of evidence waiting in the queue: one fewer waiting for review.
    const auditor = await t.login('auditor@example.com', PASSWORD);
    const queue = await t.gql<{
      evidenceReviewQueue: { nodes: { evidence: { id: string; sha256: string; version: number; countermeasure: { key: string } } }[] };
    }>(`{ evidenceReviewQueue(first: 20) { nodes { evidence { id sha256 version countermeasure { key } } } } }`, {}, auditor);
    const pending = queue.data!.evidenceReviewQueue.nodes.find((n) => n.evidence.countermeasure.key === 'CM-010')!.evidence;
    const reviewed = await t.gql(
      `mutation($input: ReviewEvidenceInput!) { reviewEvidence(input: $input) { decision } }`,
      {
        input: {
          evidenceId: pending.id,
          sha256: pending.sha256,
          expectedVersion: pending.version,
          decision: 'ACCEPTED',
          comment: '開設記録を確認',
        },
      },
      auditor,
    );
    expect(reviewed.errors).toBeUndefined();
    await textIs(page, 'tile-review-waiting-value', String(waitingBefore - 1));
    // The latest activity names the auditor and says, in Japanese, that the evidence was accepted.
    const auditorName = (await t.gql<{ me: { displayName: string } }>(`{ me { displayName } }`, {}, auditor)).data!.me.displayName;
    const review = page.getByTestId('latest-activity').locator('tr[data-action="evidence.reviewed"]').first();
    await review.filter({ hasText: auditorName }).waitFor(WAIT);
    expect(await review.locator('td').nth(1).textContent()).toBe(auditorName);
    expect(await review.locator('td').nth(2).textContent()).toMatch(/^証跡 CM-010 .+ を承認$/);

    expect(await page.evaluate('window.stillTheSamePage')).toBe(true);
    expect(await page.getByTestId('gate-state').textContent()).toBe('停止中');
    fs.mkdirSync(path.join(root, 'test-results'), { recursive: true });
    await page.waitForTimeout(400); // let the charts finish their short animation for the picture
    await page.screenshot({ path: path.join(root, 'test-results/dashboard.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 120_000);

  it('speaks Japanese to a browser that asks for Japanese, switches to English, and remembers the choice', async () => {
    const fontsAsked: string[] = [];
    const { page, errors } = await openPage('ja-JP');
    page.on('request', (r) => void (r.resourceType() === 'font' && fontsAsked.push(new URL(r.url()).pathname)));
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
    expect(await page.locator('#sign-in-title').textContent()).toBe('サインイン');
    // Kanji are drawn with the bundled subset (regular and bold) when the machine has no Japanese font of its own; only WOFF2 is fetched.
    const loaded = `Promise.all(['400', '700'].map((w) => document.fonts.load(w + ' 16px "Noto Sans JP Bundled"', '漢字')))
      .then(() => [...document.fonts].filter((f) => f.family.includes('Noto Sans JP Bundled')).map((f) => f.weight + ':' + f.status).sort())`;
    expect(await page.evaluate(loaded)).toEqual(['400:loaded', '700:loaded']);
    expect(fontsAsked.every((f) => f.endsWith('.woff2'))).toBe(true);
    expect(await page.locator('label', { hasText: 'メールアドレス' }).count()).toBe(1);

    await page.getByRole('button', { name: 'English' }).click();
    expect(await page.locator('#sign-in-title').textContent()).toBe('Sign in');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');

    // An auditor: the gate in English, and their review queue first, right under the banner.
    await signIn(page, 'auditor@example.com');
    await page.getByTestId('review-queue').waitFor(WAIT);
    expect(await page.getByTestId('gate-state').textContent()).toBe('SUSPENDED');
    expect(await page.getByTestId('gate-blockers').textContent()).toContain('CM-002');
    expect(await page.getByTestId('gate-blockers').textContent()).toContain('has not yet been verified (signed off) by an auditor');
    const order = await page
      .getByTestId('dashboard')
      .evaluate((main) => [...main.children].map((c) => c.getAttribute('data-testid') ?? c.className));
    expect(order.indexOf('review-queue')).toBe(order.indexOf('gate-banner') + 1);
    await page.getByTestId('review-queue-count').waitFor(WAIT);
    expect(Number(await page.getByTestId('review-queue-count').textContent())).toBeGreaterThan(0);
    expect(await page.getByText('Evidence waiting for review').count()).toBeGreaterThan(0);

    // Remembered across a reload (localStorage), and the session too (sessionStorage).
    await page.reload();
    await page.getByTestId('gate-state').waitFor(WAIT);
    expect(await page.getByTestId('gate-state').textContent()).toBe('SUSPENDED');

    // Back to Japanese in place.
    await page.getByRole('button', { name: '日本語' }).click();
    expect(await page.getByTestId('gate-state').textContent()).toBe('停止中');
    expect(await page.getByText('レビュー待ちの証跡').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  }, 120_000);

  it('speaks English to a browser that asks for English, and shows task-force members their own items first', async () => {
    const { page } = await openPage('en-US');
    expect(await page.locator('#sign-in-title').textContent()).toBe('Sign in');
    await signIn(page, 'security.lead@example.com');
    await page.getByTestId('my-items').waitFor(WAIT);
    const order = await page
      .getByTestId('dashboard')
      .evaluate((main) =>
        [...main.children].map(
          (c) => c.getAttribute('data-testid') ?? c.querySelector('[data-testid]')?.getAttribute('data-testid') ?? c.className,
        ),
      );
    expect(order.indexOf('my-items')).toBe(order.indexOf('gate-banner') + 1);
    // The section shows "loading" until its own query answers: wait for its rows, not only for the section.
    await page.getByTestId('my-items').locator('tbody tr').first().waitFor(WAIT);
    const mine = await page.getByTestId('my-items').locator('tbody tr').allTextContents();
    expect(mine.some((row) => row.startsWith('CM-002'))).toBe(true);
    expect(mine.some((row) => row.startsWith('CM-004'))).toBe(false); // the president's

    // Signing out forgets the token.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#sign-in-title').waitFor(WAIT);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  }, 120_000);

  async function apiDashboard(token: string, asOf?: string): Promise<ApiDashboard> {
    const res = await t.gql<{ dashboard: ApiDashboard }>(DASHBOARD, asOf ? { asOf } : {}, token);
    expect(res.errors).toBeUndefined();
    return res.data!.dashboard;
  }

  /**
   * Waits until the page has brought `target` into the window (all of it, when `whole`; after scrolling down, when
   * `scrolled`) and given it the focus, as it does for the target of a link.
   */
  async function scrolledTo(target: Locator, opts: { whole?: boolean; scrolled?: boolean }): Promise<void> {
    const state = () =>
      target.evaluate((el) => {
        const r = el.getBoundingClientRect();
        const win = el.ownerDocument.defaultView!;
        return {
          top: r.top,
          bottom: r.bottom,
          height: win.innerHeight,
          scrollY: win.scrollY,
          focused: el.ownerDocument.activeElement === el,
        };
      });
    await expect
      .poll(async () => {
        const s = await state();
        const inView = opts.whole ? s.top >= 0 && s.bottom <= s.height : s.top < s.height && s.bottom > 0;
        return inView && s.focused && (!opts.scrolled || s.scrollY > 0);
      }, WAIT)
      .toBe(true);
  }

  /** The latest activity's rows as shown: when, the action (data-action), who and what. */
  function activityRows(page: Page) {
    return page
      .getByTestId('latest-activity')
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => ({
          at: r.querySelector('time')!.getAttribute('datetime'),
          action: r.getAttribute('data-action'),
          who: r.children[1]!.textContent!,
          what: r.children[2]!.textContent!,
        })),
      );
  }

  /** Waits until the page shows the dashboard of `day` (the new day's answer is in, not the previous one still on screen). */
  async function showsDay(page: Page, day: string, live: boolean): Promise<void> {
    await page.locator(`[data-testid="dashboard"][data-as-of="${day}"][data-live="${live}"][aria-busy="false"]`).waitFor(WAIT);
  }

  /** Every figure and list of the page against the API's dashboard of the same day. */
  async function expectPageShows(page: Page, d: ApiDashboard): Promise<void> {
    const num = async (id: string) => Number(await page.getByTestId(id).textContent());
    expect(await num('tile-total-value')).toBe(d.totals.total);
    expect(await num('tile-verified-value')).toBe(d.totals.verified);
    expect(await num('tile-overdue-value')).toBe(d.totals.overdue);
    expect(await num('tile-review-waiting-value')).toBe(d.reviewQueue.waiting);
    expect(await num('tile-open-findings-value')).toBe(d.findings.bySeverity.reduce((n, s) => n + s.open, 0));
    if (d.gate) expect(await page.getByTestId('gate-banner').getAttribute('data-state')).toBe(d.gate.state);
    else expect(await page.getByTestId('gate-banner').count()).toBe(0);

    const keys = (id: string) =>
      page
        .getByTestId(id)
        .locator('tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-item-key')));
    expect(await keys('overdue-list')).toEqual(d.overdue.map((i) => i.key));
    expect(await keys('due-soon-list')).toEqual(d.dueSoon.map((i) => i.key));
    expect(await keys('at-risk-list')).toEqual(d.atRisk.map((i) => i.key));
    expect(await keys('blocked-list')).toEqual(d.blocked.map((i) => i.key));
    expect(await num('due-soon-list-count')).toBe(d.totals.dueSoon);
    expect(await num('at-risk-list-count')).toBe(d.totals.atRisk);

    const owners = await page
      .getByTestId('owner-load')
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => ({
          ownerId: r.getAttribute('data-owner-id'),
          ownerName: r.querySelector('th')!.textContent,
          open: Number(r.querySelector('[data-testid="owner-load-open"]')!.textContent),
          overdue: Number(r.querySelector('[data-testid="owner-load-overdue"]')!.textContent),
        })),
      );
    expect(owners).toEqual(d.ownerLoad);

    // The latest activity: the same entries, each naming the person who acted and saying what happened in Japanese words.
    const activity = await activityRows(page);
    expect(activity.map((a) => [a.at, a.action])).toEqual(d.latestActivity.map((a) => [a.at, a.action]));
    d.latestActivity.forEach((a, i) => {
      const row = activity[i]!;
      if (a.actorName) expect(row.who).toBe(a.actorName);
      else expect(row.who).toMatch(/^(システム（自動処理）|連携システム )/);
      expect(row.who).not.toContain('@');
      // No arrows, no status codes (CHANGES_REQUESTED...), no action codes (countermeasure.status_changed) outside the subject's own words.
      expect(row.what.replace(a.subject, '')).not.toMatch(/→|[A-Z]{2,}_[A-Z]|IN_PROGRESS|REOPENED|PLANNED/);
      expect(row.what).not.toContain(a.action);
      if (saysMove(a))
        expect(row.what).toContain(`「${label(JA, a.entityType, a.fromState!)}」から「${label(JA, a.entityType, a.toState!)}」`);
    });

    // Each chart offers its figures as a table: the burn-up day by day, the statuses per category.
    const burnUpRows = await page
      .getByTestId('chart-burn-up-table')
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => ({
          day: r.getAttribute('data-day'),
          total: Number(r.children[1]!.textContent),
          implemented: Number(r.children[2]!.textContent),
          verified: Number(r.children[3]!.textContent),
        })),
      );
    expect(burnUpRows).toEqual(d.burnUp);
    const categoryRows = await page
      .getByTestId('chart-by-category-table')
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => ({
          category: r.getAttribute('data-category'),
          total: Number(r.querySelector('[data-total]')!.textContent),
          cells: [...r.querySelectorAll('[data-status]')].map((c) => [c.getAttribute('data-status'), Number(c.textContent)]),
        })),
      );
    const perCategory = new Map<string, number>();
    for (const c of d.byCategory) perCategory.set(c.category, (perCategory.get(c.category) ?? 0) + c.count);
    expect(new Map(categoryRows.map((r) => [r.category, r.total]))).toEqual(perCategory);
    for (const r of categoryRows) {
      for (const [status, n] of r.cells as [string, number][])
        expect(n).toBe(d.byCategory.find((c) => c.category === r.category && c.status === status)?.count ?? 0);
    }

    // The burn-up ends on the day shown, with the day's figures (the chart's text for screen readers).
    const last = d.burnUp.at(-1)!;
    expect(last.day).toBe(d.asOf);
    expect(await page.getByTestId('chart-burn-up').locator('canvas').getAttribute('aria-label')).toContain(
      `対策の総数 ${last.total}, 実施済 ${last.implemented}, 検証済 ${last.verified}`,
    );
  }

  it('opens a shared link to a past day as it stood then, says it is a past view that live changes leave alone, and goes back to today when today is picked', async () => {
    const token = await t.login('president@example.com', PASSWORD);
    const now = await apiDashboard(token);
    const today = now.asOf;
    expect(now.startsOn < today).toBe(true);
    // A past day whose picture differs from today's when the history has one, else the middle of the incident's span.
    const todayPoint = now.burnUp.at(-1)!;
    const differs = now.burnUp
      .filter(
        (p) =>
          p.day < today && (p.total !== todayPoint.total || p.implemented !== todayPoint.implemented || p.verified !== todayPoint.verified),
      )
      .at(-1);
    const middle = addDays(now.startsOn, Math.floor(now.burnUp.length / 2));
    const past = differs?.day ?? (middle < today ? middle : now.startsOn);
    const then = await apiDashboard(token, past);
    expect(then.asOf).toBe(past);

    // The link, before signing in: the page keeps it through the sign-in.
    const { page, errors } = await openPage('ja-JP', `/?asOf=${past}`);
    await signIn(page, 'president@example.com');
    await showsDay(page, past, false);
    expect(new URL(page.url()).searchParams.get('asOf')).toBe(past);
    const notice = page.getByTestId('past-view-notice');
    expect(await notice.textContent()).toContain(`${jaDay(past)} 時点の状況を表示しています`);
    expect(await notice.getByRole('button').textContent()).toBe('今日の状況に戻る');
    const picker = page.getByLabel('基準日', { exact: true });
    expect(await picker.inputValue()).toBe(past);
    expect(await picker.getAttribute('min')).toBe(now.startsOn);
    expect(await picker.getAttribute('max')).toBe(today);
    await expectPageShows(page, then);
    fs.mkdirSync(path.join(root, 'test-results'), { recursive: true });
    await page.screenshot({ path: path.join(root, 'test-results/dashboard-past-day.png'), fullPage: true });

    // A change now (a new finding) reaches the page's live feed, and leaves the past day as it was.
    await page.getByTestId('live-state').and(page.locator('[data-state="connected"]')).waitFor(WAIT);
    const generatedAt = await page.getByTestId('dashboard').getAttribute('data-generated-at');
    const eventsBefore = Number(await page.getByTestId('dashboard').getAttribute('data-live-events'));
    const auditor2 = await t.login('auditor2@example.com', PASSWORD);
    const engagements = await t.gql<{ auditEngagements: { nodes: { id: string }[] } }>(
      `{ auditEngagements(first: 1) { nodes { id } } }`,
      {},
      auditor2,
    );
    const raised = await t.gql(
      `mutation($input: RaiseAuditFindingInput!) { raiseAuditFinding(input: $input) { key } }`,
      {
        input: {
          engagementId: engagements.data!.auditEngagements.nodes[0]!.id,
          severity: 'LOW',
          title: '基準日の表示確認用の指摘',
          description: '過去の表示は変わらないこと',
        },
      },
      auditor2,
    );
    expect(raised.errors).toBeUndefined();
    await page.locator(`[data-testid="dashboard"]:not([data-live-events="${eventsBefore}"])`).waitFor(WAIT);
    expect(await page.getByTestId('dashboard').getAttribute('data-generated-at')).toBe(generatedAt);
    await expectPageShows(page, then);

    // Today again, from the picker: live, the address without asOf, the notice gone, today's figures (the new finding among them).
    await picker.fill(today);
    await showsDay(page, today, true);
    await page.waitForURL((url) => !url.searchParams.has('asOf'), WAIT);
    expect(await page.getByTestId('past-view-notice').count()).toBe(0);
    const nowAfter = await apiDashboard(token);
    await textIs(page, 'tile-open-findings-value', String(nowAfter.findings.bySeverity.reduce((n, s) => n + s.open, 0)));
    await expectPageShows(page, nowAfter);

    // Picking the past day again writes it into the address; "back to today" undoes it.
    await picker.fill(past);
    await showsDay(page, past, false);
    expect(new URL(page.url()).searchParams.get('asOf')).toBe(past);
    await page.getByTestId('back-to-today').click();
    await showsDay(page, today, true);
    expect(new URL(page.url()).searchParams.has('asOf')).toBe(false);
    expect(errors).toEqual([]);
  }, 120_000);

  it('says so and shows today when the link names a day the dashboard cannot show', async () => {
    const { page, errors } = await openPage('en-US', '/?asOf=2001-01-01');
    await signIn(page, 'president@example.com');
    await page.getByTestId('as-of-refused').waitFor(WAIT);
    expect(await page.getByTestId('as-of-refused').textContent()).toBe(
      'The dashboard as of 2001-01-01 cannot be shown; showing today instead.',
    );
    const today = (await apiDashboard(await t.login('president@example.com', PASSWORD))).asOf;
    await showsDay(page, today, true);
    expect(new URL(page.url()).searchParams.has('asOf')).toBe(false);
    expect(await page.getByTestId('past-view-notice').count()).toBe(0);
    expect(errors).toEqual([]);
  }, 120_000);

  it('shows the days due soon, the items at risk, the load per owner and the latest activity as the API returns them, in both languages', async () => {
    const { page, errors } = await openPage('ja-JP');
    await signIn(page, 'president@example.com');
    const d = await apiDashboard(await t.login('president@example.com', PASSWORD));
    await showsDay(page, d.asOf, true);
    await expectPageShows(page, d);
    expect(await page.locator('#due-soon-list-title').textContent()).toContain('7日以内に期限を迎える対策');
    expect(await page.getByTestId('owner-load').getByRole('columnheader').allTextContents()).toEqual(['担当者', '未完了', 'うち期限超過']);
    expect(await page.getByTestId('latest-activity').getByRole('columnheader').allTextContents()).toEqual(['日時', '実施者', '内容']);
    if (d.dueSoon.length > 0) {
      const first = d.dueSoon[0]!;
      expect(await page.getByTestId('due-soon-list').locator('tbody tr').first().locator('td').last().textContent()).toBe(
        first.daysOverdue === 0 ? '本日' : `${-first.daysOverdue} 日`,
      );
    }

    await page.getByRole('button', { name: 'English' }).click();
    expect(await page.locator('#due-soon-list-title').textContent()).toContain('Due in the next 7 days');
    expect(await page.locator('#at-risk-list-title').textContent()).toContain('At risk');
    expect(await page.getByTestId('owner-load').getByRole('columnheader').allTextContents()).toEqual(['Owner', 'Open', 'of which overdue']);
    expect(await page.getByTestId('latest-activity').getByRole('columnheader').allTextContents()).toEqual(['When', 'Who', 'What']);
    // The same people, and what happened in English words.
    const english = await activityRows(page);
    expect(english.map((a) => a.who)).toEqual(
      d.latestActivity.map((a) => a.actorName ?? expect.stringMatching(/^(System \(automatic\)|Integration )/)),
    );
    d.latestActivity.forEach((a, i) => {
      if (saysMove(a)) expect(english[i]!.what).toContain(`${label(EN, a.entityType, a.fromState!)}`);
      if (saysMove(a)) expect(english[i]!.what).toContain(`${label(EN, a.entityType, a.toState!)}`);
      expect(english[i]!.what.replace(a.subject, '')).not.toMatch(/[\u3040-\u30ff]/); // no kana outside the subject: English words
    });
    // The burn-up's table, opened from its button: the days in English, the same figures.
    const table = page.getByTestId('chart-burn-up-table');
    expect(await table.locator('table').isVisible()).toBe(false);
    await table.getByText('Show the data as a table').click();
    await table.locator('table').waitFor({ state: 'visible', ...WAIT });
    expect(await table.getByRole('columnheader').allTextContents()).toEqual(['Day', 'Total', 'Implemented', 'Verified']);
    expect(await table.locator('tbody tr').last().locator('th').textContent()).toBe(formatDay('en', d.asOf));
    expect(await page.getByLabel('As of', { exact: true }).inputValue()).toBe(d.asOf);
    expect(errors).toEqual([]);
  }, 120_000);

  it('follows a notification’s link: ?item= highlights that countermeasure wherever it is listed and scrolls to it, names one no list holds, and ?view=review opens at the review queue', async () => {
    // A task-force member's item that the dashboard also lists (or else any of theirs): it is in "my items" and in that list.
    const lead = await t.login('security.lead@example.com', PASSWORD);
    const me = await t.gql<{ me: { id: string } }>(`{ me { id } }`, {}, lead);
    const mine = await t.gql<{ countermeasures: { nodes: { key: string }[] } }>(
      `query($o: ID!) { countermeasures(first: 50, filter: { ownerId: $o }) { nodes { key } } }`,
      { o: me.data!.me.id },
      lead,
    );
    const d = await apiDashboard(lead);
    const listed = [...d.overdue, ...d.dueSoon, ...d.blocked, ...d.atRisk].map((i) => i.key);
    const myKeys = mine.data!.countermeasures.nodes.map((n) => n.key);
    expect(myKeys.length).toBeGreaterThan(0);
    const key = myKeys.find((k) => listed.includes(k)) ?? myKeys[0]!;

    // The president (no list of their own): the page scrolls down to the first list that holds the item, and focuses its row.
    const first = listed[0];
    expect(first).toBeDefined(); // the demo has late and blocked work
    const president = await openPage('ja-JP', `/?item=${first}`);
    await signIn(president.page, 'president@example.com');
    const target = president.page.locator(`tr[data-item-key="${first}"]`).first();
    await target.waitFor(WAIT);
    expect(await target.getAttribute('aria-current')).toBe('true');
    await scrolledTo(target, { scrolled: true, whole: true });
    expect(president.errors).toEqual([]);

    const { page, errors } = await openPage('ja-JP', `/?item=${key}`);
    await signIn(page, 'security.lead@example.com');
    const rows = page.locator(`tr[data-item-key="${key}"]`);
    await page.getByTestId('my-items').locator(`tr[data-item-key="${key}"]`).waitFor(WAIT);
    // In "my items" and in every dashboard list that holds it, highlighted; nothing else is.
    expect(await rows.count()).toBe(1 + listed.filter((k) => k === key).length);
    expect(await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('aria-current')))).toEqual(Array(await rows.count()).fill('true'));
    expect(await page.locator('tr[aria-current="true"]').count()).toBe(await rows.count());
    // Scrolled to the first, which has the focus.
    await scrolledTo(rows.first(), { whole: true });
    expect(await page.getByTestId('item-notice').count()).toBe(0);
    expect(errors).toEqual([]);

    // A countermeasure in none of the page's lists (verified, say): the page says where it stands.
    const all = await t.gql<{ countermeasures: { nodes: { key: string; title: string }[] } }>(
      `{ countermeasures(first: 50) { nodes { key title } } }`,
      {},
      lead,
    );
    const unlisted = all.data!.countermeasures.nodes.find((n) => !listed.includes(n.key));
    if (unlisted) {
      const other = await openPage('ja-JP', `/?item=${unlisted.key}`);
      await signIn(other.page, 'president@example.com');
      const notice = other.page.getByTestId('item-notice');
      await notice.waitFor(WAIT);
      expect(await notice.textContent()).toContain(`${unlisted.key}「${unlisted.title}」`);
      expect(await other.page.locator('tr[aria-current="true"]').count()).toBe(0);
    }

    // The review queue's link, for an auditor: the page opens at their queue.
    const auditor = await openPage('ja-JP', '/?view=review');
    await signIn(auditor.page, 'auditor@example.com');
    await auditor.page.getByTestId('review-queue-count').waitFor(WAIT);
    await scrolledTo(auditor.page.getByTestId('review-queue'), {});
    expect(auditor.errors).toEqual([]);
  }, 120_000);

  it('says so on the page when the password is wrong, and stays signed out', async () => {
    const { page } = await openPage('ja-JP');
    await signIn(page, 'president@example.com', 'not-the-password');
    const error = page.getByTestId('sign-in-error');
    await error.waitFor(WAIT);
    expect(await error.textContent()).toBe('メールアドレスまたはパスワードが正しくありません。');
    expect(await page.getByTestId('dashboard').count()).toBe(0);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  }, 120_000);

  it('serves the page shell at / with a same-origin Content-Security-Policy, and leaves the API routes as they were', async () => {
    const res = await fetch(`${t.baseUrl}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+ wss:\/\/127\.0\.0\.1:\d+/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).not.toMatch(/<script>|<script [^>]*src="https?:/); // no inline script, no CDN
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const asset = await fetch(`${t.baseUrl}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');

    // No public source maps: the shipped script names none, and no .map is served or built.
    expect(await asset.text()).not.toContain('sourceMappingURL');
    expect((await fetch(`${t.baseUrl}${script}.map`)).status).toBe(404);
    const built = fs.readdirSync(path.join(root, 'dist/web'), { recursive: true }).map(String);
    expect(built.filter((f) => f.endsWith('.map'))).toEqual([]);

    // The Japanese font: WOFF2 subsets of the two weights used, no TTF; each a fraction of the 5.3 MB TTF once shipped.
    const stylesheet = /href="(\/assets\/[^"]+\.css)"/.exec(html)![1]!;
    const css = await (await fetch(`${t.baseUrl}${stylesheet}`)).text();
    expect(css).not.toContain('sourceMappingURL');
    const fonts = [...css.matchAll(/url\(["']?([^"')]+)["']?\)/g)].map((m) => m[1]!).filter((u) => !u.startsWith('data:'));
    expect(fonts).toHaveLength(2);
    expect(fonts.every((f) => /^\/assets\/noto-sans-jp-(400|700)-[\w-]+\.woff2$/.test(f))).toBe(true);
    expect(css).toMatch(/unicode-range:[^;]*U\+4E00-/);
    for (const f of fonts) {
      const font = await fetch(`${t.baseUrl}${f}`);
      expect(font.status).toBe(200);
      const bytes = Buffer.from(await font.arrayBuffer());
      expect(bytes.subarray(0, 4).toString('latin1')).toBe('wOF2');
      expect(bytes.length).toBeLessThan(1_200_000);
    }
    expect(built.some((f) => /\.(ttf|otf)$/.test(f))).toBe(false);

    expect((await fetch(`${t.baseUrl}/health`)).status).toBe(200);
    expect((await t.gql(`{ me { id } }`)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await fetch(`${t.baseUrl}/no-such-page`)).status).toBe(404);
  }, 120_000);
});
