import type { CountermeasureCategory, CountermeasureStatus, Priority, TargetStatus } from '@app/countermeasures';
import type { IncidentEventKind, PartyKind } from '@app/incidents';
import type { StoryTime } from './demo-story';

/**
 * The demo case: the breach of ../shared/CASE.md (the apology letter in
 * ../shared/seed/). Facts are the letter's; the year (2026), the exact days of
 * the investigation steps, the system names, owners, due dates and states are
 * invented to make a realistic working plan. The ten countermeasures are the
 * letter's ten promises, in the letter's order (CASE.md 1-10).
 *
 * Every step carries the time it happened (a StoryTime, Japan time): the
 * loader replays the steps in that order at those times, so the history (the
 * transitions, evidence, reviews, sign-off, findings, the gate's history and
 * the audit trail) tells the story and the dashboard's burn-up and its past
 * days show it. The tracker is set up on July 10 (DEMO_SETUP); the latest
 * steps (the sign-off, the last evidence, the audit's findings) are dated a
 * few days before the day the demo is loaded.
 */
export const DEMO_INCIDENT = {
  title: 'お客様情報漏えい事案（特定データベースからの持ち出し）',
  summary:
    '6月下旬から他社の通信教育事業者のダイレクトメールが弊社のお客様に届き始め、お問い合わせが急増。調査会社経由で入手した名簿事業者のリストを照合した結果、' +
    '弊社しか保有しないデータを含み大半が一致。社内調査で特定のデータベースから持ち出されたことが判明した。外部からの不正アクセスの痕跡はなく、' +
    'データベースへのアクセス権限を持つグループ社員以外の内部者の関与が推定される。警察が捜査中。7月9日に公表。',
  detectedOn: '2026-06-22',
  policeReportedOn: '2026-06-26',
  regulatorReportedOn: '2026-06-26',
  disclosedOn: '2026-07-09',
};

export const DEMO_TIMELINE: { occurredOn: string; kind: IncidentEventKind; description: string }[] = [
  {
    occurredOn: '2026-06-22',
    kind: 'DETECTED',
    description: '他社の通信教育事業者からのダイレクトメールがお客様に届き始め、お問い合わせが急増。調査を開始',
  },
  { occurredOn: '2026-06-26', kind: 'REPORTED_TO_POLICE', description: 'お問い合わせの急増を受け、警察に相談' },
  { occurredOn: '2026-06-26', kind: 'REPORTED_TO_REGULATOR', description: '監督官庁である経済産業省に相談' },
  {
    occurredOn: '2026-06-30',
    kind: 'INVESTIGATION_STEP',
    description: '調査会社経由で名簿事業者のリストを入手し、弊社データと照合。弊社しか保有しないデータを含み、大半が一致',
  },
  {
    occurredOn: '2026-07-03',
    kind: 'INVESTIGATION_STEP',
    description: '社内調査により、特定のデータベースからお客様情報が外部に持ち出されていたことが判明',
  },
  { occurredOn: '2026-07-04', kind: 'CONTAINMENT', description: '当該データベースの稼働を停止（緊急安全対策）' },
  {
    occurredOn: '2026-07-07',
    kind: 'INVESTIGATION_STEP',
    description: '24時間監視の委託先による遡及確認：外部からの不正アクセスの痕跡なし。警察が捜査を開始',
  },
  { occurredOn: '2026-07-09', kind: 'PUBLIC_DISCLOSURE', description: '個人情報漏えいについて公表' },
  { occurredOn: '2026-07-10', kind: 'CUSTOMER_NOTICE', description: '過去にご受講いただいたお客様へお詫び状を送付' },
];

export const DEMO_SYSTEMS = [
  { name: '当該データベース（漏えい元）', description: 'お客様情報が持ち出されたデータベース。7月4日に稼働停止', leakSource: true },
  { name: '受講者管理データベース', description: '現在の受講者と保護者の情報', leakSource: false },
  { name: '教材発送管理データベース', description: '教材の発送先住所・電話番号', leakSource: false },
  { name: 'お問い合わせ管理データベース', description: 'コールセンターの応対記録', leakSource: false },
  { name: '会員Webサイトデータベース', description: '会員サイトのアカウント情報', leakSource: false },
];

