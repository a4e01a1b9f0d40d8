import type { CountermeasureStatus } from '@app/countermeasures';
import type { DraftFacts } from './draft-facts';
import { jaDate, jaDateOfInstant, jaDateTime, jaNumber } from './ja-format';
import type { HotlineKind } from '../hotline/domain/hotline-rules';
import type { NineItems } from './nine-items';

/**
 * The draft of a PPC report's nine items, written by the tracker from what it holds (issue 15): the timeline → 1,
 * the leaked categories → 2, the count → 3, the cause and the parties → 4, the hotline figures → 5, the notice
 * campaigns → 6, the publications → 7, the countermeasures with their status → 8, the mandatory cases → 9.
 *
 * Written in the plain formal style of the PPC's 記載例 (である調: 「…した。」「…である。」), one style throughout; what the
 * tracker does not hold yet is said to be under investigation (調査中) rather than left blank. Dates are written
 * `2026年7月3日`, the moment the company knew on the Tokyo wall clock, numbers with thousands separators. Pure and
 * deterministic: the same facts give the same text. The legal lead edits the text before submission.
 */
export function writeDraft(facts: DraftFacts): NineItems {
  return {
    overview: overview(facts),
    dataItems: dataItems(facts),
    individuals: individuals(facts),
    cause: cause(facts),
    secondaryHarm: secondaryHarm(facts),
    responseToIndividuals: responseToIndividuals(facts),
    publication: publication(facts),
    recurrencePrevention: recurrencePrevention(facts),
    other: other(facts),
  };
}

/** The hotline's kinds of contact (item 5), in the order they are listed. */
export const HOTLINE_KIND_LABEL_JA: Readonly<Record<string, string>> = {
  BREACH_QUESTION: '本件に関するお問い合わせ',
  IMPERSONATION_REPORT: '当社を装った不審な郵便物・電話の報告',
  STOP_CONTACT_REQUEST: '連絡停止のご依頼',
  OTHER: 'その他',
} satisfies Record<HotlineKind, string>;

/**
 * A countermeasure's status as item 8 states it to the authority (every status of libs/countermeasures: a new one
 * fails to compile here). REOPENED and DEGRADED are spelled out, since 再開 / 後退 alone read ambiguously to an outsider.
 */
export const COUNTERMEASURE_STATUS_JA: Readonly<Record<CountermeasureStatus, string>> = {
  PLANNED: '未着手',
  IN_PROGRESS: '対応中',
  BLOCKED: '停滞',
  IMPLEMENTED: '実施済（検証待ち）',
  CHANGES_REQUESTED: '差戻し（再対応中）',
  VERIFIED: '検証済',
  OPERATING: '運用中',
  DEGRADED: '運用中（定期確認の遅れ）',
  REOPENED: '再開（再対応中）',
  CANCELLED: '中止',
};

/** The incidents context's party kinds (item 4). */
const PARTY_KIND_JA: Readonly<Record<string, string>> = {
  POLICE: '警察',
  REGULATOR: '監督官庁',
  INVESTIGATION_FIRM: '調査会社',
  MONITORING_FIRM: '監視委託先',
  AUDIT_FIRM: '監査機関',
  OTHER: 'その他',
};

const CHANNEL_JA: Readonly<Record<string, string>> = { POST: '郵送', EMAIL: '電子メール' };

const KIND_INTRO: Readonly<Record<DraftFacts['kind'], string>> = {
  PRELIMINARY: '本報告は速報であり、現時点で判明している範囲で記載する。',
  FINAL: '本報告は確報である。',
  SUPPLEMENT: '本報告は、既に提出した報告の内容を追完するものである。',
};

const lines = (...parts: (string | null | false | undefined)[]) => parts.filter((p): p is string => !!p).join('\n');
/** A sentence's text without its closing 。, so that two sentences can be joined without 。。. */
const bare = (s: string) => s.trim().replace(/[。．.]+$/u, '');
const bullet = (s: string) => `・${s}`;

