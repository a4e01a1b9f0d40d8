import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApp } from '../support/test-app';

/** A new user sees the real case the moment the server starts. */
describe('the demo case', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await TestApp.start({ DEMO: 'true', DEMO_PASSWORD: 'demo-password-for-tests' });
    token = await t.login('president@example.com', 'demo-password-for-tests');
  });
  afterAll(async () => t?.close());

  it('holds the incident of the letter: disclosed on July 9, leaked and not-leaked data, the authorities, the task force chaired by the president', async () => {
    const res = await t.gql<{ incidents: { nodes: any[] } }>(
      `{ incidents { nodes { title disclosedOn timeline { kind occurredOn } systems { name leakSource } dataCategories { name leaked } parties { kind name } taskForce { isChief roleTitle user { email } } } } }`,
      {},
      token,
    );
    const [incident] = res.data!.incidents.nodes;
    expect(incident.disclosedOn).toMatch(/-07-09$/);
    expect(incident.timeline.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['DETECTED', 'REPORTED_TO_POLICE', 'REPORTED_TO_REGULATOR', 'PUBLIC_DISCLOSURE']));
    expect(incident.systems.filter((s: { leakSource: boolean }) => s.leakSource)).toHaveLength(1);
    const leaked = incident.dataCategories.filter((c: { leaked: boolean }) => c.leaked).map((c: { name: string }) => c.name);
    const notLeaked = incident.dataCategories.filter((c: { leaked: boolean }) => !c.leaked).map((c: { name: string }) => c.name);
    expect(leaked).toEqual(expect.arrayContaining(['郵便番号', 'ご住所']));
    expect(notLeaked).toEqual(expect.arrayContaining(['クレジットカード番号・有効期限', '金融機関の口座情報', '成績情報']));
    expect(incident.parties.map((p: { kind: string }) => p.kind)).toEqual(expect.arrayContaining(['POLICE', 'REGULATOR', 'AUDIT_FIRM', 'MONITORING_FIRM']));
    const chief = incident.taskForce.filter((m: { isChief: boolean }) => m.isChief);
    expect(chief).toEqual([{ isChief: true, roleTitle: expect.stringContaining('最高責任者'), user: { email: 'president@example.com' } }]);
  });

  it('holds the letter’s ten promises in order, owned by task-force members, with requirements, some required for the gate', async () => {
    const res = await t.gql<{ countermeasures: { totalCount: number; nodes: any[] } }>(
      `{ countermeasures(first: 20) { totalCount nodes { key title category status requiredForGate ongoing owner { email } requirements { title } history { toStatus } } } }`,
      {},
      token,
    );
    const { totalCount, nodes } = res.data!.countermeasures;
    expect(totalCount).toBe(10);
    expect(nodes.map((n) => n.key)).toEqual(Array.from({ length: 10 }, (_, i) => `CM-${String(i + 1).padStart(3, '0')}`));
    expect(nodes[0]).toMatchObject({ category: 'DB_SHUTDOWN', title: '当該データベースの稼働停止' });
    expect(nodes.every((n) => n.owner && n.requirements.length > 0 && n.history[0].toStatus === 'PLANNED')).toBe(true);
    expect(nodes.filter((n) => n.requiredForGate).length).toBeGreaterThanOrEqual(4);
    expect(nodes.find((n) => n.status === 'BLOCKED')).toBeTruthy();
    expect(nodes.filter((n) => n.ongoing).map((n) => n.key)).toEqual(expect.arrayContaining(['CM-010']));
  });

  it('CM-002 covers the customer databases, each with its own status, and shows its progress', async () => {
    const res = await t.gql<{ countermeasure: { targets: { status: string; system: { name: string } }[]; progress: { total: number; done: number } } }>(
      `{ countermeasure(key: "CM-002") { targets { status system { name } } progress { total done } } }`,
      {},
      token,
    );
    const cm = res.data!.countermeasure;
    expect(cm.progress).toEqual({ total: 4, done: 2 });
    expect(cm.targets.map((x) => x.system.name)).toContain('受講者管理データベース');
    expect(cm.targets.map((x) => x.system.name)).not.toContain('当該データベース（漏えい元）');
  });

  it('holds evidence: the shutdown signed off, work waiting for review, one rejection sent back', async () => {
    const res = await t.gql<{ countermeasures: { nodes: any[] } }>(
      `{ countermeasures(first: 20) { nodes { key status signOff { auditorLabel digest } requirements { evidence { kind name mediaType reviewDecision downloadPath } } history { toStatus cause reason } } } }`,
      {},
      token,
    );
    const byKey = new Map(res.data!.countermeasures.nodes.map((n) => [n.key, n]));
    const cm1 = byKey.get('CM-001');
    expect(cm1.status).toBe('VERIFIED');
    expect(cm1.signOff).toMatchObject({ auditorLabel: 'demo:auditor@example.com', digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const shutdownRecord = cm1.requirements[0].evidence[0];
    expect(shutdownRecord).toMatchObject({ kind: 'FILE', mediaType: 'text/csv', reviewDecision: 'ACCEPTED' });
    const cm7 = byKey.get('CM-007');
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
    const audit = await t.gql<{ auditEngagements: { nodes: any[] } }>(`{ auditEngagements(first: 5) { nodes { status firm findings { key severity status } } } }`, {}, token);
    expect(audit.errors).toBeUndefined();
    const [engagement] = audit.data!.auditEngagements.nodes;
    expect(engagement.status).toBe('FIELDWORK');
    expect(engagement.findings.map((f: { key: string; severity: string }) => [f.key, f.severity])).toEqual([
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
    const res = await t.gql<{ verifyAuditTrail: { intact: boolean; entriesChecked: number } }>(`{ verifyAuditTrail { intact entriesChecked } }`, {}, token);
    expect(res.data!.verifyAuditTrail.intact).toBe(true);
    expect(res.data!.verifyAuditTrail.entriesChecked).toBeGreaterThan(8 + 1 + 10);
  });
});
