import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, CASE_TIME_ZONE, todayIn } from '@app/common';
import { TestApp } from '../support/test-app';

interface BurnUpPoint {
  day: string;
  total: number;
  implemented: number;
  verified: number;
}

/** A new user sees the real case the moment the server starts. */
/** The parts of the API's answers these tests read (the schema checks the rest). */
interface DemoIncident {
  title: string;
  disclosedOn: string;
  timeline: { kind: string; occurredOn: string }[];
  systems: { name: string; leakSource: boolean }[];
  dataCategories: { name: string; leaked: boolean }[];
  parties: { kind: string; name: string }[];
  taskForce: { isChief: boolean; roleTitle: string; user: { email: string } }[];
}
interface PlanItem {
  key: string;
  title: string;
  category: string;
  status: string;
  requiredForGate: boolean;
  ongoing: boolean;
  owner: { email: string } | null;
  requirements: { title: string }[];
  history: { toStatus: string }[];
}
interface EvidencedItem {
  key: string;
  status: string;
  signOff: { auditorLabel: string; digest: string } | null;
  requirements: {
    evidence: { kind: string; name: string; mediaType: string; reviewDecision: string | null; downloadPath: string | null }[];
  }[];
  history: { toStatus: string; cause: string; reason: string | null }[];
}
interface DemoDashboard {
  asOf: string;
  startsOn: string;
  totals: { total: number; verified: number; open: number; blocked: number };
  byStatus: { status: string; count: number }[];
  burnUp: { day: string; total: number; implemented: number; verified: number }[];
  reviewQueue: { waiting: number; oldestUploadedAt: string | null };
  findings: { bySeverity: { severity: string; open: number }[]; auditStatus: string | null; cleared: boolean };
  blocked: { key: string; blockedSince: string }[];
  gate: { state: string } | null;
  latestActivity: { at: string; summary: string }[];
}

