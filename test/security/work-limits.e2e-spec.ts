import * as http from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CASE_TIME_ZONE, todayIn } from '@app/common';
import { StatusReportService } from '@app/reports';
import { TestApp } from '../support/test-app';
import { makeOwnedRequirement } from '../support/remediation-factory';
import { multipartBody, upload } from '../evidence/support-files-http';
import { UploadSlots } from '../../apps/api/src/common/work-limits';

/**
 * Expensive work a member can start in bulk is bounded, like sign-in (issue 11,
 * "a class of input"): evidence uploads at once and per member, status reports
 * at once and against the caller's budget of expensive work.
 */

/** Polls (no time asserted) until `check` holds; the cap only stops a hung run. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(check()).toBe(true);
}

/** An upload whose body is sent in two halves: the server receives (and holds a slot for) it until `finish()`. */
function heldUpload(t: TestApp, token: string, requirementId: string) {
  const boundary = `held${Math.random().toString(16).slice(2)}`;
  const fields = multipartBody(
    boundary,
    [
      { name: 'requirementId', value: requirementId },
      { name: 'effectiveOn', value: todayIn(CASE_TIME_ZONE, new Date()) },
    ],
    false,
  );
  const fileHead = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="週次点検.txt"\r\nContent-Type: text/plain\r\n\r\n点検結果: 異常なし\n`,
    'utf8',
  );
  const rest = Buffer.from(`追記\r\n--${boundary}--\r\n`, 'utf8');
  const url = new URL(`${t.baseUrl}/evidence/files`);
  const req = http.request({
    host: url.hostname,
    port: url.port,
    path: url.pathname,
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'apollo-require-preflight': 'true',
      'content-type': `multipart/form-data; boundary=${boundary}`,
    },
  });
  const answer = new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
  });
  req.write(Buffer.concat([fields, fileHead]));
  return {
    finish: () => {
      req.end(rest);
      return answer;
    },
  };
}

describe('bounded expensive work', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await t?.close();
    t = undefined;
  });

  it('evidence uploads: at most EVIDENCE_MAX_UPLOADS_PER_USER per member and EVIDENCE_MAX_CONCURRENT_UPLOADS at once; beyond, SERVER_BUSY unread and nothing stored', async () => {
    t = await TestApp.start({ EVIDENCE_MAX_CONCURRENT_UPLOADS: '2', EVIDENCE_MAX_UPLOADS_PER_USER: '1' });
    const a = await makeOwnedRequirement(t);
    const b = await makeOwnedRequirement(t);
    const c = await makeOwnedRequirement(t);
    const [tokenA, tokenB, tokenC] = await Promise.all([a.owner.token(), b.owner.token(), c.owner.token()]);
    const slots = t.app.get(UploadSlots);
    const file = [{ bytes: Buffer.from('棚卸し結果: 問題なし\n', 'utf8'), name: '棚卸し.txt', type: 'text/plain' }];
    const today = todayIn(CASE_TIME_ZONE, new Date());

    const first = heldUpload(t, tokenA, a.requirementId);
    await until(() => slots.shared.load.running === 1);
    // The same member again: refused at once, before a byte of it is read.
    const again = await upload(t, tokenA, { requirementId: a.requirementId, effectiveOn: today }, file);
    expect(again.status).toBe(429);
    expect(again.body.error).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'SERVER_BUSY', retryAfterSeconds: 5 });

    const second = heldUpload(t, tokenB, b.requirementId);
    await until(() => slots.shared.load.running === 2);
    // Another member while both slots are taken: refused too.
    const third = await upload(t, tokenC, { requirementId: c.requirementId, effectiveOn: today }, file);
    expect(third.status).toBe(429);
    expect((await t.sql(`SELECT id FROM evidence`)).length).toBe(0);

    // The held uploads end normally, and the slots are free again.
    expect((await first.finish()).status).toBe(201);
    expect((await second.finish()).status).toBe(201);
    expect(slots.shared.load.running).toBe(0);
    expect((await upload(t, tokenC, { requirementId: c.requirementId, effectiveOn: today }, file)).status).toBe(201);
    expect((await t.sql(`SELECT id FROM evidence`)).length).toBe(3);
  });

  it('status reports: REPORTS_MAX_CONCURRENT render, as many wait, the rest get SERVER_BUSY; each costs the caller 10,000 of its budget', async () => {
    t = await TestApp.start({ REPORTS_MAX_CONCURRENT: '1', GRAPHQL_COST_PER_MINUTE: '25000' });
    await makeOwnedRequirement(t);
    const executives = await Promise.all(Array.from({ length: 4 }, () => t!.createUser(['EXECUTIVE'])));
    const tokens = await Promise.all(executives.map((e) => e.token()));
    const get = (token: string) => fetch(`${t!.baseUrl}/reports/status.csv`, { headers: { authorization: `Bearer ${token}` } });

    // Renderings held until the test lets them go: 1 renders, 1 waits, the third is refused at once.
    const reports = t.app.get(StatusReportService);
    const generate = reports.generate.bind(reports);
    let open!: () => void;
    const held = new Promise<void>((r) => (open = r));
    let started = 0;
    vi.spyOn(reports, 'generate').mockImplementation(async (...args) => {
      started++;
      await held;
      return generate(...args);
    });
    const one = get(tokens[0]!);
    const two = get(tokens[1]!);
    await until(() => started === 1);
    const three = await get(tokens[2]!);
    expect(three.status).toBe(429);
    expect(three.headers.get('retry-after')).toBe('2');
    expect(((await three.json()) as { error: Record<string, unknown> }).error).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      reason: 'SERVER_BUSY',
    });
    open();
    expect((await one).status).toBe(200);
    expect((await two).status).toBe(200);
    expect(started).toBe(2);

    // The budget: 25,000 points a minute is two reports, not three.
    const me = tokens[3]!;
    expect((await get(me)).status).toBe(200);
    expect((await get(me)).status).toBe(200);
    const over = await get(me);
    expect(over.status).toBe(429);
    expect(((await over.json()) as { error: Record<string, unknown> }).error).toMatchObject({
      reason: 'COST_BUDGET_EXCEEDED',
      cost: 10_000,
      budgetPerMinute: 25_000,
    });
  });
});
