import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import {
  FILING_CHANNELS,
  FILING_KINDS,
  FILING_STATUSES,
  NINE_ITEM_LABELS,
  NOTICE_CHANNELS,
  type BreachFilingEntity,
  type BreachNotificationView,
  type DeadlineView,
  type NoticeCampaignEntity,
} from '@app/duties';
import { LocalDateScalar } from '../graphql/local-date.scalar';

const enumOf = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as Record<T, T>;

export const BreachFilingKind = enumOf(FILING_KINDS);
registerEnumType(BreachFilingKind, { name: 'BreachFilingKind', description: 'PRELIMINARY (速報), FINAL (確報), SUPPLEMENT (追完)' });
export const BreachFilingStatus = enumOf(FILING_STATUSES);
registerEnumType(BreachFilingStatus, { name: 'BreachFilingStatus', description: 'DRAFT (editable) → SUBMITTED (frozen)' });
export const BreachFilingChannel = enumOf(FILING_CHANNELS);
registerEnumType(BreachFilingChannel, {
  name: 'BreachFilingChannel',
  description: "How the filing reached the authority (usually the PPC's web form)",
});
export const NoticeChannel = enumOf(NOTICE_CHANNELS);
registerEnumType(NoticeChannel, { name: 'NoticeChannel', description: 'How the individuals are notified: by post or e-mail' });
export const BreachDeadlineState = enumOf(['OPEN', 'LATE', 'SUBMITTED', 'SUBMITTED_LATE', 'NOT_REQUIRED'] as const);
registerEnumType(BreachDeadlineState, {
  name: 'BreachDeadlineState',
  description:
    'OPEN (not yet due), LATE (past due, not submitted), SUBMITTED, SUBMITTED_LATE (submitted after its due day), NOT_REQUIRED (no mandatory case applies)',
});

@ObjectType('RulePack', { description: 'The breach duties of a law as data, with the day they take effect (libs/duties/rule-packs/)' })
export class RulePackType {
  @Field({ description: 'e.g. appi-ppc@2024-04-01' }) id!: string;
  @Field(() => LocalDateScalar) effectiveFrom!: string;
  @Field() lawJa!: string;
  @Field() lawEn!: string;
  @Field() timeZone!: string;
  @Field({ description: 'How days are counted' }) dayCountNote!: string;
  @Field(() => [String]) sources!: string[];
}

@ObjectType('BreachCase', { description: 'A mandatory case (施行規則7条) that applies, with why' })
export class BreachCaseType {
  @Field({ description: 'SENSITIVE_DATA, FINANCIAL_DAMAGE, UNLAWFUL_PURPOSE, OVER_THRESHOLD (as the rule pack names them)' }) code!: string;
  @Field(() => Int, { description: "The law's number (1-4)" }) no!: number;
  @Field() nameJa!: string;
  @Field() rationale!: string;
  @Field({ description: 'Derived by the tracker from the count of individuals rather than asserted by a person' }) derived!: boolean;
}

@ObjectType('BreachDeadline', { description: "A filing's deadline as it stands when read" })
export class BreachDeadlineType {
  @Field(() => BreachFilingKind) kind!: string;
  @Field(() => LocalDateScalar, { nullable: true, description: 'The last day (Asia/Tokyo), from the record as it stands now' })
  dueOn!: string | null;
  @Field(() => Int, { nullable: true, description: 'The limit in days from the day the company knew (day 1)' }) days!: number | null;
  @Field({ description: "A statutory limit (the final report), or the PPC's guidance (the preliminary report's 3-5 days)" })
  binding!: boolean;
  @Field() guidanceJa!: string;
  @Field() guidanceEn!: string;
  @Field(() => BreachDeadlineState) state!: string;
  @Field(() => Int, { nullable: true, description: 'Days to the due day: 0 on it, negative when late; null once submitted' }) daysLeft!:
    number | null;
  @Field(() => Int, { description: 'Days late: at submission, or so far while still open' }) lateDays!: number;
  @Field(() => ID, { nullable: true }) filingId!: string | null;
  @Field(() => DateTimeScalar, { nullable: true }) submittedAt!: Date | null;
  @Field(() => LocalDateScalar, {
    nullable: true,
    description: 'The due day as it stood at submission (dueOn is the live one: a later correction of the record can move it)',
  })
  dueOnAtSubmission!: string | null;
  @Field(() => Int, { nullable: true, description: 'Days late as it stood at submission' }) lateDaysAtSubmission!: number | null;