describe('the demo case', () => {
  let t: TestApp;
  let token: string;
  /** Before the server (and so the demo) started: whatever the demo wrote is dated before this. */
  let loadStartedAt: Date;
  beforeAll(async () => {
    loadStartedAt = new Date();
    t = await TestApp.start({ DEMO: 'true', DEMO_PASSWORD: 'demo-password-for-tests' });
    token = await t.login('president@example.com', 'demo-password-for-tests');
  });
  afterAll(async () => t?.close());

  it('holds the incident of the letter: disclosed on July 9, leaked and not-leaked data, the authorities, the task force chaired by the president', async () => {
    const res = await t.gql<{ incidents: { nodes: DemoIncident[] } }>(
      `{ incidents { nodes { title disclosedOn timeline { kind occurredOn } systems { name leakSource } dataCategories { name leaked } parties { kind name } taskForce { isChief roleTitle user { email } } } } }`,
      {},
      token,
    );
    const [incident] = res.data!.incidents.nodes;
    expect(incident!.disclosedOn).toMatch(/-07-09$/);
    expect(incident!.timeline.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining(['DETECTED', 'REPORTED_TO_POLICE', 'REPORTED_TO_REGULATOR', 'PUBLIC_DISCLOSURE']),
    );
    expect(incident!.systems.filter((s: { leakSource: boolean }) => s.leakSource)).toHaveLength(1);
    const leaked = incident!.dataCategories.filter((c: { leaked: boolean }) => c.leaked).map((c: { name: string }) => c.name);
    const notLeaked = incident!.dataCategories.filter((c: { leaked: boolean }) => !c.leaked).map((c: { name: string }) => c.name);
    expect(leaked).toEqual(expect.arrayContaining(['郵便番号', 'ご住所']));
    expect(notLeaked).toEqual(expect.arrayContaining(['クレジットカード番号・有効期限', '金融機関の口座情報', '成績情報']));
    expect(incident!.parties.map((p: { kind: string }) => p.kind)).toEqual(
      expect.arrayContaining(['POLICE', 'REGULATOR', 'AUDIT_FIRM', 'MONITORING_FIRM']),
    );
    const chief = incident!.taskForce.filter((m: { isChief: boolean }) => m.isChief);
    expect(chief).toEqual([{ isChief: true, roleTitle: expect.stringContaining('最高責任者'), user: { email: 'president@example.com' } }]);
  });

  it('holds the letter’s ten promises in order, owned by task-force members, with requirements, some required for the gate', async () => {
    const res = await t.gql<{ countermeasures: { totalCount: number; nodes: PlanItem[] } }>(
      `{ countermeasures(first: 20) { totalCount nodes { key title category status requiredForGate ongoing owner { email } requirements { title } history { toStatus } } } }`,
      {},
      token,
    );
    const { totalCount, nodes } = res.data!.countermeasures;
    expect(totalCount).toBe(10);
    expect(nodes.map((n) => n.key)).toEqual(Array.from({ length: 10 }, (_, i) => `CM-${String(i + 1).padStart(3, '0')}`));
    expect(nodes[0]).toMatchObject({ category: 'DB_SHUTDOWN', title: '当該データベースの稼働停止' });
    expect(nodes.every((n) => n.owner && n.requirements.length > 0 && n.history[0]!.toStatus === 'PLANNED')).toBe(true);
    expect(nodes.filter((n) => n.requiredForGate).length).toBeGreaterThanOrEqual(4);
    expect(nodes.find((n) => n.status === 'BLOCKED')).toBeTruthy();
    expect(nodes.filter((n) => n.ongoing).map((n) => n.key)).toEqual(expect.arrayContaining(['CM-010']));
  });

  it('CM-002 covers the customer databases, each with its own status, and shows its progress', async () => {
    const res = await t.gql<{
      countermeasure: { targets: { status: string; system: { name: string } }[]; progress: { total: number; done: number } };
    }>(`{ countermeasure(key: "CM-002") { targets { status system { name } } progress { total done } } }`, {}, token);
    const cm = res.data!.countermeasure;
    expect(cm.progress).toEqual({ total: 4, done: 2 });
    expect(cm.targets.map((x) => x.system.name)).toContain('受講者管理データベース');
    expect(cm.targets.map((x) => x.system.name)).not.toContain('当該データベース（漏えい元）');
  });

  it('holds evidence: the shutdown signed off, work waiting for review, one rejection sent back', async () => {
    const res = await t.gql<{ countermeasures: { nodes: EvidencedItem[] } }>(
      `{ countermeasures(first: 20) { nodes { key status signOff { auditorLabel digest } requirements { evidence { kind name mediaType reviewDecision downloadPath } } history { toStatus cause reason } } } }`,
      {},
      token,
    );
    const byKey = new Map(res.data!.countermeasures.nodes.map((n) => [n.key, n]));
    const cm1 = byKey.get('CM-001')!;
    expect(cm1.status).toBe('VERIFIED');
    expect(cm1.signOff).toMatchObject({ auditorLabel: 'demo:auditor@example.com', digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const shutdownRecord = cm1.requirements[0]!.evidence[0]!;
    expect(shutdownRecord).toMatchObject({ kind: 'FILE', mediaType: 'text/csv', reviewDecision: 'ACCEPTED' });
    const cm7 = byKey.get('CM-007')!;
    expect(cm7.status).toBe('CHANGES_REQUESTED');
    expect(cm7.history.at(-1)).toMatchObject({ cause: 'AUDITOR_REJECTION', reason: expect.stringContaining('Web広告') });

    const auditorToken = await t.login('auditor@example.com', 'demo-password-for-tests');
    const queue = await t.gql<{ evidenceReviewQueue: { totalCount: number; nodes: { evidence: { name: string } }[] } }>(
      `{ evidenceReviewQueue(first: 10) { totalCount nodes { evidence { name } } } }`,
      {},
      auditorToken,
    );
    expect(queue.data!.evidenceReviewQueue.totalCount).toBe(3);
    expect(queue.data!.evidenceReviewQueue.nodes[0]!.evidence.name).toBe('アクセス権限棚卸し結果_2026-09.csv');

    // The shutdown record's bytes are stored and served, with their hash.
    const download = await fetch(`${t.baseUrl}${shutdownRecord.downloadPath}`, { headers: { authorization: `Bearer ${auditorToken}` } });
    expect(download.status).toBe(200);
    expect(await download.text()).toContain('当該データベースのサービス停止');
  });

  it('holds the audit firm’s engagement in fieldwork with findings, and the promotion gate SUSPENDED with the case’s blockers', async () => {
    const audit = await t.gql<{
      auditEngagements: { nodes: { status: string; firm: string; findings: { key: string; severity: string; status: string }[] }[] };
    }>(`{ auditEngagements(first: 5) { nodes { status firm findings { key severity status } } } }`, {}, token);
    expect(audit.errors).toBeUndefined();
    const [engagement] = audit.data!.auditEngagements.nodes;
    expect(engagement!.status).toBe('FIELDWORK');
    expect(engagement!.findings.map((f: { key: string; severity: string }) => [f.key, f.severity])).toEqual([
      ['F-001', 'HIGH'],
      ['F-002', 'MEDIUM'],
      ['F-003', 'LOW'],
    ]);
    const gate = await t.gql<{ gate: { state: string; blockers: { kind: string; itemKey: string | null; message: string }[] } }>(
      `{ gate(key: "new-customer-promotion") { state blockers { kind itemKey message } } }`,
      {},
      token,
    );
    expect(gate.data!.gate.state).toBe('SUSPENDED');
    const blockers = gate.data!.gate.blockers;
    // CM-001 is signed off; CM-002..004 are not; the audit has not cleared; F-001 (HIGH) is open.
    expect(blockers.map((b) => [b.kind, b.itemKey])).toEqual([
      ['COUNTERMEASURE_NOT_VERIFIED', 'CM-002'],
      ['COUNTERMEASURE_NOT_VERIFIED', 'CM-003'],
      ['COUNTERMEASURE_NOT_VERIFIED', 'CM-004'],
      ['NO_AUDIT_CLEARANCE', null],
      ['OPEN_FINDING', 'F-001'],
    ]);
    expect(blockers[4]!.message).toContain('委託先の共用アカウント');
  });

  it('every step of loading it is in an intact audit trail', async () => {
    const res = await t.gql<{ verifyAuditTrail: { intact: boolean; entriesChecked: number } }>(
      `{ verifyAuditTrail { intact entriesChecked } }`,
      {},
      token,
    );
    expect(res.data!.verifyAuditTrail.intact).toBe(true);
    expect(res.data!.verifyAuditTrail.entriesChecked).toBeGreaterThan(8 + 1 + 10);
  });

  // ---- its history: the story's days, not the day the server started ---------------------------

  const today = () => todayIn(CASE_TIME_ZONE, new Date());
  const dashboard = async (asOf: string | null) => {
    const res = await t.gql<{ dashboard: DemoDashboard }>(
      `query($asOf: LocalDate) { dashboard(asOf: $asOf) {
         asOf startsOn totals { total verified open blocked }
         byStatus { status count }
         burnUp { day total implemented verified }
         reviewQueue { waiting oldestUploadedAt }
         findings { bySeverity { severity open } auditStatus cleared }
         blocked { key blockedSince }
         gate { state }
         latestActivity { at summary } } }`,
      { asOf },
      token,
    );
    expect(res.errors).toBeUndefined();
    return res.data!.dashboard;
  };
  const counts = (byStatus: { status: string; count: number }[]) =>
    Object.fromEntries(byStatus.filter((s) => s.count > 0).map((s) => [s.status, s.count]));

  it('has a burn-up that rises with the story: nothing before the plan, ten measures from July 10, the work done and signed off over the months since', async () => {
    const d = await dashboard(null);
    expect(d.startsOn).toBe('2026-06-22'); // detected on
    const burnUp = d.burnUp as BurnUpPoint[];
    const on = (day: string) => burnUp.find((p) => p.day === day)!;
    expect(burnUp[0]!.day).toBe('2026-06-22');
    expect(burnUp.at(-1)!.day).toBe(today());
    expect(on('2026-07-09')).toMatchObject({ total: 0, implemented: 0, verified: 0 }); // before the tracker was set up
    expect(on('2026-07-10')).toMatchObject({ total: 10, implemented: 1 }); // the plan; CM-007 reported done the same day...
    expect(on('2026-07-20')).toMatchObject({ total: 10, implemented: 0, verified: 0 }); // ...and sent back by the auditor on July 14
    expect(on('2026-08-10')).toMatchObject({ total: 10, implemented: 1, verified: 0 }); // CM-001 done on August 3
    const monthAgo = on(addDays(today(), -30));
    const now = burnUp.at(-1)!;
    expect(now).toMatchObject({ total: 10, implemented: 1, verified: 1 }); // CM-001 signed off during the audit's fieldwork
    expect(monthAgo.verified).toBeLessThan(now.verified);
    expect(monthAgo.implemented).toBeLessThanOrEqual(now.implemented);
    // Never down in total, and each series changes only on days something happened (not all on the day the demo was loaded).
    expect(new Set(burnUp.map((p) => `${p.total}/${p.implemented}/${p.verified}`)).size).toBeGreaterThanOrEqual(4);
  });

  it('shows a past day as it stood then: in August, CM-001 done but not yet signed off, no audit, nothing waiting for review', async () => {
    const d = await dashboard('2026-08-10');
    expect(d.asOf).toBe('2026-08-10');
    expect(counts(d.byStatus)).toEqual({ IN_PROGRESS: 7, BLOCKED: 1, IMPLEMENTED: 1, CHANGES_REQUESTED: 1 });
    expect(d.totals).toMatchObject({ total: 10, verified: 0, blocked: 1 });
    expect(d.blocked).toEqual([{ key: 'CM-008', blockedSince: expect.stringMatching(/^2026-07-17T06:00:00\.\d{3}Z$/) }]); // 15:00 in Tokyo
    expect(d.findings).toMatchObject({ auditStatus: null, cleared: false });
    expect(d.findings.bySeverity.every((s: { open: number }) => s.open === 0)).toBe(true);
    expect(d.reviewQueue).toEqual({ waiting: 0, oldestUploadedAt: null });
    expect(d.gate!.state).toBe('SUSPENDED');
    expect(d.latestActivity.length).toBeGreaterThan(0);
    expect(d.latestActivity.every((a: { at: string }) => new Date(a.at) < new Date('2026-08-10T15:00:00.000Z'))).toBe(true);

    // In October: the audit in fieldwork, the access review waiting since September, no finding yet, still nothing verified.
    const october = await dashboard('2026-10-15');
    expect(october.findings).toMatchObject({ auditStatus: 'FIELDWORK', cleared: false });
    expect(october.findings.bySeverity.every((s: { open: number }) => s.open === 0)).toBe(true);
    expect(october.reviewQueue).toEqual({ waiting: 1, oldestUploadedAt: expect.stringMatching(/^2026-09-07T02:00:00\.\d{3}Z$/) }); // 11:00 in Tokyo
    expect(october.totals.verified).toBe(0);

    // Today: CM-001 signed off, the three findings open, the latest step (the last finding) a few days ago.
    const now = await dashboard(null);
    expect(counts(now.byStatus)).toMatchObject({ VERIFIED: 1, CHANGES_REQUESTED: 1, BLOCKED: 1 });
    expect(now.findings.bySeverity.filter((s: { open: number }) => s.open > 0).map((s: { severity: string }) => s.severity)).toEqual([
      'HIGH',
      'MEDIUM',
      'LOW',
    ]);
    expect(now.latestActivity[0].summary).toContain('F-003');
    const ago = Date.now() - new Date(now.latestActivity[0].at).getTime();
    expect(ago).toBeGreaterThan(86_400_000);
    expect(ago).toBeLessThan(7 * 86_400_000);
  });

  it('dates nothing in the future, and nothing it wrote at the moment it was loaded', async () => {
    const columns = await t.sql<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = 'public' AND data_type = 'timestamp with time zone' ORDER BY 1, 2`,
    );
    expect(columns.length).toBeGreaterThan(20);
    const future: string[] = [];
    const atLoad: string[] = [];
    const now = new Date(Date.now() + 1_000);
    // When a session, a refresh token, a challenge or a sign-in hand-off stops working: in the future by design.
    const ends = /^(auth_sessions|auth_refresh_tokens|webauthn_challenges|sso_sign_in_states|sso_handoffs)\.expires_at$/;
    for (const { table_name: table, column_name: column } of columns) {
      if (ends.test(`${table}.${column}`)) continue;
      // The trail's entries of the signing keys' activation are the server's, at its start (see below); so are
      // the sign-ins' (auth.*: this spec's own, and the policy the server sets after the load).
      const ownRows = table === 'audit_trail' ? `WHERE action <> 'signing_key.activated' AND action NOT LIKE 'auth.%'` : '';
      const [row] = await t.sql<{ future: string; late: string }>(
        `SELECT count(*) FILTER (WHERE "${column}" > $1) AS future, count(*) FILTER (WHERE "${column}" >= $2) AS late FROM "${table}" ${ownRows}`,
        [now, loadStartedAt],
      );
      if (Number(row!.future) > 0) future.push(`${table}.${column}`);
      if (Number(row!.late) > 0) atLoad.push(`${table}.${column}`);
    }
    expect(future).toEqual([]);
    // Written on the wall clock by design: the day's reminders after the demo (and the e-mail state of their
    // rows); the signing keys registered at start; the checkpoints signed over the loaded trail and their
    // copies (a signature is made when it is made: a backdated checkpoint would be a false statement); this spec's
    // own sign-ins (sessions and their refresh tokens, on the wall clock by design) and the second-factor policy
    // the server sets once the demo is loaded (DEMO_MFA off).
    const wallClock = [
      'notifications.',
      'signing_keys.',
      'trail_checkpoints.',
      'trail_checkpoint_copies.',
      'auth_sessions.',
      'auth_refresh_tokens.',
      'second_factor_policy.',
    ];
    expect(atLoad.filter((c) => !wallClock.some((prefix) => c.startsWith(prefix)))).toEqual([]);
    expect(atLoad).toEqual(expect.arrayContaining(['signing_keys.activated_at', 'trail_checkpoints.created_at']));
  });

  it('keeps each item’s history in order: transitions chained in time, reviews after the upload, the sign-off after the reviews, findings in fieldwork, the trail in time order', async () => {
    const broken = await t.sql(
      `SELECT * FROM (
         SELECT countermeasure_id, from_status, to_status, at, lag(to_status) OVER w AS prev_to, lag(at) OVER w AS prev_at
         FROM countermeasure_transitions WINDOW w AS (PARTITION BY countermeasure_id ORDER BY at)) x
       WHERE from_status IS DISTINCT FROM prev_to OR at <= prev_at`,
    );
    expect(broken).toEqual([]);
    // The trail's time order, leaving out the signing keys' activation: the server registers its keys on the
    // wall clock before the demo writes its backdated story, so those entries come first and are the newest.
    const [counts] = await t.sql<{
      transitions: string;
      reviews: string;
      early_reviews: string;
      early_sign_offs: string;
      early_findings: string;
      trail_back: string;
      early_created: string;
    }>(
      `SELECT
         (SELECT count(*) FROM countermeasure_transitions) AS transitions,
         (SELECT count(*) FROM evidence_reviews) AS reviews,
         (SELECT count(*) FROM evidence_reviews r JOIN evidence e ON e.id = r.evidence_id WHERE r.at <= e.uploaded_at) AS early_reviews,
         (SELECT count(*) FROM countermeasure_sign_offs s JOIN evidence e ON e.countermeasure_id = s.countermeasure_id
            JOIN evidence_reviews r ON r.evidence_id = e.id WHERE s.signed_at <= r.at) AS early_sign_offs,
         (SELECT count(*) FROM audit_findings f JOIN audit_engagement_transitions tr ON tr.engagement_id = f.engagement_id AND tr.to_status = 'FIELDWORK'
            WHERE f.raised_at <= tr.at) AS early_findings,
         (SELECT count(*) FROM (SELECT occurred_at, lag(occurred_at) OVER (ORDER BY seq) AS prev FROM audit_trail
            WHERE action <> 'signing_key.activated') a WHERE a.occurred_at < a.prev) AS trail_back,
         (SELECT count(*) FROM countermeasures c JOIN countermeasure_transitions t ON t.countermeasure_id = c.id AND t.from_status IS NULL WHERE c.created_at > t.at) AS early_created`,
    );
    expect(counts).toMatchObject({
      reviews: '3',
      early_reviews: '0',
      early_sign_offs: '0',
      early_findings: '0',
      trail_back: '0',
      early_created: '0',
    });
    expect(Number(counts!.transitions)).toBeGreaterThan(20);
    // The incident was recorded the day after the disclosure, not when the server started.
    const [incident] = await t.sql<{ created_on: string }>(
      `SELECT (created_at AT TIME ZONE 'Asia/Tokyo')::date::text AS created_on FROM incidents`,
    );
    expect(incident!.created_on).toBe('2026-07-10');
  });

  it('holds the duties to the outside: the PPC reports (preliminary on time, final before its 60-day limit), the letters by post, two public statements, the hotline’s summer', async () => {
    const [{ id: incidentId }] = await t.sql<{ id: string }>(`SELECT id FROM incidents`);
    const res = await t.gql<{
      breachNotification: {
        knowledgeDay: string;
        mandatory: boolean;
        cases: { no: number; derived: boolean }[];
        individualsConfirmed: number | null;
        authorityName: string;
        deadlines: { kind: string; dueOn: string; state: string; lateDays: number }[];
        filings: {
          kind: string;
          status: string;
          lateDays: number;
          itemsSha256: string;
          items: { secondaryHarm: string; responseToIndividuals: string; publication: string };
        }[];
        noticeCampaigns: { channel: string; sentCount: number; returnedCount: number; substituteMissing: boolean }[];
      };
    }>(
      `query($id: ID!) { breachNotification(incidentId: $id) { knowledgeDay mandatory cases { no derived } individualsConfirmed authorityName
        deadlines { kind dueOn state lateDays } filings { kind status lateDays itemsSha256 items { secondaryHarm responseToIndividuals publication } }
        noticeCampaigns { channel sentCount returnedCount substituteMissing } } }`,
      { id: incidentId },
      await t.login('legal.lead@example.com', 'demo-password-for-tests'),
    );
    expect(res.errors).toBeUndefined();
    const r = res.data!.breachNotification;
    expect(r.knowledgeDay).toBe('2026-07-03');
    expect(r.mandatory).toBe(true);
    expect(r.cases).toEqual([
      { no: 3, derived: false },
      { no: 4, derived: true },
    ]);
    expect(r.authorityName).toContain('経済産業大臣');
    expect(r.deadlines).toEqual([
      { kind: 'PRELIMINARY', dueOn: '2026-07-07', state: 'SUBMITTED', lateDays: 0 },
      { kind: 'FINAL', dueOn: '2026-08-31', state: 'SUBMITTED', lateDays: 0 },
    ]);
    expect(r.filings.map((f) => [f.kind, f.status, f.lateDays])).toEqual([
      ['PRELIMINARY', 'SUBMITTED', 0],
      ['FINAL', 'SUBMITTED', 0],
    ]);
    const final = r.filings[1]!;
    expect(final.itemsSha256).toMatch(/^[0-9a-f]{64}$/);
    // The final report was written from what the tracker held on 27 August: the hotline, the letters, the statements.
    expect(final.items.secondaryHarm).toContain('当社を装った');
    expect(final.items.responseToIndividuals).toContain('郵送');
    expect(final.items.publication).toContain('2026年7月9日');
    expect(r.noticeCampaigns).toEqual([{ channel: 'POST', sentCount: 287_412, returnedCount: 3_208, substituteMissing: false }]);

    const statements = await t.gql<{ progressStatements: { totalCount: number; nodes: { number: number }[] } }>(
      `query($id: ID!) { progressStatements(incidentId: $id) { totalCount nodes { number } } }`,
      { id: incidentId },
      token,
    );
    expect(statements.data!.progressStatements.totalCount).toBe(2);
    const page = await fetch(`${t.baseUrl}/progress`, { headers: { 'accept-language': 'ja' } });
    expect(await page.text()).toContain('調査の進捗と再発防止策の実施状況について（第2報）');

    const hotline = await t.gql<{ hotlineSummary: { from: string; to: string; total: number } }>(
      `query($id: ID!) { hotlineSummary(incidentId: $id) { from to total } }`,
      { id: incidentId },
      token,
    );
    expect(hotline.data!.hotlineSummary).toMatchObject({ from: '2026-07-09', to: '2026-08-31' });
    expect(hotline.data!.hotlineSummary.total).toBeGreaterThan(10_000);
  });

  it('gives its people an inbox: the day’s reminders ran once the demo was in (overdue work to owners and the chief, evidence waiting to the auditors)', async () => {
    const inbox = async (email: string) => {
      const res = await t.gql<{
        notifications: { totalCount: number; nodes: { kind: string; countermeasureKey: string | null; read: boolean }[] };
      }>(
        `{ notifications(first: 50) { totalCount nodes { kind countermeasureKey read } } }`,
        {},
        await t.login(email, 'demo-password-for-tests'),
      );
      expect(res.errors).toBeUndefined();
      return res.data!.notifications;
    };
    const security = await inbox('security.lead@example.com');
    expect(security.nodes).toEqual(expect.arrayContaining([{ kind: 'OVERDUE', countermeasureKey: 'CM-002', read: false }]));
    const president = await inbox('president@example.com');
    expect(president.nodes.filter((n) => n.kind === 'OVERDUE').map((n) => n.countermeasureKey)).toEqual(
      expect.arrayContaining(['CM-002', 'CM-004', 'CM-008']),
    );
    const auditor = await inbox('auditor@example.com');
    const waiting = auditor.nodes.filter((n) => n.kind === 'REVIEW_WAITING').map((n) => n.countermeasureKey);
    expect(waiting.sort()).toEqual(['CM-002', 'CM-002', 'CM-010']);
  });
});
