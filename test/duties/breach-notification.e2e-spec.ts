import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raceBehindRowLock } from '../support/lock-ordered-race';
import { errorCode, TestApp } from '../support/test-app';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';

/**
 * The breach-notification record and its PPC filings through the API (issue 15): the cases and the deadlines of
 * appi-ppc@2024-04-01, a draft written by the tracker in Japanese, submission frozen with its hash in the trail, a
 * late filing recorded as late, and who may do what (executives, the chief, the legal lead; auditors read).
 */

const RECORD = `cases { code no derived rationale } mandatory mandatoryReasonJa knowledgeDay rulePack { id }
  deadlines { kind dueOn days binding state daysLeft lateDays filingId }
  filings { id kind status supplementNo lateDays itemsSha256 } noticeCampaigns { id sentCount substituteMissing }
  dataItems { name leaked } individualsEstimate authorityName version id`;
const OPEN = `mutation($input: OpenBreachNotificationInput!) { openBreachNotification(input: $input) { ${RECORD} } }`;
const CORRECT = `mutation($input: CorrectBreachNotificationInput!) { correctBreachNotification(input: $input) { ${RECORD} } }`;
const READ = `query($incidentId: ID!) { breachNotification(incidentId: $incidentId) { ${RECORD} } }`;
const DEADLINES = `query($incidentId: ID!) { breachDeadlines(incidentId: $incidentId) { kind dueOn state daysLeft lateDays } }`;
const FILING = `id kind status version supplementNo dueOn lateDays itemsSha256 referenceNumber submittedAt pdfPath docxPath
  items { overview dataItems individuals cause secondaryHarm responseToIndividuals publication recurrencePrevention other }`;
const DRAFT = `mutation($input: CreateBreachFilingDraftInput!) { createBreachFilingDraft(input: $input) { ${FILING} } }`;
const EDIT = `mutation($input: EditBreachFilingDraftInput!) { editBreachFilingDraft(input: $input) { ${FILING} } }`;
const SUBMIT = `mutation($input: SubmitBreachFilingInput!) { submitBreachFiling(input: $input) { ${FILING} } }`;
const CAMPAIGN = `mutation($input: CreateNoticeCampaignInput!) { createNoticeCampaign(input: $input) { id plannedCount sentCount substituteMissing version } }`;
const LEGAL_LEAD = `mutation($input: SetTaskForceLegalLeadInput!) { setTaskForceLegalLead(input: $input) { version taskForce { id legalLead user { id } } } }`;

interface BreachRecord {
  id: string;
  version: number;
  knowledgeDay: string;
  mandatory: boolean;
  mandatoryReasonJa: string;
  authorityName: string;
  rulePack: { id: string };
  cases: { code: string; no: number; derived: boolean; rationale: string }[];
  deadlines: { kind: string; dueOn: string | null; days: number | null; state: string; daysLeft: number | null; lateDays: number }[];
  dataItems: { name: string; leaked: boolean }[];
}
type Filing = {
  id: string;
  referenceNumber: string | null;
  kind: string;
  status: string;
  version: number;
  supplementNo: number | null;
  dueOn: string | null;
  lateDays: number | null;
  itemsSha256: string | null;
  pdfPath: string;
  docxPath: string;
  items: Record<string, string>;
};

