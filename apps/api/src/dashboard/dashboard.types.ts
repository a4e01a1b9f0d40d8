import { ArgsType, Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { Dashboard } from '@app/dashboard';
import { AuditEngagementStatusEnum, FindingSeverityEnum } from '../audits/audit.types';
import { CountermeasureCategoryEnum, CountermeasureStatusEnum } from '../countermeasures/countermeasure.types';
import { GateBlockerType, GateStateEnum } from '../promotion-gate/gate.types';
import { LocalDateScalar } from '../graphql/local-date.scalar';

const LIMIT = 'At most 50 items';

@ArgsType()
export class DashboardArgs {
  @Field(() => ID, { nullable: true, description: 'Default: the most recent incident' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  incidentId?: string | null;

  @Field(() => LocalDateScalar, {
    nullable: true,
    description: "The day (Asia/Tokyo) to show the picture as it stood at its end; default today. From the incident's first day to today.",
  })
  @IsOptional()
  @IsString()
  asOf?: string | null;
}

@ObjectType('DashboardTotals', { description: "Counts over the incident's countermeasures. Verified = VERIFIED or OPERATING." })
export class DashboardTotalsType {
  @Field(() => Int, { description: 'Countermeasures that stand (every status but CANCELLED)' }) total!: number;
  @Field(() => Int, { description: 'VERIFIED or OPERATING' }) verified!: number;
  @Field(() => Float, { description: 'verified / total, 0..1 (0 when total is 0)' }) verifiedShare!: number;
  @Field(() => Int, { description: 'Marked required for the gate (a CANCELLED one too: it still blocks the gate)' }) requiredTotal!: number;
  @Field(() => Int) requiredVerified!: number;
  @Field(() => Float, { description: 'requiredVerified / requiredTotal, 0..1 (0 when requiredTotal is 0)' }) requiredVerifiedShare!: number;
  @Field(() => Int, {
    description: 'Still needing work (PLANNED, IN_PROGRESS, BLOCKED, IMPLEMENTED, CHANGES_REQUESTED, REOPENED, DEGRADED)',
  })
  open!: number;
  @Field(() => Int, { description: 'All overdue items (the `overdue` list holds at most 50)' }) overdue!: number;
  @Field(() => Int, { description: 'All items due in the next 7 days' }) dueSoon!: number;
  @Field(() => Int, { description: 'All BLOCKED items' }) blocked!: number;
  @Field(() => Int, { description: 'All items at risk' }) atRisk!: number;
}

@ObjectType('StatusCount')
export class StatusCountType {
  @Field(() => CountermeasureStatusEnum) status!: string;
  @Field(() => Int) count!: number;
}

@ObjectType('CategoryStatusCount', { description: 'Countermeasures of one category in one status (a stacked chart)' })
export class CategoryStatusCountType {
  @Field(() => CountermeasureCategoryEnum) category!: string;
  @Field(() => CountermeasureStatusEnum) status!: string;
  @Field(() => Int) count!: number;
}

@ObjectType('DashboardItem', { description: 'A countermeasure as the dashboard lists it' })
export class DashboardItemType {
  @Field(() => ID) id!: string;
  @Field({ description: 'CM-004' }) key!: string;
  @Field() title!: string;
  @Field(() => CountermeasureStatusEnum, { description: 'The status on asOf' }) status!: string;
  @Field(() => LocalDateScalar, { description: 'The due date in force on asOf' }) dueDate!: string;
  @Field(() => Int, { description: 'Days past the due date on asOf (0 on the day, negative: days left)' }) daysOverdue!: number;
  @Field(() => ID) ownerId!: string;
  @Field() ownerName!: string;
}

@ObjectType('BlockedItem', { description: 'A BLOCKED countermeasure and why' })
export class BlockedItemType extends DashboardItemType {
  @Field(() => String, { nullable: true, description: 'The reason given when it was blocked' }) reason!: string | null;
  @Field(() => DateTimeScalar, { nullable: true }) blockedSince!: Date | null;
}

@ObjectType('ReviewQueueSummary', { description: "Evidence waiting for an auditor's review" })
export class ReviewQueueSummaryType {
  @Field(() => Int) waiting!: number;
  @Field(() => DateTimeScalar, { nullable: true }) oldestUploadedAt!: Date | null;
  @Field(() => Int, { nullable: true, description: 'Calendar days (Asia/Tokyo) the oldest has waited on asOf' }) oldestWaitDays!:
    number | null;
}

@ObjectType('SeverityOpenCount')
export class SeverityOpenCountType {
  @Field(() => FindingSeverityEnum) severity!: string;
  @Field(() => Int, { description: 'Open findings (OPEN, or ACCEPTED_RISK whose acceptance no longer stands)' }) open!: number;
}

@ObjectType('FindingSummary')
export class FindingSummaryType {
  @Field(() => [SeverityOpenCountType], { description: 'CRITICAL, HIGH, MEDIUM, LOW (zeros included)' })
  bySeverity!: SeverityOpenCountType[];
  @Field(() => AuditEngagementStatusEnum, {
    nullable: true,
    description: "The status of the incident's latest audit engagement, or null when there is none",
  })
  auditStatus!: string | null;
  @Field({ description: "A clearance of the incident's audit stands" }) cleared!: boolean;
}

@ObjectType('GateSummary', { description: "The incident's promotion gate (its first, if it has several)" })
export class GateSummaryType {
  @Field() key!: string;
  @Field(() => GateStateEnum) state!: string;
  @Field({ description: 'state = OPEN' }) canPromote!: boolean;
  @Field(() => [GateBlockerType], {
    description:
      "Today: the same as gate(key).blockers. A past day: the blockers recorded at the gate's last recorded change (its creation or a state change) before its end",
  })
  blockers!: GateBlockerType[];
}

@ObjectType('OwnerLoad')
export class OwnerLoadType {
  @Field(() => ID) ownerId!: string;
  @Field() ownerName!: string;
  @Field(() => Int) open!: number;
  @Field(() => Int) overdue!: number;
}

@ObjectType('BurnUpPoint', { description: 'The state at the end of one day (Asia/Tokyo), from the history' })
export class BurnUpPointType {
  @Field(() => LocalDateScalar) day!: string;
  @Field(() => Int, { description: 'Countermeasures that stood (not CANCELLED)' }) total!: number;
  @Field(() => Int, { description: 'IMPLEMENTED, VERIFIED, OPERATING or DEGRADED' }) implemented!: number;
  @Field(() => Int, { description: 'VERIFIED or OPERATING' }) verified!: number;
}

@ObjectType('ActivityEntry', { description: 'An audit-trail entry about the incident, in words (no before/after snapshots)' })
export class ActivityEntryType {
  @Field(() => DateTimeScalar) at!: Date;
  @Field() actorLabel!: string;
  @Field({ description: 'e.g. countermeasure.status_changed' }) action!: string;
  @Field() entityType!: string;
  @Field(() => ID) entityId!: string;
  @Field({ description: 'e.g. "CM-004 アクセス権限の絞り込み: IN_PROGRESS → IMPLEMENTED"' }) summary!: string;
  @Field(() => String, {
    nullable: true,
    description: 'The display name of the person who acted; null when the system or an API key did (actorLabel says which)',
  })
  actorName!: string | null;
  @Field({
    description:
      'What the entry concerns, as summary names it without the move: "CM-004 アクセス権限の絞り込み", "F-001 …", an audit\'s title, a gate\'s key',
  })
  subject!: string;
  @Field(() => String, {
    nullable: true,
    description: 'The status (countermeasure, audit engagement) or state (gate) moved from, when the entry moved one',
  })
  fromState!: string | null;
  @Field(() => String, { nullable: true, description: 'The status or state moved to, when the entry moved one' })
  toState!: string | null;
  @Field(() => String, { nullable: true, description: "A review's decision (ACCEPTED, REJECTED) for evidence.reviewed" })
  decision!: string | null;
}

@ObjectType('Dashboard', { description: 'The executive dashboard of one incident, as of the end of one day (Asia/Tokyo)' })
export class DashboardType {
  @Field(() => LocalDateScalar) asOf!: string;
  @Field(() => DateTimeScalar) generatedAt!: Date;
  @Field(() => ID) incidentId!: string;
  @Field() incidentTitle!: string;
  @Field(() => LocalDateScalar, {
    description: "The incident's first day (detected on, or recorded on): the earliest asOf and the burn-up's first day",
  })
  startsOn!: string;
  @Field(() => DashboardTotalsType) totals!: DashboardTotalsType;
  @Field(() => [StatusCountType], { description: 'Every status, in workflow order (zeros included)' }) byStatus!: StatusCountType[];
  @Field(() => [CategoryStatusCountType], { description: 'Non-zero (category, status) pairs' }) byCategory!: CategoryStatusCountType[];
  @Field(() => [DashboardItemType], {
    description: `Open items past their due date, most overdue first. ${LIMIT} (totals.overdue counts all)`,
  })
  overdue!: DashboardItemType[];
  @Field(() => [DashboardItemType], {
    description: `Open items due from asOf to 7 days after, soonest first. ${LIMIT} (totals.dueSoon counts all)`,
  })
  dueSoon!: DashboardItemType[];
  @Field(() => [BlockedItemType], { description: `BLOCKED items, blocked longest first. ${LIMIT} (totals.blocked counts all)` })
  blocked!: BlockedItemType[];
  @Field(() => [DashboardItemType], {
    description: `Verified ongoing measures with a recurring requirement gone stale (no accepted evidence within its period), earliest due first. ${LIMIT}`,
  })
  atRisk!: DashboardItemType[];
  @Field(() => ReviewQueueSummaryType) reviewQueue!: ReviewQueueSummaryType;
  @Field(() => FindingSummaryType) findings!: FindingSummaryType;
  @Field(() => GateSummaryType, { nullable: true, description: 'null if the incident has no gate' }) gate!: GateSummaryType | null;
  @Field(() => [OwnerLoadType], { description: `Owners with open items, most overdue first. ${LIMIT}` }) ownerLoad!: OwnerLoadType[];
  @Field(() => [BurnUpPointType], { description: 'One point per day from startsOn to asOf' }) burnUp!: BurnUpPointType[];
  @Field(() => [ActivityEntryType], {
    description: 'The last 15 audit-trail entries about the incident before the end of asOf, newest first',
  })
  latestActivity!: ActivityEntryType[];

  static from(d: Dashboard): DashboardType {
    return { ...d, gate: d.gate ? { ...d.gate, blockers: d.gate.blockers.map((b) => ({ ...b })) } : null };
  }
}