  static from(d: DeadlineView): BreachDeadlineType {
    return { ...d, guidanceJa: d.guidance.ja, guidanceEn: d.guidance.en };
  }
}

@ObjectType('BreachFilingItems', { description: 'The nine items of a report to the PPC (施行規則8条1項), in Japanese' })
export class BreachFilingItemsType {
  @Field({ description: `1 ${NINE_ITEM_LABELS.overview.ja}` }) overview!: string;
  @Field({ description: `2 ${NINE_ITEM_LABELS.dataItems.ja}` }) dataItems!: string;
  @Field({ description: `3 ${NINE_ITEM_LABELS.individuals.ja}` }) individuals!: string;
  @Field({ description: `4 ${NINE_ITEM_LABELS.cause.ja}` }) cause!: string;
  @Field({ description: `5 ${NINE_ITEM_LABELS.secondaryHarm.ja}` }) secondaryHarm!: string;
  @Field({ description: `6 ${NINE_ITEM_LABELS.responseToIndividuals.ja}` }) responseToIndividuals!: string;
  @Field({ description: `7 ${NINE_ITEM_LABELS.publication.ja}` }) publication!: string;
  @Field({ description: `8 ${NINE_ITEM_LABELS.recurrencePrevention.ja}` }) recurrencePrevention!: string;
  @Field({ description: `9 ${NINE_ITEM_LABELS.other.ja}` }) other!: string;
}

@ObjectType('BreachFiling', { description: 'A filing to the authority: drafted by the tracker, edited, then submitted once and frozen' })
export class BreachFilingType {
  @Field(() => ID) id!: string;
  @Field(() => ID) incidentId!: string;
  @Field(() => BreachFilingKind) kind!: string;
  @Field(() => Int, { nullable: true, description: "A supplement's number (1, 2, ...)" }) supplementNo!: number | null;
  @Field(() => BreachFilingStatus) status!: string;
  @Field(() => BreachFilingItemsType) items!: BreachFilingItemsType;
  @Field() rulePackId!: string;
  @Field(() => LocalDateScalar, {
    nullable: true,
    description:
      "Its due day: as it stood at submission once submitted; while a draft, the rule pack's day for the record as it stands (none for a supplement)",
  })
  dueOn!: string | null;
  /** The record it belongs to (for the field resolvers). */
  notificationId!: string;
  @Field(() => DateTimeScalar, { nullable: true }) submittedAt!: Date | null;
  @Field(() => BreachFilingChannel, { nullable: true }) channel!: string | null;
  @Field(() => String, { nullable: true, description: "The authority's receipt or reference number (受付番号)" }) referenceNumber!:
    string | null;
  @Field(() => Int, { nullable: true, description: 'Days late at submission (0 on time); recorded, never hidden' }) lateDays!:
    number | null;
  @Field(() => String, {
    nullable: true,
    description: 'SHA-256 of the filed items (ppc-filing-items/v1, RFC 8785), also in the trail entry',
  })
  itemsSha256!: string | null;
  @Field(() => String, { nullable: true }) submittedByLabel!: string | null;
  @Field(() => DateTimeScalar, {
    nullable: true,
    description: "When the submission was recorded here (submittedAt may be earlier: filed on the authority's form, entered later)",
  })
  recordedAt!: Date | null;
  @Field(() => Int, { description: 'Send it as expectedVersion to edit or submit' }) version!: number;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field({ description: 'The document for legal review (PDF, Japanese font embedded): GET with the bearer token' }) pdfPath!: string;
  @Field({ description: 'The document for legal review (Word)' }) docxPath!: string;

  static from(f: BreachFilingEntity): BreachFilingType {
    return {
      ...f,
      items: { ...f.items },
      recordedAt: f.status === 'SUBMITTED' ? f.updatedAt : null,
      pdfPath: `/duties/filings/${f.id}.pdf`,
      docxPath: `/duties/filings/${f.id}.docx`,
    };
  }
}

