import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { REPORT_TITLE_JA } from '@app/reports';
import { readPdfText } from '../../libs/reports/src/testing/pdf-text';
import { parseRfc4180 } from '../../libs/reports/src/testing/rfc4180';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { countStatements } from '../support/statement-counter';
import { TestApp } from '../support/test-app';

const PASSWORD = 'x-demo-pass-for-reports'; // at least 12 characters (the brief's 'x-demo-pass' is refused as too short)

interface ApiCountermeasure {
  key: string;
  title: string;
  status: string;
  dueDate: string;
  overdue: boolean;
  requiredForGate: boolean;
  owner: { displayName: string };
  signOff: { digest: string } | null;
}

/** The CSV's blocks (split on the all-empty records), after checking the BOM and that it is strict RFC 4180. */
function csvBlocks(body: Buffer): string[][][] {
  expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const records = parseRfc4180(body.toString('utf8').slice(1));
  expect(new Set(records.map((r) => r.length)).size).toBe(1);
  const blocks: string[][][] = [[]];
  for (const r of records) {
    if (r.every((f) => f === '')) blocks.push([]);
    else blocks[blocks.length - 1]!.push(r);
  }
  return blocks;
}

/**
 * The status report for the board and the regulator, over HTTP on the demo
 * case: what it contains matches what the API says, who may download it, and
 * that every download is in the audit trail.
 */
