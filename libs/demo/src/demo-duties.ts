import type { Actor } from '@app/common';
import type { HotlineKind } from '@app/duties';
import type { StoryTime } from './demo-story';

/**
 * The duties to the outside in the demo case (issue 15): the breach-notification record, the PPC reports, the notice
 * to the customers, two progress statements and the hotline's summer. As with the rest of the demo, the letter's
 * facts are kept (the insider, the police, METI, the apology letter of 10 July, the hotline of promise 10); the
 * numbers, days and reference numbers are invented.
 */
export const DEMO_BREACH = {
  openedAt: '2026-07-10T14:00',
  /** The internal investigation found the database the data was taken from: the company knew (覚知). */
  knownAt: '2026-07-03T17:30:00+09:00',
  cases: [
    {
      code: 'UNLAWFUL_PURPOSE',
      rationale:
        '外部からの不正アクセスの痕跡はなく、データベースへのアクセス権限を持つグループ社員以外の内部者による持ち出しが推定される（警察が捜査中）',
    },
  ],
  individualsEstimate: 300_000,
  individualsEstimatedOn: '2026-07-08',
  confirmed: { at: '2026-08-20T18:00', count: 287_412, on: '2026-08-20' },
  authorityCode: 'DELEGATED_MINISTER',
  authorityName: '経済産業大臣（個人情報保護委員会から権限委任）',
  reporter: '株式会社サンプル通信教育',
  legalLead: 'legal.lead@example.com',
  preliminary: {
    draftAt: '2026-07-10T15:00',
    submitAt: '2026-07-10T15:30',
    submittedAt: '2026-07-07T16:00:00+09:00',
    reference: 'METI-速報-2026-0707-118',
  },
  final: { draftAt: '2026-08-27T10:00', submitAt: '2026-08-28T16:30', reference: 'METI-確報-2026-0828-042' },
  campaign: {
    at: '2026-07-10T16:00',
    updatedAt: '2026-07-31T18:00',
    channel: 'POST' as const,
    plannedCount: 300_000,
    startedOn: '2026-07-10',
    completedOn: '2026-07-24',
    sentCount: 287_412,
    returnedCount: 3_208,
    substitutePublishedOn: '2026-07-09',
    substituteInquiryDesk: '個人情報保護専用ダイヤル（フリーダイヤル、10:00～21:00、土日祝日も受付）',
    note: '宛先不明で返送された方には、ウェブサイトでの公表と専用ダイヤルで対応',
  },
};