function overview(f: DraftFacts): string {
  const i = f.incident;
  const events = f.timeline.map((e) => {
    const what = [bare(e.title), bare(e.description)].filter((s) => s !== '' && s !== undefined);
    const text = what.length === 2 && what[0] === what[1] ? what[0]! : what.join('。');
    return bullet(`${jaDate(e.occurredOn)}\u3000${text}。`);
  });
  return lines(
    KIND_INTRO[f.kind],
    `${f.reporter}において、${bare(i.title)}が発生した。`,
    `当社が本事態を覚知した日時は${jaDateTime(f.knownAt)}である。`,
    i.detectedOn && `本事態の発覚日は${jaDate(i.detectedOn)}である。`,
    events.length > 0 ? `経緯は次のとおりである。\n${events.join('\n')}` : '経緯については調査中である。',
  );
}

function dataItems(f: DraftFacts): string {
  const leaked = f.dataCategories.filter((c) => c.leaked);
  const notLeaked = f.dataCategories.filter((c) => !c.leaked);
  return lines(
    leaked.length > 0
      ? `漏えい等が発生し、又は発生したおそれがある個人データの項目は次のとおりである。\n${leaked.map((c) => bullet(c.name)).join('\n')}`
      : '漏えい等が発生し、又は発生したおそれがある個人データの項目は調査中である。',
    notLeaked.length > 0 &&
      `なお、次の項目については漏えいしていないことを確認している。\n${notLeaked.map((c) => bullet(c.name)).join('\n')}`,
  );
}

function individuals(f: DraftFacts): string {
  const { estimate, estimatedOn, confirmed, confirmedOn } = f.individuals;
  const estimateText =
    estimate === null ? null : `約${jaNumber(estimate)}名${estimatedOn ? `（${jaDate(estimatedOn)}時点の推計）` : '（推計）'}`;
  if (confirmed !== null) {
    return lines(
      `本人の数は${jaNumber(confirmed)}名である${confirmedOn ? `（${jaDate(confirmedOn)}確定）` : '（確定値）'}。`,
      estimateText && `なお、当初の推計は${estimateText}であった。`,
    );
  }
  if (estimateText) return `本人の数は${estimateText}である。確定した数は調査中である。`;
  return '本人の数は調査中である。';
}

function cause(f: DraftFacts): string {
  const summary = f.incident.summary.trim();
  const parties = f.parties.map((p) => {
    const kind = PARTY_KIND_JA[p.kind] ?? p.kind;
    const who = p.name === kind ? p.name : `${p.name}（${kind}）`;
    const role = bare(p.role);
    return bullet(role === '' || role === kind || role === p.name ? who : `${who}：${role}`);
  });
  return lines(
    summary !== '' ? `現時点で判明している事実は次のとおりである。\n${summary}` : '原因は調査中である。',
    parties.length > 0 && `本件に関係する機関等は次のとおりである。\n${parties.join('\n')}`,
  );
}

function period(from: string | null, to: string | null): string {
  if (from && to) return `${jaDate(from)}から${jaDate(to)}までの間に`;
  if (from) return `${jaDate(from)}以降`;
  if (to) return `${jaDate(to)}までに`;
  return 'これまでに';
}

function secondaryHarm(f: DraftFacts): string {
  const h = f.hotline;
  if (h.total === 0 && h.byKind.every((k) => k.count === 0) && h.notableCases.length === 0) {
    return '専用窓口への問い合わせ件数の集計はまだない。二次被害又はそのおそれの有無については調査中である。';
  }
  const count = (kind: string) => h.byKind.filter((k) => k.kind === kind).reduce((n, k) => n + k.count, 0);
  const known = Object.keys(HOTLINE_KIND_LABEL_JA);
  const others = [...new Set(h.byKind.map((k) => k.kind).filter((k) => !known.includes(k)))];
  const breakdown = [...known, ...others].map((k) => bullet(`${HOTLINE_KIND_LABEL_JA[k] ?? k}：${jaNumber(count(k))}件`));
  const impersonation = count('IMPERSONATION_REPORT');
  const cases = h.notableCases.map((c) =>
    bullet(`${jaDate(c.occurredOn)}（${HOTLINE_KIND_LABEL_JA[c.kind] ?? c.kind}）：${bare(c.summary)}。`),
  );
  return lines(
    `専用窓口には、${period(h.from, h.to)}合計${jaNumber(h.total)}件の問い合わせ等があった。その内訳は次のとおりである。`,
    breakdown.join('\n'),
    impersonation === 0
      ? '当社を装った不審な郵便物・電話の報告はなく、現時点で二次被害は確認されていない。'
      : `当社を装った不審な郵便物・電話の報告が${jaNumber(impersonation)}件あり、二次被害のおそれがある。`,
    cases.length > 0 && `主な事例は次のとおりである。\n${cases.join('\n')}`,
  );
}