const tokyoDay = (at: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(at);
const dayDiff = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

describe('the breach-notification record and the PPC filings', () => {
  let t: TestApp;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let chiefToken: string;
  let lawyer: Awaited<ReturnType<Awaited<ReturnType<typeof makeIncident>>['addMember']>>;
  let lawyerToken: string;
  let memberToken: string;
  let auditorToken: string;
  let adminToken: string;
  const insider = { code: 'UNLAWFUL_PURPOSE', rationale: '顧客データベースへのアクセス権限を持つグループ外の者による持ち出しの疑い' };
  const base = (over: Record<string, unknown> = {}) => ({
    knownAt: '2026-07-03T10:00:00+09:00',
    cases: [insider],
    individualsEstimate: 12345,
    individualsEstimatedOn: '2026-07-08',
    authorityCode: 'DELEGATED_MINISTER',
    authorityName: '経済産業大臣',
    reporter: '株式会社テスト通信教育',
    ...over,
  });
  const counts = async () =>
    (
      await t.sql<{ n: number; f: number; e: number }>(
        `SELECT (SELECT count(*)::int FROM breach_notifications) n, (SELECT count(*)::int FROM breach_filings) f, (SELECT count(*)::int FROM audit_trail) e`,
      )
    )[0]!;

  beforeAll(async () => {
    t = await TestApp.start();
    ctx = await makeIncident(t, '通信教育顧客情報の漏えい');
    chiefToken = await ctx.chief.token();
    lawyer = await ctx.addMember(['TASK_FORCE'], '法務担当');
    lawyerToken = await lawyer.token();
    const member = await ctx.addMember(['TASK_FORCE'], '情報システム担当');
    memberToken = await member.token();
    auditorToken = await (await t.createUser(['AUDITOR'])).token();
    adminToken = await (await t.createUser(['ADMIN'])).token();
    await t.sql(
      `INSERT INTO incident_data_categories (incident_id, name, leaked) VALUES ($1, '氏名（漢字・ふりがな）', true), ($1, '住所', true), ($1, 'クレジットカード番号', false)`,
      [ctx.incident.id],
    );
    await makeCountermeasure(t, ctx.incident.id, member.user.id, { title: '漏えいしたデータベースの停止' });
  });
  afterAll(async () => t?.close());

  it('a task-force member without standing, an auditor and an admin cannot open the record; the database is unchanged', async () => {
    const before = await counts();
    for (const token of [memberToken, lawyerToken, auditorToken, adminToken]) {
      const res = await t.gql(OPEN, { input: { incidentId: ctx.incident.id, ...base() } }, token);
      expect(errorCode(res)).toBe('FORBIDDEN');
    }
    expect(await counts()).toEqual(before);
  });

  it('the chief grants the legal lead; the member may then open the record: cases 3 and 4, mandatory, 60 days for the final report', async () => {
    const incident = (await t.sql<{ version: number }>(`SELECT version FROM incidents WHERE id = $1`, [ctx.incident.id]))[0]!;
    const membership = (await t.sql<{ id: string }>(`SELECT id FROM task_force_members WHERE user_id = $1`, [lawyer.user.id]))[0]!;
    const grant = await t.gql<{ setTaskForceLegalLead: { taskForce: { id: string; legalLead: boolean }[] } }>(
      LEGAL_LEAD,
      { input: { memberId: membership.id, legalLead: true, expectedVersion: incident.version } },
      chiefToken,
    );
    expect(grant.errors).toBeUndefined();
    expect(grant.data!.setTaskForceLegalLead.taskForce.find((m) => m.id === membership.id)!.legalLead).toBe(true);
    expect((await t.sql(`SELECT 1 FROM audit_trail WHERE action = 'task_force.legal_lead_granted'`)).length).toBe(1);

    const res = await t.gql<{ openBreachNotification: BreachRecord }>(
      OPEN,
      { input: { incidentId: ctx.incident.id, ...base() } },
      lawyerToken,
    );
    expect(res.errors).toBeUndefined();
    const r = res.data!.openBreachNotification;
    expect(r.rulePack.id).toBe('appi-ppc@2024-04-01');
    expect(r.knowledgeDay).toBe('2026-07-03');
    expect(r.cases.map((c: { no: number; derived: boolean }) => [c.no, c.derived])).toEqual([
      [3, false],
      [4, true],
    ]);
    expect(r.mandatory).toBe(true);
    expect(r.mandatoryReasonJa).toContain('3号・4号');
    expect(r.authorityName).toBe('経済産業大臣');
    expect(r.dataItems).toEqual([
      { name: '住所', leaked: true },
      { name: '氏名（漢字・ふりがな）', leaked: true },
      { name: 'クレジットカード番号', leaked: false },
    ]);
    // Known on 3 July (day 1): the preliminary target 7 July, the final report 31 August (60 days: case 3). Both late today.
    const today = tokyoDay(new Date());
    expect(r.deadlines).toEqual([
      {
        kind: 'PRELIMINARY',
        dueOn: '2026-07-07',
        days: 5,
        binding: false,
        state: 'LATE',
        daysLeft: dayDiff(today, '2026-07-07'),
        lateDays: dayDiff('2026-07-07', today),
        filingId: null,
      },
      {
        kind: 'FINAL',
        dueOn: '2026-08-31',
        days: 60,
        binding: true,
        state: 'LATE',
        daysLeft: dayDiff(today, '2026-08-31'),
        lateDays: dayDiff('2026-08-31', today),
        filingId: null,
      },
    ]);
    const again = await t.gql(OPEN, { input: { incidentId: ctx.incident.id, ...base() } }, chiefToken);
    expect(errorCode(again)).toBe('CONFLICT');
  });

  it('refuses a knowledge time in the future or before the first rule pack, an unknown case, a count without its date', async () => {
    const other = await makeIncident(t, '別事案');
    const token = await other.chief.token();
    const before = await counts();
    for (const over of [
      { knownAt: new Date(Date.now() + 86_400_000).toISOString() },
      { knownAt: '2023-06-01T10:00:00+09:00' },
      { cases: [{ code: 'MARTIANS', rationale: '理由' }] },
      { cases: [{ code: 'UNLAWFUL_PURPOSE', rationale: '   ' }] },
      { individualsEstimatedOn: null },
      { authorityCode: 'FBI' },
    ]) {
      const res = await t.gql(OPEN, { input: { incidentId: other.incident.id, ...base(over) } }, token);
      expect(errorCode(res), JSON.stringify(over)).toBe('BAD_USER_INPUT');
    }
    expect(await counts()).toEqual(before);
  });

  it('a correction recomputes the deadlines when read: two days after knowing, without case 3 the final report is due in 30 days', async () => {
    const other = await makeIncident(t, '別事案その二');
    const token = await other.chief.token();
    const knownAt = new Date(Date.now() - 2 * 86_400_000);
    const opened = await t.gql<{ openBreachNotification: BreachRecord }>(
      OPEN,
      { input: { incidentId: other.incident.id, ...base({ knownAt: knownAt.toISOString() }) } },
      token,
    );
    const r = opened.data!.openBreachNotification;
    const day = tokyoDay(knownAt);
    const left = (due: string) => dayDiff(tokyoDay(new Date()), due);
    const final = r.deadlines.find((d: { kind: string }) => d.kind === 'FINAL');
    expect(final).toMatchObject({ days: 60, state: 'OPEN', dueOn: addDays(day, 59), daysLeft: left(addDays(day, 59)) });
    const corrected = await t.gql<{ correctBreachNotification: BreachRecord }>(
      CORRECT,
      { input: { notificationId: r.id, expectedVersion: r.version, ...base({ knownAt: knownAt.toISOString(), cases: [] }) } },
      token,
    );
    expect(corrected.errors).toBeUndefined();
    const c = corrected.data!.correctBreachNotification;
    expect(c.cases.map((x: { no: number }) => x.no)).toEqual([4]);
    expect(c.deadlines.find((d: { kind: string }) => d.kind === 'FINAL')).toMatchObject({
      days: 30,
      dueOn: addDays(day, 29),
      daysLeft: left(addDays(day, 29)),
    });
    const stale = await t.gql(CORRECT, { input: { notificationId: r.id, expectedVersion: r.version, ...base() } }, token);
    expect(errorCode(stale)).toBe('CONFLICT');
    const none = await t.gql<{ correctBreachNotification: BreachRecord }>(
      CORRECT,
      {
        input: {
          notificationId: r.id,
          expectedVersion: c.version,
          ...base({ knownAt: knownAt.toISOString(), cases: [], individualsEstimate: 800 }),
        },
      },
      token,
    );
    expect(none.data!.correctBreachNotification.mandatory).toBe(false);
    expect(none.data!.correctBreachNotification.deadlines.map((d: { state: string }) => d.state)).toEqual(['NOT_REQUIRED', 'NOT_REQUIRED']);
  });

  let preliminary: Filing;
  let supplementDraft: Filing;

  it('the tracker writes the preliminary draft in Japanese from what it holds', async () => {
    const res = await t.gql<{ createBreachFilingDraft: Filing }>(
      DRAFT,
      { input: { incidentId: ctx.incident.id, kind: 'PRELIMINARY' } },
      lawyerToken,
    );
    expect(res.errors).toBeUndefined();
    preliminary = res.data!.createBreachFilingDraft;
    expect(preliminary).toMatchObject({ kind: 'PRELIMINARY', status: 'DRAFT', itemsSha256: null, lateDays: null, dueOn: '2026-07-07' });
    expect(preliminary.items.overview).toContain('速報');
    expect(preliminary.items.overview).toContain('2026年7月3日');
    expect(preliminary.items.dataItems).toContain('氏名（漢字・ふりがな）');
    expect(preliminary.items.dataItems).toContain('クレジットカード番号');
    expect(preliminary.items.individuals).toContain('12,345');
    expect(preliminary.items.recurrencePrevention).toContain('CM-001');
    expect(preliminary.items.recurrencePrevention).toContain('漏えいしたデータベースの停止');
    expect(preliminary.items.other).toContain('不正の目的');
    const twice = await t.gql(DRAFT, { input: { incidentId: ctx.incident.id, kind: 'PRELIMINARY' } }, lawyerToken);
    expect(errorCode(twice)).toBe('CONFLICT');
    const supplement = await t.gql(DRAFT, { input: { incidentId: ctx.incident.id, kind: 'SUPPLEMENT' } }, lawyerToken);
    expect(errorCode(supplement)).toBe('CONFLICT');
  });

  it('edits the draft with its version; a stale version is refused and changes nothing', async () => {
    const cause = '委託先の従業者による顧客データの不正な持ち出しが疑われる。詳細は警察の捜査中のため差し控える。';
    const res = await t.gql<{ editBreachFilingDraft: Filing }>(
      EDIT,
      { input: { filingId: preliminary.id, expectedVersion: preliminary.version, items: { cause } } },
      lawyerToken,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.editBreachFilingDraft.items.cause).toBe(cause);
    expect(res.data!.editBreachFilingDraft.items.overview).toBe(preliminary.items.overview);
    const stale = await t.gql(
      EDIT,
      { input: { filingId: preliminary.id, expectedVersion: preliminary.version, items: { cause: '上書き' } } },
      chiefToken,
    );
    expect(errorCode(stale)).toBe('CONFLICT');
    preliminary = res.data!.editBreachFilingDraft;
    expect(preliminary.items.cause).toBe(cause);
  });

  it('submission freezes the nine items with the SHA-256 of their canonical JSON, in the trail; on time is 0 days late', async () => {
    const submittedAt = '2026-07-06T18:00:00.000Z';
    const res = await t.gql<{ submitBreachFiling: Filing }>(
      SUBMIT,
      {
        input: {
          filingId: preliminary.id,
          expectedVersion: preliminary.version,
          submittedAt,
          channel: 'PPC_WEB_FORM',
          referenceNumber: '受付-2026-000123',
        },
      },
      lawyerToken,
    );
    expect(res.errors).toBeUndefined();
    const f = res.data!.submitBreachFiling;
    expect(f).toMatchObject({ status: 'SUBMITTED', dueOn: '2026-07-07', lateDays: 0 });
    const payload = {
      format: 'ppc-filing-items/v1',
      filingId: f.id,
      kind: 'PRELIMINARY',
      rulePack: 'appi-ppc@2024-04-01',
      submittedAt,
      items: preliminary.items,
    };
    const digest = createHash('sha256').update(canonicalize(payload)!, 'utf8').digest('hex');
    expect(f.itemsSha256).toBe(digest);
    // Recorded after the fact (submitted on 7 July, its cause edited today): allowed, and flagged as backdated.
    // The trail holds the digest and what it covers, not the text: admins read the trail, not the filings.
    const [entry] = await t.sql<{ after: Record<string, unknown> }>(
      `SELECT after FROM audit_trail WHERE action = 'breach_filing.submitted' AND entity_id = $1`,
      [f.id],
    );
    expect(entry!.after).toMatchObject({
      itemsSha256: digest,
      format: 'ppc-filing-items/v1',
      kind: 'PRELIMINARY',
      submittedAt,
      backdated: true,
    });
    expect(JSON.stringify(entry!.after)).not.toContain('委託先の従業者');
    const openedEntry = await t.sql<{ after: Record<string, unknown> }>(
      `SELECT after FROM audit_trail WHERE action = 'breach_notification.opened'`,
    );
    expect(JSON.stringify(openedEntry)).not.toContain('持ち出しの疑い');
    // The frozen row's items give the same digest: anyone holding the filing and the trail can check it.
    const [row] = await t.sql<{ items: Record<string, string> }>(`SELECT items FROM breach_filings WHERE id = $1`, [f.id]);
    expect(
      createHash('sha256')
        .update(canonicalize({ ...payload, items: row!.items })!, 'utf8')
        .digest('hex'),
    ).toBe(digest);
    preliminary = f;
  });

  it('a submitted filing is neither submitted again nor edited, through the API or in the database', async () => {
    const before = await counts();
    const again = await t.gql(
      SUBMIT,
      { input: { filingId: preliminary.id, expectedVersion: preliminary.version, channel: 'PPC_WEB_FORM', referenceNumber: 'X' } },
      chiefToken,
    );
    expect(errorCode(again)).toBe('CONFLICT');
    expect(again.errors![0]!.extensions!.reason).toBe('FILING_SUBMITTED');
    const edit = await t.gql(
      EDIT,
      { input: { filingId: preliminary.id, expectedVersion: preliminary.version, items: { other: '追記' } } },
      chiefToken,
    );
    expect(errorCode(edit)).toBe('CONFLICT');
    await expect(t.sql(`UPDATE breach_filings SET items = '{}'::jsonb WHERE id = $1`, [preliminary.id])).rejects.toThrow(/frozen/);
    await expect(t.sql(`DELETE FROM breach_filings WHERE id = $1`, [preliminary.id])).rejects.toThrow(/refused/);
    expect(await counts()).toEqual(before);
  });

  it('a late final report is recorded as late, with the days; then a supplement is numbered 1', async () => {
    const draft = (
      await t.gql<{ createBreachFilingDraft: Filing }>(DRAFT, { input: { incidentId: ctx.incident.id, kind: 'FINAL' } }, chiefToken)
    ).data!.createBreachFilingDraft;
    const res = await t.gql<{ submitBreachFiling: Filing }>(
      SUBMIT,
      {
        input: {
          filingId: draft.id,
          expectedVersion: draft.version,
          submittedAt: '2026-09-03T10:00:00+09:00',
          channel: 'MINISTRY_FORM',
          referenceNumber: 'METI-0042',
        },
      },
      chiefToken,
    );
    expect(res.data!.submitBreachFiling).toMatchObject({ status: 'SUBMITTED', dueOn: '2026-08-31', lateDays: 3 });
    const record = (await t.gql<{ breachNotification: BreachRecord }>(READ, { incidentId: ctx.incident.id }, auditorToken)).data!
      .breachNotification;
    expect(record.deadlines.map((d: { kind: string; state: string; lateDays: number }) => [d.kind, d.state, d.lateDays])).toEqual([
      ['PRELIMINARY', 'SUBMITTED', 0],
      ['FINAL', 'SUBMITTED_LATE', 3],
    ]);
    const supplement = await t.gql<{ createBreachFilingDraft: Filing }>(
      DRAFT,
      { input: { incidentId: ctx.incident.id, kind: 'SUPPLEMENT' } },
      lawyerToken,
    );
    expect(supplement.data!.createBreachFilingDraft).toMatchObject({ kind: 'SUPPLEMENT', supplementNo: 1, status: 'DRAFT', dueOn: null });
    supplementDraft = supplement.data!.createBreachFilingDraft;
  });

  it('two submissions of one draft at once: one is recorded, the other refused, one trail entry', async () => {
    const submit = (token: string, reference: string) => () =>
      t.gql<{ submitBreachFiling: Filing }>(
        SUBMIT,
        {
          input: {
            filingId: supplementDraft.id,
            expectedVersion: supplementDraft.version,
            channel: 'PPC_WEB_FORM',
            referenceNumber: reference,
          },
        },
        token,
      );
    const [first, second] = await raceBehindRowLock(t, 'breach_filings', supplementDraft.id, [
      submit(lawyerToken, '追完-1'),
      submit(chiefToken, '追完-2'),
    ]);
    expect(first!.errors).toBeUndefined();
    expect(first!.data!.submitBreachFiling.referenceNumber).toBe('追完-1');
    expect(errorCode(second!)).toBe('CONFLICT');
    const rows = await t.sql<{ reference_number: string }>(`SELECT reference_number FROM breach_filings WHERE id = $1`, [
      supplementDraft.id,
    ]);
    expect(rows).toEqual([{ reference_number: '追完-1' }]);
    const entries = await t.sql(`SELECT 1 FROM audit_trail WHERE action = 'breach_filing.submitted' AND entity_id = $1`, [
      supplementDraft.id,
    ]);
    expect(entries).toHaveLength(1);
  });

  it('submissions keep the law’s order and time: no preliminary report after the final one, none dated before an earlier filing', async () => {
    const other = await makeIncident(t, '順序確認事案');
    const token = await other.chief.token();
    await t.gql(OPEN, { input: { incidentId: other.incident.id, ...base() } }, token);
    const draft = async (kind: string) =>
      (await t.gql<{ createBreachFilingDraft: Filing }>(DRAFT, { input: { incidentId: other.incident.id, kind } }, token)).data!
        .createBreachFilingDraft;
    const submit = (f: Filing, submittedAt: string) =>
      t.gql<{ submitBreachFiling: Filing }>(
        SUBMIT,
        { input: { filingId: f.id, expectedVersion: f.version, submittedAt, channel: 'PPC_WEB_FORM', referenceNumber: `R-${f.kind}` } },
        token,
      );
    const pre = await draft('PRELIMINARY');
    const fin = await draft('FINAL');
    expect((await submit(fin, '2026-08-20T10:00:00+09:00')).errors).toBeUndefined();
    const late = await submit(pre, '2026-08-21T10:00:00+09:00');
    expect(errorCode(late)).toBe('CONFLICT');
    expect(late.errors![0]!.extensions!.reason).toBe('FILING_OUT_OF_ORDER');
    const sup = await draft('SUPPLEMENT');
    const early = await submit(sup, '2026-08-19T10:00:00+09:00');
    expect(errorCode(early)).toBe('BAD_USER_INPUT');
    expect((await submit(sup, '2026-09-01T10:00:00+09:00')).data!.submitBreachFiling).toMatchObject({
      status: 'SUBMITTED',
      supplementNo: 1,
    });
  });

  it('standing is per incident: the chief and legal lead of one incident can neither read nor change another’s record', async () => {
    const other = await makeIncident(t, '別の事案（権限確認）');
    await t.gql(OPEN, { input: { incidentId: other.incident.id, ...base() } }, await other.chief.token());
    const otherChiefToken = await other.chief.token();
    // The legal lead of the first incident, on the other incident.
    expect(errorCode(await t.gql(READ, { incidentId: other.incident.id }, lawyerToken))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(DRAFT, { input: { incidentId: other.incident.id, kind: 'PRELIMINARY' } }, lawyerToken))).toBe('FORBIDDEN');
    // The other incident's chief is an executive: executives may; a task-force chief of another incident may not.
    const tfChief = await other.addMember(['TASK_FORCE'], '担当');
    const tfToken = await tfChief.token();
    expect(errorCode(await t.gql(READ, { incidentId: ctx.incident.id }, tfToken))).toBe('FORBIDDEN');
    const pdf = await fetch(`${t.baseUrl}${preliminary.pdfPath}`, { headers: { authorization: `Bearer ${tfToken}` } });
    expect(pdf.status).toBe(403);
    expect((await t.gql(READ, { incidentId: ctx.incident.id }, otherChiefToken)).errors).toBeUndefined();
  });

  it('who reads: executives, auditors, the chief and the legal lead read the record; other members only the deadlines', async () => {
    for (const token of [chiefToken, lawyerToken, auditorToken]) {
      const res = await t.gql<{ breachNotification: { id: string } }>(READ, { incidentId: ctx.incident.id }, token);
      expect(res.errors).toBeUndefined();
      expect(res.data!.breachNotification.id).toBeTruthy();
    }
    expect(errorCode(await t.gql(READ, { incidentId: ctx.incident.id }, memberToken))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(READ, { incidentId: ctx.incident.id }, adminToken))).toBe('FORBIDDEN');
    const deadlines = await t.gql<{ breachDeadlines: { kind: string; state: string }[] }>(
      DEADLINES,
      { incidentId: ctx.incident.id },
      memberToken,
    );
    expect(deadlines.data!.breachDeadlines.map((d) => d.state)).toEqual(['SUBMITTED', 'SUBMITTED_LATE']);
  });

  it('the filing as PDF and DOCX for legal review: readers only', async () => {
    const get = (path: string, token?: string) =>
      fetch(`${t.baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const pdf = await get(preliminary.pdfPath, auditorToken);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    const docx = await get(preliminary.docxPath, lawyerToken);
    expect(docx.status).toBe(200);
    expect(
      Buffer.from(await docx.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    expect((await get(preliminary.pdfPath, memberToken)).status).toBe(403);
    expect((await get(preliminary.pdfPath)).status).toBe(401);
    expect((await get('/duties/filings/not-an-id.pdf', auditorToken)).status).toBe(400);
    expect((await get(`/duties/filings/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}.pdf`, auditorToken)).status).toBe(404);
  });

  it('a notice campaign by post: counts checked (no more sent than planned), the substitute flagged when missing', async () => {
    const input = {
      incidentId: ctx.incident.id,
      channel: 'POST',
      plannedCount: 12345,
      sentCount: 12000,
      returnedCount: 210,
      startedOn: '2026-07-15',
      unreachableCount: 345,
    };
    const res = await t.gql<{ createNoticeCampaign: { substituteMissing: boolean } }>(CAMPAIGN, { input }, lawyerToken);
    expect(res.errors).toBeUndefined();
    expect(res.data!.createNoticeCampaign.substituteMissing).toBe(true);
    expect(errorCode(await t.gql(CAMPAIGN, { input: { ...input, sentCount: 20000 } }, lawyerToken))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(CAMPAIGN, { input }, memberToken))).toBe('FORBIDDEN');
  });
});

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