@ObjectType('NoticeCampaign', {
  description: 'Notice to the individuals (本人通知) by post or e-mail, and the substitute for those unreachable',
})
export class NoticeCampaignType {
  @Field(() => ID) id!: string;
  @Field(() => NoticeChannel) channel!: string;
  @Field(() => Int) plannedCount!: number;
  @Field(() => Int) sentCount!: number;
  @Field(() => Int, { description: 'Returned letters or bounced e-mails' }) returnedCount!: number;
  @Field(() => LocalDateScalar, { nullable: true }) startedOn!: string | null;
  @Field(() => LocalDateScalar, { nullable: true }) completedOn!: string | null;
  @Field(() => Int, { description: 'Individuals who cannot be reached' }) unreachableCount!: number;
  @Field(() => LocalDateScalar, { nullable: true, description: 'The substitute: published on the website on this day' })
  substitutePublishedOn!: string | null;
  @Field(() => String, { nullable: true, description: 'The substitute: the inquiry desk' }) substituteInquiryDesk!: string | null;
  @Field({ description: 'Unreachable individuals without a substitute yet' }) substituteMissing!: boolean;
  @Field() note!: string;
  @Field(() => Int) version!: number;

  static from(c: NoticeCampaignEntity): NoticeCampaignType {
    return { ...c, substituteMissing: c.unreachableCount > 0 && c.substitutePublishedOn === null };
  }
}

@ObjectType('BreachDataItem')
export class BreachDataItemType {
  @Field() name!: string;
  @Field({ description: 'Leaked (or possibly leaked); false: confirmed not leaked' }) leaked!: boolean;
}

@ObjectType('BreachNotification', {
  description: "An incident's breach-notification record: the duty to report to the PPC and to notify the individuals",
})
export class BreachNotificationType {
  @Field(() => ID) id!: string;
  @Field(() => ID) incidentId!: string;
  @Field(() => RulePackType, { description: 'The rule pack in effect on the day the company knew' }) rulePack!: RulePackType;
  @Field(() => DateTimeScalar, { description: 'When the company knew (覚知)' }) knownAt!: Date;
  @Field(() => LocalDateScalar, { description: 'The day it knew, in Asia/Tokyo: day 1 of every count' }) knowledgeDay!: string;
  @Field(() => [BreachCaseType], { description: "The mandatory cases that apply, in the law's order" }) cases!: BreachCaseType[];
  @Field({ description: 'Reporting and notice are mandatory (a case applies)' }) mandatory!: boolean;
  @Field() mandatoryReasonJa!: string;
  @Field() mandatoryReasonEn!: string;
  @Field(() => Int, { nullable: true }) individualsEstimate!: number | null;
  @Field(() => LocalDateScalar, { nullable: true }) individualsEstimatedOn!: string | null;
  @Field(() => Int, { nullable: true }) individualsConfirmed!: number | null;
  @Field(() => LocalDateScalar, { nullable: true }) individualsConfirmedOn!: string | null;
  @Field({ description: "PPC or DELEGATED_MINISTER (the rule pack's codes)" }) authorityCode!: string;
  @Field({ description: 'e.g. 個人情報保護委員会, 経済産業大臣' }) authorityName!: string;
  @Field({ description: 'The reporting business' }) reporter!: string;
  @Field(() => [BreachDeadlineType]) deadlines!: BreachDeadlineType[];
  @Field(() => Int) version!: number;
  /** For the field resolvers. */
  assertedCases!: { code: string; rationale: string }[];

  static from(v: BreachNotificationView): BreachNotificationType {
    const r = v.record;
    return {
      ...r,
      rulePack: {
        id: v.pack.id,
        effectiveFrom: v.pack.effectiveFrom,
        lawJa: v.pack.law.ja,
        lawEn: v.pack.law.en,
        timeZone: v.pack.timeZone,
        dayCountNote: v.pack.dayCount.note,
        sources: [...v.pack.sources],
      },
      knowledgeDay: v.knowledgeDay,
      cases: v.cases,
      mandatory: v.mandatory.mandatory,
      mandatoryReasonJa: v.mandatory.reasonJa,
      mandatoryReasonEn: v.mandatory.reasonEn,
      deadlines: v.deadlines.map(BreachDeadlineType.from),
    };
  }
}