describe('the status report (GET /reports/status.csv, /reports/status.pdf)', () => {
  let t: TestApp;
  let president: string;
  let auditor: string;
  let taskForce: string;
  let admin: string;
  let incidentId: string;

  const get = (path: string, token?: string) =>
    fetch(`${t.baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const reportEntries = async () => {
    const rows = await t.sql<{ actor_label: string; entity_id: string; after: Record<string, unknown> }>(
      `SELECT actor_label, entity_id, "after" FROM audit_trail WHERE action = 'report.generated' ORDER BY seq`,
    );
    return rows;
  };

  beforeAll(async () => {
    t = await TestApp.start({ DEMO: 'true', DEMO_PASSWORD: PASSWORD });
    [president, auditor, taskForce, admin] = await Promise.all(
      ['president@example.com', 'auditor@example.com', 'security.lead@example.com', 'admin@example.com'].map((e) => t.login(e, PASSWORD)),
    );
    const res = await t.gql<{ incidents: { nodes: { id: string }[] } }>(`{ incidents { nodes { id } } }`, {}, president);
    incidentId = res.data!.incidents.nodes[0]!.id;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await t?.close();
  });

  it('CSV: a BOM, strict RFC 4180, the case, and ten countermeasure rows that match the API (key, title, status, due date, owner, overdue, sign-off)', async () => {
    const res = await get('/reports/status.csv', president);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="status-report-\d{8}-\d{4}\.csv"; filename\*=UTF-8''%E5%86%8D%E7%99%BA%E9%98%B2%E6%AD%A2%E7%AD%96%E9%80%B2%E6%8D%97%E5%A0%B1%E5%91%8A%E6%9B%B8_\d{8}-\d{4}\.csv$/,
    );
    const body = Buffer.from(await res.arrayBuffer());
    const [head, table, engagements, , , gates] = csvBlocks(body);

    const api = await t.gql<{
      countermeasures: { nodes: ApiCountermeasure[] };
      incidents: { nodes: { title: string; disclosedOn: string }[] };
    }>(
      `{ incidents { nodes { title disclosedOn } }
         countermeasures(first: 20, orderBy: KEY) { nodes { key title status dueDate overdue requiredForGate owner { displayName } signOff { digest } } } }`,
      {},
      president,
    );
    const item = (label: string) => head!.find((r) => r[0]!.startsWith(label))?.[1];
    expect(item('事案 / Incident')).toBe(api.data!.incidents.nodes[0]!.title);
    expect(item('公表日')).toBe(api.data!.incidents.nodes[0]!.disclosedOn);
    expect(item('漏えいした情報')).toContain('郵便番号');
    expect(item('漏えいしていない情報')).toContain('クレジットカード番号・有効期限');
    expect(item('作成者')).toBe('佐藤 一郎 <president@example.com>');
    expect(item('作成日時 (UTC)')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(item('作成日時 (日本時間)')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/);

    const rows = table!.slice(1);
    expect(rows).toHaveLength(10);
    const nodes = api.data!.countermeasures.nodes;
    expect(rows.map((r) => [r[0], r[1], r[4], r[5], r[3], r[6], r[7]])).toEqual(
      nodes.map((n) => [
        n.key,
        n.title,
        n.status,
        n.dueDate,
        n.owner.displayName,
        String(n.overdue).toUpperCase(),
        String(n.requiredForGate).toUpperCase(),
      ]),
    );
    expect(rows[0]![1]).toBe('当該データベースの稼働停止'); // Japanese intact
    expect(rows[0]![4]).toBe('VERIFIED');
    expect(rows[0]![13]).toBe(nodes[0]!.signOff!.digest);
    expect(rows.slice(1).every((r) => r[13] === '' || nodes.find((n) => n.key === r[0])!.signOff)).toBe(true);

    expect(engagements!.length).toBeGreaterThanOrEqual(2); // the security firm's engagement
    expect(gates![1]!.slice(0, 4)).toEqual(['new-customer-promotion', '新規顧客向け販売促進活動', 'SUSPENDED', 'FALSE']);
    expect(gates![1]![5]).not.toBe('');
  });

  it('PDF: a valid PDF with the Noto Sans JP fonts embedded, whose text holds the Japanese title and CM-001 … CM-010', async () => {
    const res = await get(`/reports/status.pdf?incidentId=${incidentId}`, auditor);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="status-report-\d{8}-\d{4}\.pdf"; filename\*=UTF-8''.+\.pdf$/,
    );
    const body = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get('repr-digest')).toBe(`sha-256=:${createHash('sha256').update(body).digest('base64')}:`);
    expect(body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(body.toString('latin1').trimEnd().endsWith('%%EOF')).toBe(true);
    const { pages, baseFonts } = readPdfText(body);
    expect(pages.length).toBeGreaterThanOrEqual(1);
    expect(baseFonts.map((f) => f.replace(/^[A-Z]{6}\+/, '')).sort()).toEqual(['NotoSansJP-Bold', 'NotoSansJP-Regular']);
    const runs = pages.flatMap((p) => p.runs);
    expect(runs[0]).toBe(REPORT_TITLE_JA);
    for (let n = 1; n <= 10; n++) expect(runs).toContain(`CM-${String(n).padStart(3, '0')}`);
    expect(runs).toContain('当該データベースの稼働停止');
    expect(runs).toContain(`1 / ${pages.length}`);
    expect(runs.join('\n')).toContain('停止中 (SUSPENDED)');
  });

  it('records every download in the audit trail: who, which incident, the format and the SHA-256 of the bytes sent', async () => {
    const before = (await reportEntries()).length;
    const res = await get('/reports/status.csv', admin);
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    const entries = await reportEntries();
    expect(entries).toHaveLength(before + 1);
    expect(entries.at(-1)).toMatchObject({
      actor_label: 'admin@example.com',
      entity_id: incidentId,
      after: {
        format: 'csv',
        incidentId,
        report: 'status-report/v1',
        countermeasures: 10,
        sha256: createHash('sha256').update(body).digest('hex'),
        sizeBytes: body.length,
      },
    });
    // And the trail still verifies.
    const verify = await t.gql<{ verifyAuditTrail: { intact: boolean } }>(`{ verifyAuditTrail { intact } }`, {}, president);
    expect(verify.data!.verifyAuditTrail.intact).toBe(true);
  });

  it('refuses without rights, with a JSON error and no report: anonymous 401, task force 403, a promotion system’s API key 403 — and records nothing', async () => {
    const keyRes = await t.gql<{ createApiKey: { secret: string } }>(
      `mutation { createApiKey(input: { name: "dm-system" }) { secret } }`,
      {},
      admin,
    );
    const apiKey = keyRes.data!.createApiKey.secret;
    const before = (await reportEntries()).length;
    for (const [path, token, status, code] of [
      ['/reports/status.csv', undefined, 401, 'UNAUTHENTICATED'],
      ['/reports/status.pdf', undefined, 401, 'UNAUTHENTICATED'],
      ['/reports/status.csv', 'not-a-token', 401, 'UNAUTHENTICATED'],
      ['/reports/status.csv', taskForce, 403, 'FORBIDDEN'],
      ['/reports/status.pdf', taskForce, 403, 'FORBIDDEN'],
      ['/reports/status.csv', apiKey, 403, 'FORBIDDEN'],
    ] as const) {
      const res = await get(path, token);
      expect(res.status, `${path} ${status}`).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('content-disposition')).toBeNull();
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ error: { code } });
      expect(text).not.toMatch(/CM-00|漏えい|%PDF/);
    }
    expect(await reportEntries()).toHaveLength(before);
  });

  it('answers a bad incidentId cleanly: malformed or repeated 400, unknown 404 — JSON, not cached, nothing recorded', async () => {
    const before = (await reportEntries()).length;
    for (const [query, status, code] of [
      ['?incidentId=not-a-uuid', 400, 'BAD_USER_INPUT'],
      ["?incidentId=1'%20OR%201=1", 400, 'BAD_USER_INPUT'],
      [`?incidentId=${incidentId}&incidentId=${incidentId}`, 400, 'BAD_USER_INPUT'],
      [`?incidentId=${randomUUID()}`, 404, 'NOT_FOUND'],
    ] as const) {
      const res = await get(`/reports/status.csv${query}`, president);
      expect(res.status, query).toBe(status);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toMatchObject({ error: { code } });
    }
    expect(await reportEntries()).toHaveLength(before);
  });

  // Last: it adds a second incident.
  it('reads a fixed number of statements however many countermeasures (no N+1); with two incidents, one must be named; formulas are defused end to end', async () => {
    const { incident, addMember } = await makeIncident(t, '第二の事案');
    const owner = await addMember();
    await makeCountermeasure(t, incident.id, owner.user.id, { title: '=HYPERLINK("http://evil.example/","詳細")' });
    const statementsFor = async () => {
      const { result: body, statements } = await countStatements(async () => {
        const res = await get(`/reports/status.csv?incidentId=${incident.id}`, president);
        expect(res.status).toBe(200);
        return Buffer.from(await res.arrayBuffer());
      });
      return { statements, body };
    };
    const one = await statementsFor();
    const [, table] = csvBlocks(one.body);
    expect(table!.slice(1).map((r) => r[1])).toEqual([`'=HYPERLINK("http://evil.example/","詳細")`]);
    for (let n = 0; n < 12; n++) await makeCountermeasure(t, incident.id, owner.user.id);
    const thirteen = await statementsFor();
    expect(csvBlocks(thirteen.body)[1]!.slice(1)).toHaveLength(13);
    expect(one.statements).toBeGreaterThanOrEqual(7); // the spy sees the statements (not a vacuous 0 = 0)
    expect(thirteen.statements).toBe(one.statements);

    const ambiguous = await get('/reports/status.csv', president);
    expect(ambiguous.status).toBe(400);
    expect(await ambiguous.json()).toMatchObject({ error: { code: 'BAD_USER_INPUT', field: 'incidentId' } });
  });
});
