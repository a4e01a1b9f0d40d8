import { findingKey } from '@app/audits';
import { countermeasureKey } from '@app/countermeasures';
import type { NotificationKind } from './notification-kinds';
import {
  breachReportDueText,
  breachReportOverdueText,
  dueText,
  gateChangedText,
  goingStaleText,
  overdueText,
  reviewWaitingText,
  riskExpiringText,
  type NotificationText,
} from './notification-texts';

/** What `word` needs of a candidate row (reminder-queries.ts): its facts and the countermeasure's number, if any. */
export interface WordableRow {
  facts: Record<string, unknown>;
  cm_seq?: number | null;
}

/** The words of one candidate row of `kind`. */
export function word(kind: NotificationKind, row: WordableRow): NotificationText {
  const f = row.facts as Record<string, never>;
  const key = row.cm_seq != null ? countermeasureKey(row.cm_seq) : '';
  switch (kind) {
    case 'DUE_IN_7_DAYS':
    case 'DUE_IN_1_DAY':
      return dueText(kind, { countermeasureKey: key, title: f.title, dueDate: f.dueDate, daysLeft: f.daysLeft, ownerName: f.ownerName });
    case 'OVERDUE':
      return overdueText({ countermeasureKey: key, title: f.title, dueDate: f.dueDate, daysLeft: f.daysLeft, ownerName: f.ownerName });
    case 'REVIEW_WAITING':
      return reviewWaitingText({
        countermeasureKey: key,
        countermeasureTitle: f.countermeasureTitle,
        requirementTitle: f.requirementTitle,
        evidenceName: f.evidenceName,
        uploadedByLabel: f.uploadedByLabel,
        uploadedOn: f.uploadedOn,
        waitingDays: f.waitingDays,
      });
    case 'EVIDENCE_GOING_STALE':
      return goingStaleText({
        countermeasureKey: key,
        title: f.title,
        requirementTitle: f.requirementTitle,
        recurrenceDays: f.recurrenceDays,
        latestAcceptedEffectiveOn: f.latestAcceptedEffectiveOn,
        staleOn: f.staleOn,
        daysLeft: f.daysLeft,
      });
    case 'RISK_ACCEPTANCE_EXPIRING': {
      const findingSeq = f.findingSeq as number | null;
      const subject = findingSeq != null ? `指摘 ${findingKey(findingSeq)}「${f.findingTitle}」` : `${key} の要件「${f.requirementTitle}」`;
      return riskExpiringText({
        subject,
        expiresOn: f.expiresOn,
        daysLeft: f.daysLeft,
        acceptedByLabel: f.acceptedByLabel,
        justification: f.justification,
      });
    }
    case 'GATE_CHANGED':
      return gateChangedText({
        gateKey: f.gateKey,
        gateName: f.gateName,
        fromState: f.fromState,
        toState: f.toState,
        cause: f.cause,
        reason: f.reason,
        at: f.at,
      });
    case 'BREACH_REPORT_DUE':
    case 'BREACH_REPORT_OVERDUE': {
      const facts = {
        incidentTitle: f.incidentTitle,
        filingKind: f.filingKind,
        labelJa: f.labelJa,
        labelEn: f.labelEn,
        dueOn: f.dueOn,
        daysLeft: f.daysLeft,
        binding: f.binding,
        guidanceJa: f.guidanceJa,
        guidanceEn: f.guidanceEn,
      };
      return kind === 'BREACH_REPORT_DUE' ? breachReportDueText(facts) : breachReportOverdueText(facts);
    }
    case 'WEEKLY_DIGEST':
      throw new Error('the weekly digest is worded from its facts, not per row');
  }
}