export const DEMO_PROGRESS = [
  {
    at: '2026-07-09T18:00',
    titleJa: 'お客様情報の漏えいに関するお詫びとお知らせ',
    titleEn: 'Our apology and notice concerning the leak of customer information',
    bodyJa:
      'このたび、弊社が保有するお客様情報の一部が外部に持ち出されたことが判明いたしました。お客様には多大なるご迷惑とご心配をおかけしますことを、深くお詫び申し上げます。\n\n' +
      '漏えいした情報は、郵便番号、お名前（お子様・保護者）、ご住所、電話番号、お子様の生年月日および性別です。クレジットカード情報、金融機関の口座情報、成績情報は含まれておりません。\n\n' +
      '当該データベースは停止しております。弊社を装った郵便物やお電話にご注意ください。専用ダイヤルを開設しました（10:00～21:00、土日祝日も受付）。',
    bodyEn:
      'We have found that part of the customer information we hold was taken out of our systems. We deeply apologise for the trouble and concern this causes.\n\n' +
      'The information concerned: postal code, names (child and guardian), address, phone number, and the child’s date of birth and gender. No credit card, bank account or academic data was included.\n\n' +
      'The database concerned has been stopped. Please beware of mail or calls pretending to be from us. A dedicated hotline is open (10:00-21:00, weekends and holidays included).',
    countermeasures: [] as { n: number; labelJa: string; labelEn: string }[],
  },
  {
    at: '2026-08-28T18:00',
    titleJa: '調査の進捗と再発防止策の実施状況について（第2報）',
    titleEn: 'Progress of the investigation and of our measures against recurrence (second report)',
    bodyJa:
      '警察による捜査が続いており、弊社は全面的に協力しております。個人情報保護委員会（事業所管大臣）への確報を提出いたしました。\n\n' +
      'お客様へのお詫び状の送付を完了し、宛先不明で返送された方にはウェブサイトと専用ダイヤルでご案内しております。再発防止策の主な実施状況は以下のとおりです。新規のお客様への営業活動は、外部の専門機関による監査で安全が確認されるまで停止しております。',
    bodyEn:
      'The police investigation continues and we cooperate fully. We have submitted our final report to the authority.\n\n' +
      'The apology letters have all been sent; customers whose letters were returned are informed through our website and the hotline. The main measures against recurrence stand as follows. Sales promotion to new customers remains suspended until an external audit confirms safety.',
    countermeasures: [
      { n: 1, labelJa: '漏えいしたデータベースの停止', labelEn: 'Stopping the leaked database' },
      {
        n: 2,
        labelJa: 'お客様情報を保有するデータベースのアクセス監視と持ち出し制限の強化',
        labelEn: 'Stronger access monitoring and export restrictions on customer databases',
      },
      {
        n: 3,
        labelJa: '外部の専門機関によるシステム運用プロセス監査',
        labelEn: 'System-operation process audit by an external specialist',
      },
    ],
  },
];

/** Contacts per day and kind, 9 July to 31 August: a peak after the disclosure, then a slow decline. */
export function demoHotlineDays(): { day: string; at: StoryTime; counts: { kind: HotlineKind; count: number }[] }[] {
  const out: { day: string; at: StoryTime; counts: { kind: HotlineKind; count: number }[] }[] = [];
  const start = Date.UTC(2026, 6, 9);
  for (let i = 0; i <= 53; i++) {
    const day = new Date(start + i * 86_400_000).toISOString().slice(0, 10);
    const decay = Math.exp(-i / 9);
    const weekend = [0, 6].includes(new Date(start + i * 86_400_000).getUTCDay()) ? 0.7 : 1;
    const q = Math.round((40 + 1200 * decay) * weekend);
    out.push({
      day,
      at: `${day}T21:30`,
      counts: [
        { kind: 'BREACH_QUESTION', count: q },
        { kind: 'IMPERSONATION_REPORT', count: Math.round((3 + 45 * decay * (i > 2 ? 1 : 0.3)) * weekend) },
        { kind: 'STOP_CONTACT_REQUEST', count: Math.round((5 + 160 * decay) * weekend) },
        { kind: 'OTHER', count: Math.round(q * 0.08) },
      ],
    });
  }
  return out;
}

export const DEMO_HOTLINE_CASES = [
  {
    at: '2026-07-14T20:00',
    occurredOn: '2026-07-14',
    kind: 'IMPERSONATION_REPORT' as const,
    summary: '弊社を名乗り「返金手続き」と称して口座番号を尋ねる電話があったとの報告。警察と共有し、ウェブサイトで注意喚起',
  },
  {
    at: '2026-07-22T20:00',
    occurredOn: '2026-07-22',
    kind: 'IMPERSONATION_REPORT' as const,
    summary: '他社名義の教材案内の封書に、弊社にのみ登録したお子様の名前が記載されていたとの申し出。名簿事業者の件として警察に情報提供',
  },
  {
    at: '2026-08-05T20:00',
    occurredOn: '2026-08-05',
    kind: 'STOP_CONTACT_REQUEST' as const,
    summary: 'ダイレクトメールの停止と登録情報の削除のご依頼。手続きを案内し、対応完了',
  },
];

/** The demo person acting for a step (the loader's `as`). */
export type DemoActorOf = (email: string) => Actor;
