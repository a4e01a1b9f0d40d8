import type { DraftFacts, FilingDocument } from '../domain/draft-facts';
import { writeDraft } from '../domain/draft-writer';

/**
 * The case of CASE.md as the facts a PPC draft is written from, and a filing document for the renderers' specs.
 * For tests only.
 */
export function sampleDraftFacts(overrides: Partial<DraftFacts> = {}): DraftFacts {
  return {
    kind: 'PRELIMINARY',
    reporter: '株式会社サンプル通信教育',
    incident: {
      title: 'お客様情報漏えい事案（特定データベースからの持ち出し）',
      summary:
        '社内調査により、特定のデータベースからお客様情報が持ち出されたことが判明した。外部からの不正アクセスの痕跡はなく、' +
        'データベースへのアクセス権限を持つグループ社員以外の内部者の関与が推定される。',
      detectedOn: '2026-06-22',
      policeReportedOn: '2026-06-26',
      regulatorReportedOn: '2026-06-26',
      disclosedOn: '2026-07-09',
    },
    knownAt: '2026-07-03T05:20:00.000Z',
    timeline: [
      {
        occurredOn: '2026-06-22',
        title: '発覚',
        description: '他社の通信教育事業者からのダイレクトメールがお客様に届き始め、お問い合わせが急増。調査を開始',
      },
      {
        occurredOn: '2026-06-30',
        title: '名簿の照合',
        description: '調査会社経由で名簿事業者のリストを入手し、弊社データと照合。弊社しか保有しないデータを含み、大半が一致',
      },
      { occurredOn: '2026-07-04', title: '封じ込め', description: '当該データベースの稼働を停止（緊急安全対策）。' },
    ],
    dataCategories: [
      { name: '郵便番号', leaked: true },
      { name: 'お名前（お子様・保護者、漢字およびフリガナ）', leaked: true },
      { name: 'ご住所', leaked: true },
      { name: '電話番号（固定電話番号または携帯電話番号）', leaked: true },
      { name: 'お子様の生年月日', leaked: true },
      { name: 'お子様の性別', leaked: true },
      { name: 'クレジットカード番号・有効期限', leaked: false },
      { name: '金融機関の口座情報', leaked: false },
      { name: '成績情報', leaked: false },
    ],
    individuals: { estimate: 48000, estimatedOn: '2026-07-05', confirmed: null, confirmedOn: null },
    cases: [
      { code: 'OVER_THRESHOLD', no: 4, nameJa: '1,000人を超える漏えい等', rationale: '本人の数が約48,000名と推計される', derived: true },
      {
        code: 'UNLAWFUL_PURPOSE',
        no: 3,
        nameJa: '不正の目的をもって行われたおそれがある漏えい等',
        rationale: 'アクセス権限を持つ内部者による持ち出しが推定される。',
        derived: false,
      },
    ],
    parties: [
      { kind: 'POLICE', name: '警察', role: '刑事事件として捜査。原因究明を委ねる' },
      { kind: 'REGULATOR', name: '経済産業省', role: '監督官庁' },
      { kind: 'MONITORING_FIRM', name: '大手情報セキュリティ専門会社', role: '24時間の不正アクセス監視' },
    ],
    hotline: {
      from: '2026-07-09',
      to: '2026-07-31',
      total: 12345,
      byKind: [
        { kind: 'BREACH_QUESTION', count: 11000 },
        { kind: 'STOP_CONTACT_REQUEST', count: 1300 },
        { kind: 'OTHER', count: 45 },
      ],
      notableCases: [],
    },
    notices: [
      {
        channel: 'POST',
        plannedCount: 48000,
        sentCount: 47800,
        returnedCount: 1200,
        startedOn: '2026-07-10',
        completedOn: '2026-07-17',
        substitutePublishedOn: '2026-07-20',
        substituteInquiryDesk: '個人情報保護専用ダイヤル 0120-000-000',
        unreachableCount: 1400,
      },
    ],
    publications: [
      { number: 2, publishedAt: '2026-07-24T01:00:00.000Z', titleJa: '調査の進捗について（第2報）' },
      { number: 1, publishedAt: '2026-07-16T15:30:00.000Z', titleJa: '調査の進捗について（第1報）' },
    ],
    countermeasures: [
      { key: 'CM-001', title: '当該データベースの稼働停止', status: 'VERIFIED', dueDate: '2026-07-04' },
      {
        key: 'CM-002',
        title: '全顧客データベースのアクセス監視強化と外部への持ち出し制限',
        status: 'IN_PROGRESS',
        dueDate: '2026-09-30',
      },
      { key: 'CM-003', title: '情報セキュリティ専門会社によるシステム運営プロセス監査', status: 'PLANNED', dueDate: null },
    ],
    ...overrides,
  };
}

export const SAMPLE_ITEMS_SHA256 = '3f'.repeat(32);

/** A filing of the sample case as the renderers receive it: a draft unless `overrides` says otherwise. */
export function sampleFilingDocument(overrides: Partial<FilingDocument> = {}): FilingDocument {
  return {
    filingId: '7d0f6c1e-2a4b-4c3d-8e5f-6a7b8c9d0e1f',
    kind: 'PRELIMINARY',
    kindLabelJa: '速報',
    reporter: '株式会社サンプル通信教育',
    incidentTitle: 'お客様情報漏えい事案（特定データベースからの持ち出し）',
    authority: '個人情報保護委員会',
    rulePack: 'appi-ppc@2024-04-01',
    knownAt: '2026-07-03T05:20:00.000Z',
    dueOn: '2026-07-08',
    status: 'DRAFT',
    submittedAt: null,
    channel: null,
    referenceNumber: null,
    lateDays: null,
    items: writeDraft(sampleDraftFacts()),
    itemsSha256: null,
    generatedAt: '2026-07-06T00:04:05.000Z',
    ...overrides,
  };
}

/** The same filing, submitted two days late through the PPC's web form. */
export function sampleSubmittedFiling(overrides: Partial<FilingDocument> = {}): FilingDocument {
  return sampleFilingDocument({
    status: 'SUBMITTED',
    submittedAt: '2026-07-10T01:30:00.000Z',
    channel: 'PPC_WEB_FORM',
    referenceNumber: 'PPC-2026-000123',
    lateDays: 2,
    itemsSha256: SAMPLE_ITEMS_SHA256,
    generatedAt: '2026-07-10T02:00:00.000Z',
    ...overrides,
  });
}
