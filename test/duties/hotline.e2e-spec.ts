import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor, addDays, CASE_TIME_ZONE, todayIn } from '@app/common';
import { HotlineService } from '@app/duties';
import { TaskForceMemberEntity } from '@app/incidents';
import { makeIncident } from '../support/remediation-factory';
import { errorCode, TestApp } from '../support/test-app';

/**
 * The hotline (issue 15, promises 5, 8, 10) over real GraphQL and PostgreSQL: a day's counts recorded and corrected
 * with its version (a stale one refused, nothing written), the rules on days and ranges, who may log and who may read
 * the notable cases, and the figures the PPC draft's item 5 is written from.
 */
const RECORD = `mutation($input: RecordHotlineContactsInput!) {
  recordHotlineContacts(input: $input) { incidentId day counts { kind count } total version updatedByLabel }
}`;
const ADD_CASE = `mutation($input: AddHotlineCaseInput!) {
  addHotlineCase(input: $input) { id occurredOn kind summary recordedByLabel }
}`;
const CONTACTS = `query($incidentId: ID!, $from: LocalDate!, $to: LocalDate!) {
  hotlineContacts(incidentId: $incidentId, from: $from, to: $to) { day counts { kind count } total version }
}`;
const SUMMARY = `query($incidentId: ID!) {
  hotlineSummary(incidentId: $incidentId) { from to total byKind { kind count } daysRecorded notableCaseCount }
}`;
const CASES = `query($incidentId: ID!, $first: Int, $after: String) {
  hotlineCases(incidentId: $incidentId, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { occurredOn kind summary recordedByLabel }
  }
}`;

type Day = { day: string; counts: { kind: string; count: number }[]; total: number; version: number; updatedByLabel?: string };