function responseToIndividuals(f: DraftFacts): string {
  if (f.notices.length === 0) return '本人への通知は現時点で未実施である。';
  const out: string[] = ['本人への通知の実施状況は次のとおりである。'];
  for (const n of f.notices) {
    const channel = CHANNEL_JA[n.channel] ?? n.channel;
    const when = n.startedOn
      ? n.completedOn
        ? `${jaDate(n.startedOn)}に開始し、${jaDate(n.completedOn)}に完了した`
        : `${jaDate(n.startedOn)}に開始し、実施中である`
      : '未開始である';
    out.push(
      bullet(
        `${channel}による通知：対象${jaNumber(n.plannedCount)}名、送付済${jaNumber(n.sentCount)}件、` +
          `不達（返送等）${jaNumber(n.returnedCount)}件。${when}。`,
      ),
    );
    if (n.substitutePublishedOn) {
      const unreachable = n.unreachableCount > 0 ? `（${jaNumber(n.unreachableCount)}名）` : '';
      const desk = n.substituteInquiryDesk ? `（${bare(n.substituteInquiryDesk)}）` : '';
      out.push(
        `\u3000${channel}による通知が困難な本人${unreachable}については、代替措置として${jaDate(n.substitutePublishedOn)}に公表を行い、問合せ窓口${desk}を設けた。`,
      );
    } else if (n.unreachableCount > 0) {
      out.push(`\u3000${channel}による通知が到達しない本人が${jaNumber(n.unreachableCount)}名あり、代替措置は未実施である。`);
    }
  }
  return out.join('\n');
}

function publication(f: DraftFacts): string {
  const disclosed = f.incident.disclosedOn;
  const progress = [...f.publications]
    .sort((a, b) => a.number - b.number)
    .map((p) => bullet(`第${p.number}報（${jaDateOfInstant(p.publishedAt)}）：${bare(p.titleJa)}`));
  if (!disclosed && progress.length === 0) return '公表は現時点で未実施である。';
  return lines(
    disclosed && `${jaDate(disclosed)}に本件を公表した。`,
    progress.length > 0 && `${disclosed ? 'その後、' : ''}調査の進捗について次のとおり公表している。\n${progress.join('\n')}`,
  );
}

function recurrencePrevention(f: DraftFacts): string {
  if (f.countermeasures.length === 0) return '再発防止のための措置は検討中である。';
  const items = f.countermeasures.map((c) => {
    const status = COUNTERMEASURE_STATUS_JA[c.status as CountermeasureStatus] ?? c.status;
    const due = c.dueDate ? `、期限：${jaDate(c.dueDate)}` : '';
    return bullet(`${c.key} ${bare(c.title)}（${status}${due}）`);
  });
  return `再発防止のため、次の措置を講じている（括弧内は本報告作成時点の進捗状況）。\n${items.join('\n')}`;
}

function other(f: DraftFacts): string {
  const i = f.incident;
  const cases = [...f.cases].sort((a, b) => a.no - b.no).map((c) => bullet(`${c.nameJa}：${bare(c.rationale)}。`));
  const reports = [
    i.policeReportedOn && bullet(`警察：${jaDate(i.policeReportedOn)}に相談`),
    i.regulatorReportedOn && bullet(`監督官庁：${jaDate(i.regulatorReportedOn)}に報告・相談`),
  ].filter((r): r is string => !!r);
  return lines(
    cases.length > 0 ? `本件は、次の報告対象事態に該当する。\n${cases.join('\n')}` : '報告対象事態への該当性は確認中である。',
    reports.length > 0 && `他の機関への報告・相談の状況は次のとおりである。\n${reports.join('\n')}`,
  );
}