export const DEMO_DATA_CATEGORIES = [
  { name: '郵便番号', leaked: true },
  { name: 'お名前（お子様・保護者、漢字およびフリガナ）', leaked: true },
  { name: 'ご住所', leaked: true },
  { name: '電話番号（固定電話番号または携帯電話番号）', leaked: true },
  { name: 'お子様の生年月日', leaked: true },
  { name: 'お子様の性別', leaked: true },
  { name: 'クレジットカード番号・有効期限', leaked: false },
  { name: '金融機関の口座情報', leaked: false },
  { name: '成績情報', leaked: false },
];

export const DEMO_PARTIES: { kind: PartyKind; name: string; role: string }[] = [
  { kind: 'POLICE', name: '警察', role: '刑事事件として捜査。原因究明を委ねる' },
  { kind: 'REGULATOR', name: '経済産業省', role: '監督官庁' },
  { kind: 'INVESTIGATION_FIRM', name: '調査会社', role: '名簿事業者のリストの入手' },
  { kind: 'MONITORING_FIRM', name: '大手情報セキュリティ専門会社', role: '24時間の不正アクセス監視' },
  { kind: 'AUDIT_FIRM', name: '情報セキュリティ専門会社（監査）', role: 'システム運営プロセス監査' },
  { kind: 'OTHER', name: '㈱シンフォーム', role: 'システム運用（ISMS取得のグループ会社）' },
];

/**
 * The tracker is set up the day after the disclosure, when the task force is
 * formed and the letter with its ten promises goes out: the accounts, then the
 * incident with its timeline so far, inventory and task force, then the plan
 * (the ten promises), then the gate of promise 7 (promotion suspended).
 */
export const DEMO_SETUP = {
  usersAt: '2026-07-10T08:30',
  incidentAt: '2026-07-10T09:00',
  joinedOn: '2026-07-10',
  planAt: '2026-07-10T10:00',
  gateAt: '2026-07-10T11:00',
} as const;

/** Task force: e-mail of a demo user, and their part. The president is the chief. */
export const DEMO_TASK_FORCE = [
  { email: 'president@example.com', roleTitle: '最高責任者（代表取締役社長）', isChief: true },
  { email: 'security.lead@example.com', roleTitle: '情報セキュリティ担当', isChief: false },
  { email: 'systems.lead@example.com', roleTitle: 'システム運用担当', isChief: false },
  { email: 'cs.lead@example.com', roleTitle: 'お客様サポート担当', isChief: false },
  { email: 'legal.lead@example.com', roleTitle: '法務・コンプライアンス担当', isChief: false },
];

export interface DemoCountermeasure {
  title: string;
  description: string;
  category: CountermeasureCategory;
  owner: string;
  contributors?: string[];
  priority: Priority;
  dueDate: string;
  requiredForGate: boolean;
  ongoing?: boolean;
  requirements: { title: string; recurrenceDays?: number }[];
  /** Systems it covers (by name, from DEMO_SYSTEMS), chosen at `targetsAt`, and how far each is (since `at`). */
  targets?: { system: string; status: TargetStatus; note?: string; at?: StoryTime }[];
  targetsAt?: StoryTime;
  /** Moves after creation (made by the owner), in order, each with a reason where one is needed. */
  moves: { to: CountermeasureStatus; reason?: string; at: StoryTime }[];
}

/** Work starts: most on the day of the plan, the rest as their people get to them. */
const start = (at: StoryTime) => ({ to: 'IN_PROGRESS' as const, at });
const ON_PLAN_DAY = '2026-07-10T13:00';

