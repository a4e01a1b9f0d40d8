import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDay } from '../../apps/web/src/i18n';
import { hotlineMessages, hotlineRange } from '../../apps/web/src/hotline-words';
import { PASSWORD, PageHarness, WAIT } from './page-harness';

/**
 * The dashboard's hotline chart (promises 5, 8, 10) in a real Chromium against the demo case: a day's figures recorded
 * through the API appear on the chart's canvas (drawn, with its accessible summary) and in its table. The figures
 * expected are the API's own for the span the page asks (the demo may hold other days), never fixed numbers.
 */
const JA = hotlineMessages('ja');
const KINDS = ['BREACH_QUESTION', 'IMPERSONATION_REPORT', 'STOP_CONTACT_REQUEST', 'OTHER'] as const;

describe('the hotline chart of the dashboard page', () => {
  let h: PageHarness;
  beforeAll(async () => {
    h = await PageHarness.start();
  }, 180_000);
  afterAll(async () => h?.close());

  it('shows the president a day’s contacts recorded through the API, stacked by kind, with the figures in its label and table', async () => {
    const t = h.t;
    const token = await t.login('president@example.com', PASSWORD);
    const dash = await t.gql<{ dashboard: { asOf: string; startsOn: string | null; incidentId: string } }>(
      `{ dashboard { asOf startsOn incidentId } }`,
      {},
      token,
    );
    const { asOf, startsOn, incidentId } = dash.data!.dashboard;
    const range = hotlineRange(asOf, startsOn);
    type Day = { day: string; version: number; total: number; counts: { kind: string; count: number }[] };
    const contacts = async () =>
      (
        await t.gql<{ hotlineContacts: Day[] }>(
          `query($id: ID!, $from: LocalDate!, $to: LocalDate!) { hotlineContacts(incidentId: $id, from: $from, to: $to) { day version total counts { kind count } } }`,
          { id: incidentId, ...range },
          token,
        )
      ).data!.hotlineContacts;
    // Today's figures (Asia/Tokyo), whatever the demo already holds for it (its version, if any).
    const mine = { BREACH_QUESTION: 1234, IMPERSONATION_REPORT: 56, STOP_CONTACT_REQUEST: 7, OTHER: 8 };
    const existing = (await contacts()).find((d) => d.day === asOf);
    const recorded = await t.gql(
      `mutation($input: RecordHotlineContactsInput!) { recordHotlineContacts(input: $input) { version } }`,
      {
        input: {
          incidentId,
          day: asOf,
          counts: KINDS.map((kind) => ({ kind, count: mine[kind] })),
          expectedVersion: existing?.version ?? null,
        },
      },
      token,
    );
    expect(recorded.errors).toBeUndefined();
    const days = await contacts();
    const total = days.reduce((n, d) => n + d.total, 0);
    const sumOf = (kind: string) => days.reduce((n, d) => n + (d.counts.find((c) => c.kind === kind)?.count ?? 0), 0);

    const { page, errors } = await h.openPage('ja-JP');
    await h.signIn(page, 'president@example.com');
    const chart = page.getByTestId('chart-hotline');
    await chart.locator('canvas').waitFor(WAIT);
    expect(await chart.getByRole('heading', { level: 2 }).textContent()).toBe(JA['hotline.title']);

    // The canvas is drawn (not blank) and says the span's figures to screen readers.
    const label = (await chart.locator('canvas').getAttribute('aria-label'))!;
    expect(label).toContain(
      JA['hotline.summary']
        .replace('{from}', formatDay('ja', days[0]!.day))
        .replace('{to}', formatDay('ja', asOf))
        .replace('{days}', String(days.length))
        .replace('{total}', String(total)),
    );
    for (const kind of KINDS) expect(label).toContain(`${JA[`hotline.kind.${kind}`]} ${sumOf(kind)}`);
    // (The spec is type-checked without the DOM's types: the canvas as far as it is used.)
    type Canvas = { width: number; height: number; getContext(kind: '2d'): { getImageData(...a: number[]): { data: Uint8ClampedArray } } };
    const inked = await chart.locator('canvas').evaluate((el) => {
      const c = el as unknown as Canvas;
      const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(0);

    // The table under the chart holds today's row as recorded.
    await chart.getByTestId('chart-hotline-table').locator('summary').click();
    const row = chart.locator(`tr[data-day="${asOf}"]`);
    await row.waitFor(WAIT);
    for (const kind of KINDS) expect(await row.locator(`td[data-kind="${kind}"]`).textContent()).toBe(String(mine[kind]));
    expect(await row.locator('td[data-total]').textContent()).toBe(String(1234 + 56 + 7 + 8));
    expect(errors).toEqual([]);
  });
  it('lets customer support log a day from the page: the figures are corrected with the version read, and the table shows them', async () => {
    const token = await h.t.login('cs.lead@example.com', PASSWORD);
    const { asOf } = (await h.t.gql<{ dashboard: { asOf: string } }>(`{ dashboard { asOf } }`, {}, token)).data!.dashboard;
    const { page, errors } = await h.openPage('ja-JP');
    await h.signIn(page, 'cs.lead@example.com');
    const form = page.getByTestId('hotline-log-form');
    await form.waitFor(WAIT);
    expect(await form.locator('input[name="day"]').inputValue()).toBe(asOf);
    // Today was recorded by the test before: the form starts from its figures, and saving corrects them.
    await page
      .getByTestId('chart-hotline')
      .locator(`tr[data-day="${asOf}"]`)
      .waitFor({ state: 'attached', ...WAIT });
    expect(await form.locator('input[name="BREACH_QUESTION"]').inputValue()).toBe('1234');
    await form.locator('input[name="BREACH_QUESTION"]').fill('1300');
    await form.locator('input[name="IMPERSONATION_REPORT"]').fill('61');
    await form.getByRole('button', { name: JA['hotline.log.save'] }).click();
    const message = form.getByTestId('hotline-log-message');
    await message.waitFor(WAIT);
    expect(await message.getAttribute('role'), (await message.textContent()) ?? '').toBe('status');
    const row = page.getByTestId('chart-hotline').locator(`tr[data-day="${asOf}"]`);
    await expect.poll(() => row.locator('td[data-kind="BREACH_QUESTION"]').textContent(), WAIT).toBe('1300');
    expect(await row.locator('td[data-kind="IMPERSONATION_REPORT"]').textContent()).toBe('61');
    expect(errors).toEqual([]);

    // An auditor reads the chart but is not offered the form.
    const auditor = await h.openPage('ja-JP');
    await h.signIn(auditor.page, 'auditor@example.com');
    await auditor.page.getByTestId('chart-hotline').waitFor(WAIT);
    await auditor.page.getByTestId('dashboard').waitFor(WAIT);
    // The auditor's own permissions answered (the review queue is theirs alone), then two frames for React to draw.
    await auditor.page.getByTestId('review-queue').waitFor(WAIT);
    await auditor.page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(null))))');
    expect(await auditor.page.getByTestId('hotline-log-form').count()).toBe(0);
  });
});
