import { ALL_COUNTERMEASURE_STATUSES } from '@app/countermeasures';
import { describe, expect, it } from 'vitest';
import { sampleDraftFacts } from '../testing/sample-filing';
import { COUNTERMEASURE_STATUS_JA, writeDraft } from './draft-writer';
import { jaDate, jaDateTime, jaNumber } from './ja-format';
import { NINE_ITEM_KEYS } from './nine-items';

/**
 * The tracker pre-fills the PPC report's nine items from what it holds, in Japanese (issue 15), so that the legal
 * lead starts from the facts rather than a blank form. The sample is the case of CASE.md.
 */
describe('writeDraft', () => {
  const draft = writeDraft(sampleDraftFacts());

  it('fills all nine items, in one formal style (である調, no です/ます), and the same facts give the same text', () => {
    expect(Object.keys(draft).sort()).toEqual([...NINE_ITEM_KEYS].sort());
    for (const key of NINE_ITEM_KEYS) {
      expect(draft[key].length).toBeGreaterThan(10);
      expect(draft[key]).not.toMatch(/です。|ます。|。。/);
    }
    expect(writeDraft(sampleDraftFacts())).toEqual(draft);
  });

  it('item 1: a preliminary report says it is written as far as known, then the case, when the company knew (Tokyo time) and the timeline', () => {
    const text = draft.overview;
    expect(text.split('\n')[0]).toBe('本報告は速報であり、現時点で判明している範囲で記載する。');
    expect(text).toContain('お客様情報漏えい事案（特定データベースからの持ち出し）');
    expect(text).toContain('覚知した日時は2026年7月3日 14時20分である。'); // 05:20Z is 14:20 in Tokyo
    expect(text).toContain('本事態の発覚日は2026年6月22日である。');
    expect(text).toContain('・2026年6月30日　名簿の照合。調査会社経由で名簿事業者のリストを入手し');
    expect(text).toContain('・2026年7月4日　封じ込め。当該データベースの稼働を停止（緊急安全対策）。');
    expect(text.indexOf('2026年6月22日　')).toBeLessThan(text.indexOf('2026年7月4日　'));

    expect(writeDraft(sampleDraftFacts({ kind: 'FINAL' })).overview).toMatch(/^本報告は確報である。/);
    expect(writeDraft(sampleDraftFacts({ kind: 'FINAL' })).overview).not.toContain('速報');
    expect(writeDraft(sampleDraftFacts({ kind: 'SUPPLEMENT' })).overview).toMatch(
      /^本報告は、既に提出した報告の内容を追完するものである。/,
    );
  });

  it('item 1: a moment just after midnight in Tokyo (15:30 UTC the day before) is the Tokyo date', () => {
    expect(writeDraft(sampleDraftFacts({ knownAt: '2026-07-02T15:30:00.000Z' })).overview).toContain('2026年7月3日 0時30分');
    expect(writeDraft(sampleDraftFacts({ knownAt: '2026-07-02T14:59:00.000Z' })).overview).toContain('2026年7月2日 23時59分');
    expect(jaDateTime('2026-12-31T15:05:00.000Z')).toBe('2027年1月1日 0時05分');
  });

  it('item 2: lists the leaked categories and states the others as confirmed not leaked', () => {
    const [leaked, notLeaked] = draft.dataItems.split('なお、');
    for (const c of ['郵便番号', 'お名前（お子様・保護者、漢字およびフリガナ）', 'ご住所', 'お子様の生年月日', 'お子様の性別']) {
      expect(leaked).toContain(`・${c}\n`);
    }
    expect(notLeaked).toMatch(/^次の項目については漏えいしていないことを確認している。/);
    for (const c of ['クレジットカード番号・有効期限', '金融機関の口座情報', '成績情報']) {
      expect(notLeaked).toContain(`・${c}`);
      expect(leaked).not.toContain(c);
    }
  });

  it('item 3: an estimate with its date, then the confirmed count with the estimate kept; none yet → 調査中', () => {
    expect(draft.individuals).toBe('本人の数は約48,000名（2026年7月5日時点の推計）である。確定した数は調査中である。');
    const confirmed = writeDraft(
      sampleDraftFacts({ individuals: { estimate: 48000, estimatedOn: '2026-07-05', confirmed: 47612, confirmedOn: '2026-08-20' } }),
    );
    expect(confirmed.individuals).toBe(
      '本人の数は47,612名である（2026年8月20日確定）。\nなお、当初の推計は約48,000名（2026年7月5日時点の推計）であった。',
    );
    const none = writeDraft(sampleDraftFacts({ individuals: { estimate: null, estimatedOn: null, confirmed: null, confirmedOn: null } }));
    expect(none.individuals).toBe('本人の数は調査中である。');
  });

  it('item 4: the cause as known, and the parties with their kind and role', () => {
    expect(draft.cause).toContain('外部からの不正アクセスの痕跡はなく');
    expect(draft.cause).toContain('グループ社員以外の内部者の関与が推定される');
    expect(draft.cause).toContain('・警察：刑事事件として捜査。原因究明を委ねる');
    expect(draft.cause).toContain('・経済産業省（監督官庁）\n'); // the role repeats the kind: said once
    expect(draft.cause).toContain('・大手情報セキュリティ専門会社（監視委託先）：24時間の不正アクセス監視');
    const empty = writeDraft(sampleDraftFacts({ incident: { ...sampleDraftFacts().incident, summary: '' }, parties: [] }));
    expect(empty.cause).toBe('原因は調査中である。');
  });

  it('item 5: the hotline totals by kind over the period, and no confirmed secondary harm without impersonation reports', () => {
    const text = draft.secondaryHarm;
    expect(text).toContain('2026年7月9日から2026年7月31日までの間に合計12,345件');
    expect(text).toContain('・本件に関するお問い合わせ：11,000件');
    expect(text).toContain('・当社を装った不審な郵便物・電話の報告：0件');
    expect(text).toContain('・連絡停止のご依頼：1,300件');
    expect(text).toContain('・その他：45件');
    expect(text).toContain('現時点で二次被害は確認されていない。');

    const harm = writeDraft(
      sampleDraftFacts({
        hotline: {
          ...sampleDraftFacts().hotline,
          byKind: [...sampleDraftFacts().hotline.byKind, { kind: 'IMPERSONATION_REPORT', count: 3 }],
          notableCases: [{ occurredOn: '2026-07-15', kind: 'IMPERSONATION_REPORT', summary: '当社を名乗る電話で教材の購入を勧誘された' }],
        },
      }),
    ).secondaryHarm;
    expect(harm).toContain('当社を装った不審な郵便物・電話の報告が3件あり、二次被害のおそれがある。');
    expect(harm).toContain('・2026年7月15日（当社を装った不審な郵便物・電話の報告）：当社を名乗る電話で教材の購入を勧誘された。');
    expect(harm).not.toContain('確認されていない');

    const none = writeDraft(sampleDraftFacts({ hotline: { from: null, to: null, total: 0, byKind: [], notableCases: [] } }));
    expect(none.secondaryHarm).toContain('集計はまだない');
    expect(none.secondaryHarm).toContain('調査中である');
  });

  it('item 6: each notice campaign (channel, counts, dates) and the substitute measure with its date; none yet → 未実施', () => {
    const text = draft.responseToIndividuals;
    expect(text).toContain(
      '・郵送による通知：対象48,000名、送付済47,800件、不達（返送等）1,200件。2026年7月10日に開始し、2026年7月17日に完了した。',
    );
    expect(text).toContain(
      '通知が困難な本人（1,400名）については、代替措置として2026年7月20日に公表を行い、問合せ窓口（個人情報保護専用ダイヤル 0120-000-000）を設けた。',
    );
    const running = writeDraft(
      sampleDraftFacts({
        notices: [
          {
            channel: 'EMAIL',
            plannedCount: 30000,
            sentCount: 1000,
            returnedCount: 0,
            startedOn: '2026-07-11',
            completedOn: null,
            substitutePublishedOn: null,
            substituteInquiryDesk: null,
            unreachableCount: 0,
          },
        ],
      }),
    );
    expect(running.responseToIndividuals).toContain(
      '・電子メールによる通知：対象30,000名、送付済1,000件、不達（返送等）0件。2026年7月11日に開始し、実施中である。',
    );
    expect(running.responseToIndividuals).not.toContain('代替措置');
    expect(writeDraft(sampleDraftFacts({ notices: [] })).responseToIndividuals).toBe('本人への通知は現時点で未実施である。');
  });

  it('item 7: the disclosure date and the progress statements in their order, dated in Tokyo', () => {
    expect(draft.publication).toBe(
      '2026年7月9日に本件を公表した。\nその後、調査の進捗について次のとおり公表している。\n' +
        '・第1報（2026年7月17日）：調査の進捗について（第1報）\n・第2報（2026年7月24日）：調査の進捗について（第2報）',
    );
    const none = writeDraft(sampleDraftFacts({ incident: { ...sampleDraftFacts().incident, disclosedOn: null }, publications: [] }));
    expect(none.publication).toBe('公表は現時点で未実施である。');
  });

  it('item 8: every countermeasure with its key, title, status in Japanese and due date', () => {
    expect(draft.recurrencePrevention).toContain('・CM-001 当該データベースの稼働停止（検証済、期限：2026年7月4日）');
    expect(draft.recurrencePrevention).toContain(
      '・CM-002 全顧客データベースのアクセス監視強化と外部への持ち出し制限（対応中、期限：2026年9月30日）',
    );
    expect(draft.recurrencePrevention).toContain('・CM-003 情報セキュリティ専門会社によるシステム運営プロセス監査（未着手）');
    expect(writeDraft(sampleDraftFacts({ countermeasures: [] })).recurrencePrevention).toBe('再発防止のための措置は検討中である。');
  });

  it('item 8: every status of the countermeasures context has a distinct Japanese word', () => {
    const words = ALL_COUNTERMEASURE_STATUSES.map((s) => COUNTERMEASURE_STATUS_JA[s]);
    expect(words.every((w) => typeof w === 'string' && w !== '')).toBe(true);
    expect(new Set(words).size).toBe(ALL_COUNTERMEASURE_STATUSES.length);
    const all = writeDraft(
      sampleDraftFacts({
        countermeasures: ALL_COUNTERMEASURE_STATUSES.map((status, n) => ({ key: `CM-${n + 1}`, title: '対策', status, dueDate: null })),
      }),
    ).recurrencePrevention;
    for (const s of ALL_COUNTERMEASURE_STATUSES) expect(all).toContain(`（${COUNTERMEASURE_STATUS_JA[s]}）`);
    expect(all).toContain('実施済（検証待ち）');
  });

  it('item 9: the mandatory cases in their number order with the rationale, without naming the rule pack, and the reports to the police and the regulator', () => {
    const text = draft.other;
    expect(text).toContain('・不正の目的をもって行われたおそれがある漏えい等：アクセス権限を持つ内部者による持ち出しが推定される。');
    expect(text).toContain('・1,000人を超える漏えい等：本人の数が約48,000名と推計される。');
    expect(text.indexOf('不正の目的')).toBeLessThan(text.indexOf('1,000人を超える'));
    expect(text).not.toContain('appi');
    expect(text).toContain('・警察：2026年6月26日に相談');
    expect(writeDraft(sampleDraftFacts({ cases: [] })).other).toMatch(/^報告対象事態への該当性は確認中である。/);
  });

  it('formats: LocalDates as 2026年7月3日, numbers with thousands separators', () => {
    expect(jaDate('2026-07-03')).toBe('2026年7月3日');
    expect(jaDate('2026-12-31')).toBe('2026年12月31日');
    expect(jaNumber(12345)).toBe('12,345');
    expect(jaNumber(1234567)).toBe('1,234,567');
    expect(jaNumber(999)).toBe('999');
    expect(jaNumber(0)).toBe('0');
  });
});