export const DEMO_COUNTERMEASURES: DemoCountermeasure[] = [
  {
    title: '当該データベースの稼働停止',
    description:
      '漏えい元のデータベースの稼働を停止する（お詫び状の時点で対応済）。停止の記録と、停止後にアクセスがないことの確認を証跡とする。',
    category: 'DB_SHUTDOWN',
    owner: 'systems.lead@example.com',
    priority: 'CRITICAL',
    dueDate: '2026-07-05',
    requiredForGate: true,
    requirements: [{ title: '停止作業の記録（日時・作業者・承認者）' }, { title: '停止後のアクセスログ確認結果' }],
    moves: [start(ON_PLAN_DAY)],
  },
  {
    title: '全顧客データベースのアクセス監視強化と外部への持ち出し制限',
    description:
      '全てのお客様情報を扱うデータベースについて、アクセス権限の絞り込み、運営の厳格化、外部専門機関を活用した常時監視を実施する。',
    category: 'ACCESS_RESTRICTION',
    owner: 'security.lead@example.com',
    contributors: ['systems.lead@example.com'],
    priority: 'HIGH',
    dueDate: '2026-09-30',
    requiredForGate: true,
    requirements: [
      { title: '全顧客DBのアクセス権限棚卸しと絞り込みの結果' },
      { title: '外部媒体・外部送信の持ち出し制限の設定記録' },
      { title: '外部専門機関による常時監視の月次レポート', recurrenceDays: 31 },
    ],
    targetsAt: '2026-07-13T10:30',
    targets: [
      { system: '受講者管理データベース', status: 'DONE', note: '権限を持つ者を42名から9名に削減', at: '2026-08-28T18:00' },
      { system: '教材発送管理データベース', status: 'DONE', at: '2026-09-04T18:00' },
      { system: 'お問い合わせ管理データベース', status: 'IN_PROGRESS', note: '委託先アカウントの棚卸し中', at: '2026-09-07T10:00' },
      { system: '会員Webサイトデータベース', status: 'PENDING' },
    ],
    moves: [start('2026-07-13T10:00')],
  },
  {
    title: '情報セキュリティ専門会社によるシステム運営プロセス監査',
    description: 'システム運営プロセスの監査を受け、システムのあらゆる脆弱性を把握する。',
    category: 'EXTERNAL_AUDIT',
    owner: 'security.lead@example.com',
    priority: 'CRITICAL',
    dueDate: '2027-01-31',
    requiredForGate: true,
    requirements: [{ title: '監査計画書（範囲・日程）' }, { title: '監査報告書と指摘事項への対応計画' }],
    moves: [start('2026-07-21T10:00')],
  },
  {
    title: '特別チームによるガバナンス強化を含む取組計画の策定・実行',
    description:
      '社長を最高責任者とする情報セキュリティ対策強化の特別チームにより、速やかにガバナンスの強化を含めた取組計画を策定・実行する。',
    category: 'GOVERNANCE',
    owner: 'president@example.com',
    contributors: ['legal.lead@example.com'],
    priority: 'HIGH',
    dueDate: '2026-10-15',
    requiredForGate: true,
    requirements: [{ title: '取組計画書（取締役会承認済み）' }, { title: '計画の実行状況報告' }],
    moves: [start(ON_PLAN_DAY)],
  },
  {
    title: '原因究明と二次被害防止の優先',
    description: '警察の捜査に全面的に協力し原因究明を優先するとともに、漏えいした情報の悪用による二次被害の防止に取り組む。',
    category: 'CUSTOMER_PROTECTION',
    owner: 'legal.lead@example.com',
    priority: 'HIGH',
    dueDate: '2026-12-31',
    requiredForGate: false,
    requirements: [{ title: '捜査協力の記録' }, { title: '二次被害の監視と対応の記録' }],
    moves: [start(ON_PLAN_DAY)],
  },
  {
    title: '既存のお客様へのサービス・サポートの継続',
    description: '現在ご受講中のお客様へのサービスとサポートは継続する。',
    category: 'CUSTOMER_PROTECTION',
    owner: 'cs.lead@example.com',
    priority: 'MEDIUM',
    dueDate: '2026-07-31',
    requiredForGate: false,
    ongoing: true,
    requirements: [{ title: 'サービス提供状況の月次報告', recurrenceDays: 31 }],
    moves: [start(ON_PLAN_DAY)],
  },
  {
    title: '新規顧客向け販売促進活動の停止（監査で安全性が確認されるまで）',
    description:
      'セキュリティ会社の監査により安全性が確認されるまで、新規のお客様への販売促進活動（ダイレクトメール・電話・Web）を停止する。',
    category: 'GOVERNANCE',
    owner: 'legal.lead@example.com',
    contributors: ['cs.lead@example.com'],
    priority: 'CRITICAL',
    dueDate: '2026-07-09',
    requiredForGate: false,
    requirements: [{ title: '全販促チャネルの停止確認記録' }],
    moves: [start(ON_PLAN_DAY)],
  },
  {
    title: 'なりすまし・悪質な勧誘電話への注意喚起',
    description: '弊社を装った郵便物や電話、強引な勧誘や不審な電話について、お客様に注意を呼びかける。',
    category: 'COMMUNICATION',
    owner: 'cs.lead@example.com',
    priority: 'HIGH',
    dueDate: '2026-07-31',
    requiredForGate: false,
    requirements: [{ title: '注意喚起の文面と送付・掲載の記録' }],
    moves: [
      start('2026-07-13T10:00'),
      { to: 'BLOCKED', reason: '警察から掲載文面の確認待ち（捜査への影響の確認）', at: '2026-07-17T15:00' },
    ],
  },
  {
    title: '調査の進捗をWebサイトで公表',
    description: '調査の進捗状況を、判明し次第、弊社Webサイトで公表する。',
    category: 'COMMUNICATION',
    owner: 'legal.lead@example.com',
    priority: 'MEDIUM',
    dueDate: '2026-08-31',
    requiredForGate: false,
    ongoing: true,
    requirements: [{ title: 'Webサイトの公表ページ更新記録', recurrenceDays: 31 }],
    moves: [start(ON_PLAN_DAY)],
  },
  {
    title: '個人情報保護専用ダイヤルの設置（フリーダイヤル、10:00〜21:00、土日祝も受付）',
    description: 'お客様からのお問い合わせのため、個人情報保護専用のフリーダイヤルを設置する。',
    category: 'CUSTOMER_PROTECTION',
    owner: 'cs.lead@example.com',
    priority: 'HIGH',
    dueDate: '2026-07-15',
    requiredForGate: false,
    ongoing: true,
    requirements: [{ title: '窓口開設の記録' }, { title: '月次の応対件数・内容の報告', recurrenceDays: 31 }],
    moves: [start(ON_PLAN_DAY)],
  },
];

