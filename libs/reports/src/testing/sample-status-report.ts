import { STATUS_REPORT_VERSION, type ReportCountermeasure, type StatusReport } from '../domain/status-report';

/** Test data (not exported by the lib): a status report as `build` would return it. */
export function sampleCountermeasure(n: number, overrides: Partial<ReportCountermeasure> = {}): ReportCountermeasure {
  return {
    key: `CM-${String(n).padStart(3, '0')}`,
    title: `対策 ${n}`,
    category: 'ACCESS_RESTRICTION',
    ownerName: '田中 花子',
    status: 'IN_PROGRESS',
    dueDate: '2026-09-30',
    overdue: false,
    requiredForGate: n % 2 === 0,
    ongoing: false,
    requirements: 3,
    requirementsWithLiveEvidence: 2,
    requirementsWithAcceptedEvidence: 1,
    requirementsRiskAccepted: 0,
    signOff: null,
    ...overrides,
  };
}

export function sampleStatusReport(overrides: Partial<StatusReport> = {}): StatusReport {
  const countermeasures = overrides.countermeasures ?? [
    sampleCountermeasure(1, {
      title: '当該データベースの稼働停止',
      category: 'DB_SHUTDOWN',
      status: 'VERIFIED',
      signOff: { digest: 'a'.repeat(64), signedAt: '2026-07-20T01:02:03.004Z', auditor: 'auditor@example.com' },
    }),
    sampleCountermeasure(2, {
      title:
        '顧客情報を保有する全データベースにおけるアクセス監視の強化および外部への持ち出し制限の強化（アクセス権限の絞り込み、運用の厳格化、外部専門機関による常時監視）',
      overdue: true,
      dueDate: '2026-07-31',
    }),
    sampleCountermeasure(3, { title: '=HYPERLINK("http://evil.example/","click")', ownerName: '@admin' }),
  ];
  return {
    version: STATUS_REPORT_VERSION,
    generatedAt: '2026-08-03T05:04:05.678Z',
    generatedAtLocal: '2026-08-03T14:04:05+09:00',
    timeZone: 'Asia/Tokyo',
    asOfDay: '2026-08-03',
    generatedBy: { name: '佐藤 一郎', email: 'president@example.com' },
    incident: {
      id: '11111111-2222-4333-8444-555555555555',
      title: '通信教育事業における顧客情報の漏えい',
      summary: '顧客データベースから個人情報が持ち出され、名簿業者に渡った。',
      detectedOn: '2026-06-27',
      policeReportedOn: '2026-07-01',
      regulatorReportedOn: '2026-07-01',
      disclosedOn: '2026-07-09',
      leakedData: ['郵便番号', 'お名前', 'ご住所'],
      notLeakedData: ['クレジットカード番号・有効期限', '成績情報'],
    },
    totals: {
      countermeasures: countermeasures.length,
      byStatus: [
        { status: 'IN_PROGRESS', count: countermeasures.length - 1 },
        { status: 'VERIFIED', count: 1 },
      ],
      overdue: countermeasures.filter((c) => c.overdue).length,
      requiredForGate: countermeasures.filter((c) => c.requiredForGate).length,
      requiredForGateVerified: 0,
    },
    countermeasures,
    audit: {
      engagements: [
        {
          title: '情報システム運用プロセス監査',
          firm: '株式会社セキュリティ監査',
          status: 'FIELDWORK',
          leadAuditor: '鈴木 監査',
          startsOn: '2026-07-15',
          endsOn: null,
          clearance: null,
        },
      ],
      cleared: false,
      unresolvedFindingsBySeverity: [
        { severity: 'CRITICAL', open: 0, acceptedRisk: 0 },
        { severity: 'HIGH', open: 1, acceptedRisk: 0 },
        { severity: 'MEDIUM', open: 0, acceptedRisk: 1 },
        { severity: 'LOW', open: 0, acceptedRisk: 0 },
      ],
      unresolvedFindings: [
        { key: 'F-001', severity: 'HIGH', status: 'OPEN', title: '特権IDの棚卸が未実施', countermeasureKey: 'CM-002' },
        { key: 'F-002', severity: 'MEDIUM', status: 'ACCEPTED_RISK', title: '-ログ保管期間が短い', countermeasureKey: null },
      ],
    },
    gates: [
      {
        key: 'new-customer-promotion',
        name: '新規顧客向け販売促進',
        state: 'SUSPENDED',
        canPromote: false,
        since: '2026-07-09T00:00:00.000Z',
        blockers: [
          { kind: 'COUNTERMEASURE_NOT_VERIFIED', itemKey: 'CM-002', message: 'CM-002 は未検証です (IN_PROGRESS)' },
          { kind: 'NO_AUDIT_CLEARANCE', itemKey: null, message: '外部監査の安全確認がありません' },
        ],
      },
    ],
    ...overrides,
  };
}