describe('the hotline', () => {
  let t: TestApp;
  let incidentId: string;
  let otherIncidentId: string;
  let member: { token: string; email: string };
  let executive: string;
  let auditor: string;
  let admin: string;
  let outsider: string;
  let tfChief: string;
  const today = () => todayIn(CASE_TIME_ZONE, new Date());

  beforeAll(async () => {
    t = await TestApp.start();
    const ctx = await makeIncident(t, '顧客情報漏えい事案');
    incidentId = ctx.incident.id;
    const m = await ctx.addMember(['TASK_FORCE'], 'お客様相談窓口');
    member = { token: await m.token(), email: m.user.email };
    executive = await (await t.createUser(['EXECUTIVE'])).token();
    auditor = await (await t.createUser(['AUDITOR'])).token();
    admin = await (await t.createUser(['ADMIN'])).token();
    // A task-force member of another incident only: no standing here.
    const other = await makeIncident(t, '別の事案');
    otherIncidentId = other.incident.id;
    outsider = await (await other.addMember()).token();
    // Another incident whose chief holds TASK_FORCE (not an executive).
    const third = await makeIncident(t, '第三の事案');
    const chief = await t.createUser(['TASK_FORCE']);
    await third.ds.getRepository(TaskForceMemberEntity).update({ incidentId: third.incident.id, isChief: true }, { leftOn: '2026-07-11' });
    await third.ds
      .getRepository(TaskForceMemberEntity)
      .insert({ incidentId: third.incident.id, userId: chief.user.id, roleTitle: '最高責任者', isChief: true, joinedOn: '2026-07-11' });
    tfChief = await chief.token();
    thirdIncidentId = third.incident.id;
  }, 60_000);
  let thirdIncidentId: string;
  /** The day the rules' test recorded as today (read once: a run across midnight in Tokyo stays consistent). */
  let recordedToday: string;

  afterAll(async () => t?.close());

  const record = (token: string, input: Record<string, unknown>) => t.gql<{ recordHotlineContacts: Day }>(RECORD, { input }, token);
  const rowsOf = (day: string, id = incidentId) =>
    t.sql<{ kind: string; count: number; version: number }>(
      `SELECT kind, count, version FROM hotline_daily_counts WHERE incident_id = $1 AND day = $2 ORDER BY kind`,
      [id, day],
    );

  it('records a new day at version 1 (kinds left out are 0), corrects it with its version, and keeps both in the trail', async () => {
    const day = '2026-07-09';
    const first = await record(member.token, {
      incidentId,
      day,
      counts: [
        { kind: 'BREACH_QUESTION', count: 1480 },
        { kind: 'IMPERSONATION_REPORT', count: 12 },
      ],
      expectedVersion: null,
    });
    expect(first.errors).toBeUndefined();
    expect(first.data!.recordHotlineContacts).toEqual({
      incidentId,
      day,
      counts: [
        { kind: 'BREACH_QUESTION', count: 1480 },
        { kind: 'IMPERSONATION_REPORT', count: 12 },
        { kind: 'STOP_CONTACT_REQUEST', count: 0 },
        { kind: 'OTHER', count: 0 },
      ],
      total: 1492,
      version: 1,
      updatedByLabel: member.email,
    });

    const second = await record(member.token, {
      incidentId,
      day,
      counts: [
        { kind: 'STOP_CONTACT_REQUEST', count: 31 },
        { kind: 'IMPERSONATION_REPORT', count: 14 },
      ],
      expectedVersion: 1,
    });
    expect(second.errors).toBeUndefined();
    expect(second.data!.recordHotlineContacts.counts.map((c) => c.count)).toEqual([1480, 14, 31, 0]);
    expect(second.data!.recordHotlineContacts).toMatchObject({ total: 1525, version: 2 });

    const entries = await t.sql<{ action: string; before: unknown; after: unknown; actor_label: string }>(
      `SELECT action, before, after, actor_label FROM audit_trail WHERE entity_type = 'HotlineDay' AND entity_id = $1 ORDER BY seq`,
      [`${incidentId}/${day}`],
    );
    expect(entries.map((e) => e.action)).toEqual(['hotline.day_recorded', 'hotline.day_corrected']);
    expect(entries[0]!.before).toBeNull();
    expect(entries[1]).toMatchObject({
      actor_label: member.email,
      before: { day, version: 1, counts: { BREACH_QUESTION: 1480, IMPERSONATION_REPORT: 12, STOP_CONTACT_REQUEST: 0, OTHER: 0 } },
      after: { day, version: 2, counts: { BREACH_QUESTION: 1480, IMPERSONATION_REPORT: 14, STOP_CONTACT_REQUEST: 31, OTHER: 0 } },
    });
  });

  it('refuses a stale version with CONFLICT and the current version, and writes nothing', async () => {
    const day = '2026-07-10';
    expect(
      (await record(executive, { incidentId, day, counts: [{ kind: 'OTHER', count: 3 }], expectedVersion: null })).errors,
    ).toBeUndefined();
    expect(
      (await record(member.token, { incidentId, day, counts: [{ kind: 'OTHER', count: 4 }], expectedVersion: 1 })).errors,
    ).toBeUndefined();
    const before = await rowsOf(day);
    const trailBefore = await t.sql(`SELECT count(*)::int AS n FROM audit_trail`);

    const stale = await record(executive, { incidentId, day, counts: [{ kind: 'OTHER', count: 99 }], expectedVersion: 1 });
    expect(errorCode(stale)).toBe('CONFLICT');
    expect(stale.errors![0]!.extensions).toMatchObject({ reason: 'STALE_VERSION', expectedVersion: 1, currentVersion: 2 });
    // A "new day" for a day already recorded is stale too; a version for a day never recorded as well.
    const asNew = await record(executive, { incidentId, day, counts: [{ kind: 'OTHER', count: 99 }], expectedVersion: null });
    expect(asNew.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', expectedVersion: null, currentVersion: 2 });
    const never = await record(executive, { incidentId, day: '2026-07-11', counts: [{ kind: 'OTHER', count: 1 }], expectedVersion: 1 });
    expect(never.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', expectedVersion: 1, currentVersion: null });

    expect(await rowsOf(day)).toEqual(before);
    expect(before.map((r) => r.version)).toEqual([2, 2, 2, 2]);
    expect(await rowsOf('2026-07-11')).toEqual([]);
    expect(await t.sql(`SELECT count(*)::int AS n FROM audit_trail`)).toEqual(trailBefore);
  });

  it('lets only one of two simultaneous first recordings of a day through: the other is CONFLICT, one set of rows, one entry', async () => {
    const day = '2026-07-05';
    const both = await Promise.all(
      // On another incident (its own member logs), so that the figures below stay those of the first incident.
      [11, 22].map((count) =>
        record(outsider, { incidentId: otherIncidentId, day, counts: [{ kind: 'BREACH_QUESTION', count }], expectedVersion: null }),
      ),
    );
    expect(both.map((r) => (r.errors ? errorCode(r) : 'ok')).sort()).toEqual(['CONFLICT', 'ok']);
    const winner = both.find((r) => !r.errors)!.data!.recordHotlineContacts;
    expect((await rowsOf(day, otherIncidentId)).map((r) => [r.version, r.kind === 'BREACH_QUESTION' ? r.count : 0])).toEqual(
      [1, 1, 1, 1].map((v, i) => [v, i === 0 ? winner.counts[0]!.count : 0]),
    );
    expect(await t.sql(`SELECT 1 FROM audit_trail WHERE entity_id = $1`, [`${otherIncidentId}/${day}`])).toHaveLength(1);
  });

  it('refuses a day after today in Tokyo, a count out of range and a kind given twice (BAD_USER_INPUT), and takes today', async () => {
    const tomorrow = addDays(today(), 1);
    const future = await record(member.token, { incidentId, day: tomorrow, counts: [{ kind: 'OTHER', count: 1 }], expectedVersion: null });
    expect(errorCode(future)).toBe('BAD_USER_INPUT');
    expect(future.errors![0]!.extensions).toMatchObject({ field: 'day' });
    const twice = await record(member.token, {
      incidentId,
      day: today(),
      counts: [
        { kind: 'OTHER', count: 1 },
        { kind: 'OTHER', count: 2 },
      ],
      expectedVersion: null,
    });
    expect(errorCode(twice)).toBe('BAD_USER_INPUT');
    const tooMany = await record(member.token, {
      incidentId,
      day: today(),
      counts: [{ kind: 'OTHER', count: 100_001 }],
      expectedVersion: null,
    });
    expect(errorCode(tooMany)).toBe('BAD_USER_INPUT');
    expect(await t.sql(`SELECT 1 FROM hotline_daily_counts WHERE day > $1::date - 1 AND incident_id = $2`, [today(), incidentId])).toEqual(
      [],
    );
    recordedToday = today();
    const ok = await record(member.token, { incidentId, day: recordedToday, counts: [{ kind: 'OTHER', count: 0 }], expectedVersion: null });
    expect(ok.errors).toBeUndefined();
    const caseTomorrow = await t.gql(
      ADD_CASE,
      { input: { incidentId, occurredOn: tomorrow, kind: 'OTHER', summary: '翌日の件' } },
      member.token,
    );
    expect(errorCode(caseTomorrow)).toBe('BAD_USER_INPUT');
  });

  it('lists the recorded days of a range (days without figures absent), and refuses a range over 366 days', async () => {
    const res = await t.gql<{ hotlineContacts: Day[] }>(CONTACTS, { incidentId, from: '2026-07-01', to: '2026-07-31' }, auditor);
    expect(res.errors).toBeUndefined();
    expect(res.data!.hotlineContacts.map((d) => [d.day, d.total, d.version])).toEqual([
      ['2026-07-09', 1525, 2],
      ['2026-07-10', 4, 2],
    ]);
    const year = await t.gql(CONTACTS, { incidentId, from: '2026-07-01', to: '2027-07-01' }, auditor);
    expect(year.errors).toBeUndefined();
    const tooLong = await t.gql(CONTACTS, { incidentId, from: '2026-07-01', to: '2027-07-02' }, auditor);
    expect(errorCode(tooLong)).toBe('BAD_USER_INPUT');
    const reversed = await t.gql(CONTACTS, { incidentId, from: '2026-07-31', to: '2026-07-01' }, auditor);
    expect(errorCode(reversed)).toBe('BAD_USER_INPUT');
  });

  it('keeps notable cases in Japanese as written, out of the trail’s text, newest first in pages', async () => {
    const summaries = [
      [
        '2026-07-08',
        'IMPERSONATION_REPORT',
        '弊社を名乗り「補償金の振込手続き」を求める電話があったとの報告。折り返し先は弊社の番号ではない。',
      ],
      ['2026-07-10', 'STOP_CONTACT_REQUEST', '保護者より、今後一切のダイレクトメール送付停止の依頼。'],
      ['2026-07-09', 'BREACH_QUESTION', '子どもの生年月日が漏えい項目に含まれるかの確認。含まれる旨を案内。'],
    ] as const;
    for (const [occurredOn, kind, summary] of summaries) {
      const res = await t.gql<{ addHotlineCase: { summary: string; recordedByLabel: string } }>(
        ADD_CASE,
        { input: { incidentId, occurredOn, kind, summary: `  ${summary}\n` } },
        member.token,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.addHotlineCase).toMatchObject({ summary, recordedByLabel: member.email });
    }
    const tooLong = await t.gql(
      ADD_CASE,
      { input: { incidentId, occurredOn: '2026-07-09', kind: 'OTHER', summary: '長'.repeat(501) } },
      member.token,
    );
    expect(errorCode(tooLong)).toBe('BAD_USER_INPUT');

    const first = await t.gql<{
      hotlineCases: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string };
        nodes: { occurredOn: string; summary: string }[];
      };
    }>(CASES, { incidentId, first: 2 }, auditor);
    expect(first.errors).toBeUndefined();
    expect(first.data!.hotlineCases.totalCount).toBe(3);
    expect(first.data!.hotlineCases.nodes.map((n) => n.occurredOn)).toEqual(['2026-07-10', '2026-07-09']);
    const rest = await t.gql<{ hotlineCases: { pageInfo: { hasNextPage: boolean }; nodes: { summary: string }[] } }>(
      CASES,
      { incidentId, first: 2, after: first.data!.hotlineCases.pageInfo.endCursor },
      auditor,
    );
    expect(rest.data!.hotlineCases.nodes.map((n) => n.summary)).toEqual([summaries[0][2]]);
    expect(rest.data!.hotlineCases.pageInfo.hasNextPage).toBe(false);

    const entries = await t.sql<{ after: Record<string, unknown> }>(
      `SELECT after FROM audit_trail WHERE action = 'hotline.case_added' ORDER BY seq`,
    );
    expect(entries).toHaveLength(3);
    expect(JSON.stringify(entries)).not.toContain('補償金');
    expect(entries[0]!.after).toMatchObject({ incidentId, kind: 'IMPERSONATION_REPORT', summaryLength: [...summaries[0][2]].length });
  });

  it('lets those with standing log and read cases, and refuses the others', async () => {
    const input = (id = incidentId) => ({
      incidentId: id,
      day: '2026-07-12',
      counts: [{ kind: 'OTHER', count: 1 }],
      expectedVersion: null,
    });
    const caseInput = { incidentId, occurredOn: '2026-07-12', kind: 'OTHER', summary: '確認' };
    // Recording: auditors and admins lack HOTLINE_LOG; a task-force member of another incident has no standing here.
    expect(errorCode(await record(auditor, input()))).toBe('FORBIDDEN');
    expect(errorCode(await record(admin, input()))).toBe('FORBIDDEN');
    expect(errorCode(await record(outsider, input()))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(ADD_CASE, { input: caseInput }, auditor))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(ADD_CASE, { input: caseInput }, outsider))).toBe('FORBIDDEN');
    expect(await rowsOf('2026-07-12')).toEqual([]);
    // …but logs for their own incident.
    expect((await record(outsider, input(otherIncidentId))).errors).toBeUndefined();

    // Reading the cases: executives, auditors, the logging member; not the outsider, nor an admin (no DUTIES_READ).
    const cases = (token: string, id = incidentId) => t.gql<{ hotlineCases: { totalCount: number } }>(CASES, { incidentId: id }, token);
    for (const token of [executive, auditor, member.token]) expect((await cases(token)).data?.hotlineCases.totalCount).toBe(3);
    const refused = await cases(outsider);
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect(refused.data?.hotlineCases ?? null).toBeNull();
    expect(errorCode(await cases(admin))).toBe('FORBIDDEN');
    // A TASK_FORCE chief reads their incident's cases (none yet), and not another's.
    expect((await cases(tfChief, thirdIncidentId)).data?.hotlineCases.totalCount).toBe(0);
    expect(errorCode(await cases(tfChief))).toBe('FORBIDDEN');

    // The aggregates are for every role that reads the plan.
    for (const token of [outsider, admin, auditor, tfChief]) {
      const res = await t.gql<{ hotlineSummary: { total: number } }>(SUMMARY, { incidentId }, token);
      expect(res.errors).toBeUndefined();
      expect(res.data!.hotlineSummary.total).toBe(1529);
      expect((await t.gql(CONTACTS, { incidentId, from: '2026-07-01', to: '2026-07-31' }, token)).errors).toBeUndefined();
    }
  });

  it('sums every recorded day by kind (all four, zero included), and gives the PPC draft its figures with the latest cases', async () => {
    const summary = await t.gql<{ hotlineSummary: Record<string, unknown> }>(SUMMARY, { incidentId }, executive);
    expect(summary.data!.hotlineSummary).toEqual({
      from: '2026-07-09',
      to: recordedToday,
      total: 1529,
      byKind: [
        { kind: 'BREACH_QUESTION', count: 1480 },
        { kind: 'IMPERSONATION_REPORT', count: 14 },
        { kind: 'STOP_CONTACT_REQUEST', count: 31 },
        { kind: 'OTHER', count: 4 },
      ],
      daysRecorded: 3,
      notableCaseCount: 3,
    });

    const figures = await t.app.get(HotlineService).figuresFor(incidentId);
    expect(figures).toMatchObject({ from: '2026-07-09', to: recordedToday, total: 1529 });
    expect(figures.byKind.map((k) => k.count)).toEqual([1480, 14, 31, 4]);
    expect(figures.notableCases.map((c) => [c.occurredOn, c.kind])).toEqual([
      ['2026-07-10', 'STOP_CONTACT_REQUEST'],
      ['2026-07-09', 'BREACH_QUESTION'],
      ['2026-07-08', 'IMPERSONATION_REPORT'],
    ]);
    expect(figures.notableCases[0]!.summary).toBe('保護者より、今後一切のダイレクトメール送付停止の依頼。');

    // An incident with nothing recorded: no span, four zeros, no cases.
    expect(await t.app.get(HotlineService).figuresFor(thirdIncidentId)).toEqual({
      from: null,
      to: null,
      total: 0,
      byKind: [
        { kind: 'BREACH_QUESTION', count: 0 },
        { kind: 'IMPERSONATION_REPORT', count: 0 },
        { kind: 'STOP_CONTACT_REQUEST', count: 0 },
        { kind: 'OTHER', count: 0 },
      ],
      notableCases: [],
    });
  });

  it('is usable without GraphQL: the system actor records and adds a case through the service (the demo loader’s way)', async () => {
    const service = t.app.get(HotlineService);
    const system = Actor.system('demo');
    const day = await service.record(system, {
      incidentId: thirdIncidentId,
      day: '2026-07-20',
      counts: [{ kind: 'BREACH_QUESTION', count: 250 }],
      expectedVersion: null,
    });
    expect(day).toMatchObject({ day: '2026-07-20', total: 250, version: 1, updatedByLabel: 'system:demo' });
    const added = await service.addCase(system, {
      incidentId: thirdIncidentId,
      occurredOn: '2026-07-20',
      kind: 'IMPERSONATION_REPORT',
      summary: '弊社名義の不審なはがきが届いたとの連絡。',
    });
    expect(added).toMatchObject({ recordedById: null, recordedByLabel: 'system:demo' });
    expect((await service.figuresFor(thirdIncidentId)).total).toBe(250);
  });
  it('keeps notable cases as they were written: the database refuses editing or deleting one', async () => {
    const rows = await t.sql<{ id: string; summary: string }>(`SELECT id, summary FROM hotline_cases LIMIT 1`);
    expect(rows).toHaveLength(1);
    await expect(t.sql(`UPDATE hotline_cases SET summary = '書き換え' WHERE id = $1`, [rows[0]!.id])).rejects.toThrow(/append-only/);
    await expect(t.sql(`DELETE FROM hotline_cases WHERE id = $1`, [rows[0]!.id])).rejects.toThrow(/append-only/);
    expect(await t.sql(`SELECT summary FROM hotline_cases WHERE id = $1`, [rows[0]!.id])).toEqual([{ summary: rows[0]!.summary }]);
  });
});