/**
 * Evidence in the demo, so that every role sees real work when signing in:
 * CM-001 (the shutdown, "already done") is evidenced, accepted and signed off;
 * CM-002 and CM-010 have evidence waiting for review; CM-007's evidence was
 * rejected (the countermeasure is back with its owner). `countermeasure` is the
 * CM number, `requirement` the requirement's index on it.
 */
export interface DemoEvidence {
  countermeasure: number;
  requirement: number;
  by: string;
  effectiveOn: string;
  file?: { name: string; text: string };
  link?: { title: string; url: string };
  attestation?: { title: string; statement: string };
  /** When it was submitted (on or after effectiveOn), and when reviewed. */
  submittedAt: StoryTime;
  review?: { by: string; decision: 'ACCEPTED' | 'REJECTED' | 'NEEDS_MORE'; comment?: string; at: StoryTime };
}

const SHUTDOWN_RECORD = [
  '日時,作業,作業者,承認者,結果',
  '2026-07-03 18:42,受講者管理データベースへの外部接続を遮断,システム運用担当,代表取締役社長,完了',
  '2026-07-03 19:05,当該データベースのサービス停止,システム運用担当,代表取締役社長,完了',
  '2026-07-03 19:20,停止状態の確認（監視画面・プロセス一覧）,情報セキュリティ担当,代表取締役社長,確認済',
  '',
].join('\r\n');

const ACCESS_REVIEW = [
  'データベース,棚卸し前の権限保有者数,棚卸し後,削除した主な権限,実施日',
  '受講者管理データベース,42,9,委託先・退職者・兼務者の参照権限,2026-08-28',
  '教材発送管理データベース,17,6,発送委託先の一括出力権限,2026-09-04',
  'お問い合わせ管理データベース,23,(実施中),-,-',
  '',
].join('\r\n');

export const DEMO_EVIDENCE: DemoEvidence[] = [
  {
    countermeasure: 1,
    requirement: 0,
    by: 'systems.lead@example.com',
    effectiveOn: '2026-07-03',
    file: { name: '当該DB停止作業記録_2026-07-03.csv', text: SHUTDOWN_RECORD },
    submittedAt: '2026-07-10T15:00',
    review: { by: 'auditor@example.com', decision: 'ACCEPTED', comment: '作業記録と承認者を確認', at: '2026-08-06T14:00' },
  },
  {
    countermeasure: 1,
    requirement: 1,
    by: 'systems.lead@example.com',
    effectiveOn: '2026-07-31',
    attestation: {
      title: '停止後のアクセスログ確認結果（7月）',
      statement: '2026年7月3日19時05分の停止以降、当該データベースへの接続記録がないことをアクセスログで確認しました。',
    },
    submittedAt: '2026-08-03T10:00',
    review: { by: 'auditor@example.com', decision: 'ACCEPTED', at: '2026-08-06T14:10' },
  },
  {
    countermeasure: 2,
    requirement: 0,
    by: 'security.lead@example.com',
    effectiveOn: '2026-09-04',
    file: { name: 'アクセス権限棚卸し結果_2026-09.csv', text: ACCESS_REVIEW },
    submittedAt: '2026-09-07T11:00',
  },
  {
    countermeasure: 2,
    requirement: 2,
    by: 'security.lead@example.com',
    effectiveOn: '2026-10-31',
    link: { title: '外部監視機関 月次レポート（2026年10月）', url: 'https://monitoring.example.jp/reports/2026-10' },
    submittedAt: '2026-11-05T10:00',
  },
  {
    countermeasure: 7,
    requirement: 0,
    by: 'legal.lead@example.com',
    effectiveOn: '2026-07-10',
    attestation: {
      title: '販促チャネル停止確認',
      statement: 'ダイレクトメール及び電話による新規顧客向け販売促進を2026年7月10日付で停止したことを確認しました。',
    },
    submittedAt: '2026-07-10T17:00',
    review: {
      by: 'auditor2@example.com',
      decision: 'REJECTED',
      comment: 'Web広告（リスティング・SNS）の停止記録が含まれていません。全チャネルの停止を示してください。',
      at: '2026-07-14T11:00',
    },
  },
  {
    countermeasure: 10,
    requirement: 0,
    by: 'cs.lead@example.com',
    effectiveOn: '2026-07-15',
    attestation: {
      title: '個人情報保護専用ダイヤル開設記録',
      statement: 'フリーダイヤル（10:00〜21:00、土日祝も受付）を2026年7月15日に開設しました。',
    },
    // Filed late, for the audit's fieldwork: waiting for review since.
    submittedAt: { daysAgo: 8, at: '11:00' },
  },
];

