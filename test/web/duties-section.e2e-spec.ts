import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dutiesMessages } from '../../apps/web/src/duties-words';
import { makeIncident } from '../support/remediation-factory';
import { PageHarness, WAIT } from './page-harness';

/**
 * The duties on the dashboard page (issue 15) in a real Chromium: an incident whose final report is overdue (known on
 * 3 July 2026, case 3: 60 days, due 31 August) shows every role a red banner; an executive drafts the preliminary
 * report in the duties section, edits item 4 in Japanese, saves, records its submission with a reference number, and
 * sees it SUBMITTED with the SHA-256 the API holds; its PDF downloads (200). A task-force member without standing sees
 * the banner but no duties section (the API refuses the record: FORBIDDEN).
 */
const JA = dutiesMessages('ja');
const FILING = `id kind status version itemsSha256 referenceNumber pdfPath items { cause }`;

describe('the duties on the dashboard page', () => {
  let h: PageHarness;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let member: Awaited<ReturnType<Awaited<ReturnType<typeof makeIncident>>['addMember']>>;
  let lateDays = 0;
  beforeAll(async () => {
    h = await PageHarness.start();
    // The newest incident is the one the dashboard shows.
    ctx = await makeIncident(h.t, '受講者情報の持ち出し（期限超過の確認）');
    member = await ctx.addMember(['TASK_FORCE'], '情報システム担当');
    const opened = await h.t.gql<{
      openBreachNotification: { deadlines: { kind: string; dueOn: string; state: string; lateDays: number }[] };
    }>(
      `mutation($input: OpenBreachNotificationInput!) { openBreachNotification(input: $input) { deadlines { kind dueOn state lateDays } } }`,
      {
        input: {
          incidentId: ctx.incident.id,
          knownAt: '2026-07-03T10:00:00+09:00',
          cases: [{ code: 'UNLAWFUL_PURPOSE', rationale: '権限を持つ委託先社員による持ち出しの疑い（警察が捜査中）' }],
          individualsEstimate: 4200,
          individualsEstimatedOn: '2026-07-06',
          authorityCode: 'PPC',
          reporter: '株式会社テスト通信教育',
        },
      },
      await ctx.chief.token(),
    );
    expect(opened.errors).toBeUndefined();
    const final = opened.data!.openBreachNotification.deadlines.find((d) => d.kind === 'FINAL')!;
    expect([final.dueOn, final.state]).toEqual(['2026-08-31', 'LATE']);
    lateDays = final.lateDays;
  }, 180_000);
  afterAll(async () => h?.close());

  it('shows an executive the red banner; the preliminary report is drafted, edited, saved and submitted in the duties section', async () => {
    const { page, errors } = await h.openPage('ja-JP', '/', { acceptDownloads: true });
    await h.signIn(page, ctx.chief.user.email, ctx.chief.password);

    const banner = page.getByTestId('duties-banner');
    await banner.waitFor(WAIT);
    expect(await banner.getAttribute('data-state')).toBe('LATE');
    expect(await banner.getAttribute('data-kind')).toBe('FINAL');
    expect(await banner.getByTestId('duties-banner-text').textContent()).toBe(
      `確報の期限を ${lateDays} 日過ぎています（期限 2026年8月31日）`,
    );
    // (The spec is type-checked without the DOM's types: the window as far as it is used.)
    type Styled = { getComputedStyle(el: unknown): { borderTopColor: string } };
    expect(await banner.evaluate((el) => (globalThis as unknown as Styled).getComputedStyle(el).borderTopColor)).toBe('rgb(220, 38, 38)');
    await banner.getByRole('link', { name: JA['banner.link'] }).click();
    expect(page.url()).toMatch(/#duties$/);

    const duties = page.locator('#duties');
    await duties.waitFor(WAIT);
    expect(await duties.getByRole('heading', { level: 2 }).textContent()).toBe(JA['duties.title']);
    expect(await duties.getByTestId('duties-mandatory').getAttribute('data-mandatory')).toBe('true');
    expect(await duties.locator('[data-testid="duties-deadlines"] tr[data-kind="FINAL"]').getAttribute('data-state')).toBe('LATE');

    await duties.getByTestId('filing-create-PRELIMINARY').click();
    const editor = duties.getByTestId('filing-editor');
    await editor.waitFor(WAIT);
    const cause = editor.getByRole('textbox', { name: JA['editor.item.cause'] });
    const written =
      '委託先の運用担当者が、業務用端末から顧客データベースの抽出データを私物の記録媒体に複製し、持ち出したものと推定される。';
    await cause.fill(written);
    const version = await editor.getAttribute('data-version');
    await editor.getByTestId('filing-save').click();
    await editor.getByTestId('filing-editor-notice').filter({ hasText: JA['editor.saved'] }).waitFor(WAIT);
    await expect.poll(() => editor.getAttribute('data-version'), WAIT).not.toBe(version);

    const reference = 'PPC-速報-2026-1207-031';
    const submitForm = editor.getByTestId('filing-submit-form');
    await submitForm.locator('input[name="referenceNumber"]').fill(reference);
    await submitForm.locator('input[name="confirm"]').check();
    await submitForm.getByTestId('filing-submit').click();

    const row = duties.locator('tr[data-kind="PRELIMINARY"][data-status="SUBMITTED"]');
    // The submission recorded, or the API's refusal said next to the form (shown in the failure).
    await row.or(submitForm.getByTestId('filing-submit-error')).waitFor(WAIT);
    expect(await submitForm.getByTestId('filing-submit-error').count(), (await duties.textContent()) ?? '').toBe(0);
    expect(await row.getByTestId('filing-status').textContent()).toBe(JA['status.SUBMITTED']);
    expect(await row.getByTestId('filing-reference').textContent()).toBe(reference);
    const filingId = (await row.getAttribute('data-filing-id'))!;
    const api = await h.t.gql<{
      breachFiling: { status: string; itemsSha256: string; referenceNumber: string; pdfPath: string; items: { cause: string } };
    }>(`query($id: String!) { breachFiling(id: $id) { ${FILING} } }`, { id: filingId }, await ctx.chief.token());
    const filed = api.data!.breachFiling;
    expect([filed.status, filed.referenceNumber, filed.items.cause]).toEqual(['SUBMITTED', reference, written]);
    expect(filed.itemsSha256).toMatch(/^[0-9a-f]{64}$/);
    const sha = row.getByTestId('filing-sha');
    expect(await sha.getAttribute('title')).toBe(filed.itemsSha256);
    expect(filed.itemsSha256.startsWith((await sha.textContent())!)).toBe(true);
    expect(await duties.getByTestId('filing-editor').count()).toBe(0);

    // The PDF for legal review, fetched with the session's token.
    const answered = page.waitForResponse((r) => r.url().endsWith(filed.pdfPath), WAIT);
    const downloading = page.waitForEvent('download', WAIT);
    await row.getByTestId('filing-pdf').click();
    const response = await answered;
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('application/pdf');
    expect((await downloading).suggestedFilename()).toMatch(/^ppc-preliminary-.*\.pdf$/);

    // The banner still speaks of the overdue final report.
    expect(await banner.getAttribute('data-kind')).toBe('FINAL');
    expect(errors).toEqual([]);
  });

  it('shows a task-force member without standing the banner, but not the duties section', async () => {
    const { page, errors } = await h.openPage('ja-JP');
    const refused = page.waitForResponse(
      (r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('query BreachNotification'),
      WAIT,
    );
    await h.signIn(page, member.user.email, member.password);
    const banner = page.getByTestId('duties-banner');
    await banner.waitFor(WAIT);
    expect(await banner.getAttribute('data-state')).toBe('LATE');
    const body = (await (await refused).json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await page.getByTestId('dashboard').waitFor(WAIT);
    await page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(null))))');
    expect(await page.locator('#duties').count()).toBe(0);
    expect(errors).toEqual([]);
  });
  it('an executive opens the record of a new incident from the page: cases 3 and 4 (from the count), reporting mandatory', async () => {
    // Created last: the newest incident is the one the dashboard shows.
    const fresh = await makeIncident(h.t, '新規事案（ページからの記録作成）');
    const { page, errors } = await h.openPage('ja-JP', '/#duties');
    await h.signIn(page, fresh.chief.user.email, fresh.chief.password);
    const duties = page.locator('#duties');
    await duties.getByTestId('duties-none').waitFor(WAIT);
    await duties.getByTestId('record-open').click();
    const form = duties.getByTestId('record-form');
    await form.locator('input[name="knownAt"]').fill('2026-07-03T17:30');
    await form.locator('input[name="reporter"]').fill('株式会社テスト通信教育');
    await form.locator('select[name="authorityCode"]').selectOption('DELEGATED_MINISTER');
    await form.locator('input[name="authorityName"]').fill('経済産業大臣');
    const insider = form.locator('[data-case="UNLAWFUL_PURPOSE"]');
    await insider.locator('input[type="checkbox"]').check();
    await insider.locator('textarea').fill('アクセス権限を持つ委託先従業者による持ち出しの疑い');
    await form.locator('input[name="estimate"]').fill('1500');
    await form.locator('input[name="estimatedOn"]').fill('2026-07-08');
    await form.getByRole('button', { name: '保存する' }).click();

    const record = duties.getByTestId('duties-record');
    await record.or(form.getByTestId('record-error')).waitFor(WAIT);
    expect(await form.getByTestId('record-error').count(), (await duties.textContent()) ?? '').toBe(0);
    expect(await record.getByTestId('duties-mandatory').getAttribute('data-mandatory')).toBe('true');
    expect(
      await record.locator('[data-testid="duties-cases"] li').evaluateAll((els) => els.map((e) => e.getAttribute('data-code'))),
    ).toEqual(['UNLAWFUL_PURPOSE', 'OVER_THRESHOLD']);
    expect(await record.textContent()).toContain('経済産業大臣');
    const api = await h.t.gql<{ breachNotification: { knowledgeDay: string; individualsEstimate: number } }>(
      `query($id: ID!) { breachNotification(incidentId: $id) { knowledgeDay individualsEstimate } }`,
      { id: fresh.incident.id },
      await fresh.chief.token(),
    );
    expect(api.data!.breachNotification).toEqual({ knowledgeDay: '2026-07-03', individualsEstimate: 1500 });
    expect(errors).toEqual([]);

    // A reminder's link names its incident: the page shows that one, though it is no longer the newest.
    const linked = await h.openPage('ja-JP', `/?incident=${ctx.incident.id}#duties`);
    await h.signIn(linked.page, ctx.chief.user.email, ctx.chief.password);
    const banner = linked.page.getByTestId('duties-banner');
    await banner.waitFor(WAIT);
    expect(await banner.getAttribute('data-kind')).toBe('FINAL');
    expect(await banner.getAttribute('data-state')).toBe('LATE');
    // That incident's duties: its preliminary report, submitted in the first test (the newest incident has none).
    await linked.page.locator('#duties tr[data-kind="PRELIMINARY"][data-status="SUBMITTED"]').waitFor(WAIT);
    expect(linked.errors).toEqual([]);
  });
});