/** Countermeasures the owner moves to IMPLEMENTED once their evidence is in (before any review). */
export const DEMO_IMPLEMENTED: { countermeasure: number; at: StoryTime }[] = [
  { countermeasure: 7, at: '2026-07-10T17:10' },
  { countermeasure: 1, at: '2026-08-03T10:30' },
];

/** The lead auditor signs the shutdown off during the audit's fieldwork (CM-001 is in its scope). */
export const DEMO_SIGN_OFFS: { countermeasure: number; by: string; statement: string; at: StoryTime }[] = [
  {
    countermeasure: 1,
    by: 'auditor@example.com',
    statement: '停止作業記録とその後のアクセスログ確認により、当該データベースの稼働停止を確認した。',
    at: { daysAgo: 12, at: '15:00' },
  },
];

/**
 * The security firm's audit (お詫び状 3), commissioned by the task force
 * (PLANNED), in fieldwork from its first day, with the findings of its
 * latest days. Countermeasures by CM number.
 */
export const DEMO_AUDIT = {
  title: 'システム運営プロセス監査（2026年度）',
  firm: '情報セキュリティ専門会社（監査）',
  lead: 'auditor@example.com',
  team: ['auditor2@example.com'],
  scope: [1, 2, 3, 4],
  systems: ['受講者管理データベース', '教材発送管理データベース', 'お問い合わせ管理データベース', '会員Webサイトデータベース'],
  startsOn: '2026-10-01',
  endsOn: '2027-01-31',
  commissionedAt: '2026-09-15T10:00' as StoryTime,
  moves: [{ to: 'FIELDWORK' as const, at: '2026-10-01T09:30' as StoryTime }],
  findings: [
    {
      severity: 'HIGH' as const,
      title: 'お問い合わせ管理データベースに委託先の共用アカウントが残存',
      description: '委託先の共用アカウント3件が棚卸し対象から漏れており、個人を特定できない形で利用されている。',
      countermeasure: 2,
      by: 'auditor@example.com',
      at: { daysAgo: 6, at: '16:00' } as StoryTime,
    },
    {
      severity: 'MEDIUM' as const,
      title: '常時監視のアラートに対する一次対応手順が文書化されていない',
      description: '外部監視機関からの通知を誰がどの時間内に確認するかが定められていない。',
      countermeasure: 2,
      by: 'auditor2@example.com',
      at: { daysAgo: 4, at: '16:00' } as StoryTime,
    },
    {
      severity: 'LOW' as const,
      title: '取組計画書の改訂履歴に承認者の記載がない',
      description: '',
      countermeasure: 4,
      by: 'auditor2@example.com',
      at: { daysAgo: 2, at: '16:00' } as StoryTime,
    },
  ],
};

/** The gate of お詫び状 7: new-customer promotion stays suspended until the audit confirms safety. */
export const DEMO_GATE = {
  key: 'new-customer-promotion',
  name: '新規顧客向け販売促進活動',
  description: 'ダイレクトメール・電話・Webによる新規のお客様向けの販売促進（既存のお客様へのサービス・サポートは対象外）',
  reason: 'お詫び状 7: 情報セキュリティ専門会社の監査により安全性が確認されるまで停止する',
};
