import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { JSONObjectResolver } from 'graphql-scalars';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import {
  ENGAGEMENT_STATUSES,
  FINDING_SEVERITIES,
  FINDING_STATUSES,
  findingKey,
  RISK_ACCEPTANCE_END_KINDS,
  type AuditClearanceEntity,
  type AuditEngagementEntity,
  type AuditEngagementTransitionEntity,
  type AuditFindingEntity,
  type RiskAcceptanceEntity,
} from '@app/audits';
import { ConnectionType } from '../common/connection.type';
import { LocalDateScalar } from '../graphql/local-date.scalar';

const enumOf = (values: readonly string[]) => Object.fromEntries(values.map((v) => [v, v]));
export const AuditEngagementStatusEnum = enumOf(ENGAGEMENT_STATUSES);
registerEnumType(AuditEngagementStatusEnum, {
  name: 'AuditEngagementStatus',
  description: 'PLANNED → FIELDWORK ⇄ REPORTING → CLEARED (clearAudit) or NOT_CLEARED',
});
export const FindingSeverityEnum = enumOf(FINDING_SEVERITIES);
registerEnumType(FindingSeverityEnum, { name: 'FindingSeverity' });
export const FindingStatusEnum = enumOf(FINDING_STATUSES);
registerEnumType(FindingStatusEnum, { name: 'FindingStatus' });
export const RiskAcceptanceStatusEnum = { STANDING: 'STANDING', EXPIRED: 'EXPIRED', REVOKED: 'REVOKED', ENDED: 'ENDED' } as const;
registerEnumType(RiskAcceptanceStatusEnum, {
  name: 'RiskAcceptanceStatus',
  description:
    'STANDING until revoked or past its last day (EXPIRED, even before the daily sweep records it); ENDED when its finding was resolved',
});
export const RiskAcceptanceEndKindEnum = enumOf(RISK_ACCEPTANCE_END_KINDS);
registerEnumType(RiskAcceptanceEndKindEnum, { name: 'RiskAcceptanceEndKind' });

@ObjectType('AuditEngagement', { description: 'An external audit engagement (外部監査)' })
export class AuditEngagementType {
  @Field(() => ID) id!: string;
  @Field(() => ID) incidentId!: string;
  @Field() title!: string;
  @Field({ description: 'The audit firm' }) firm!: string;
  @Field(() => AuditEngagementStatusEnum) status!: string;
  @Field(() => LocalDateScalar, { nullable: true }) startsOn!: string | null;
  @Field(() => LocalDateScalar, { nullable: true }) endsOn!: string | null;
  @Field(() => String, { nullable: true, description: 'The statement of a NOT_CLEARED conclusion' }) conclusion!: string | null;
  @Field(() => Int, { description: 'Send it back as expectedVersion when you change this engagement' }) version!: number;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar) updatedAt!: Date;
  leadAuditorId!: string;

  static from(e: AuditEngagementEntity): AuditEngagementType {
    return { ...e };
  }
}

@ObjectType('AuditEngagementStatusChange', {
  description: 'One entry of the engagement history; a withdrawal says what broke the clearance',
})
export class AuditEngagementTransitionType {
  @Field(() => ID) id!: string;
  @Field(() => AuditEngagementStatusEnum, { nullable: true }) fromStatus!: string | null;
  @Field(() => AuditEngagementStatusEnum) toStatus!: string;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => ID, { nullable: true }) actorId!: string | null;
  @Field() actorLabel!: string;
  @Field(() => DateTimeScalar) at!: Date;

  static from(t: AuditEngagementTransitionEntity): AuditEngagementTransitionType {
    return { ...t };
  }
}

@ObjectType('AuditClearance', { description: 'The lead auditor’s clearance (監査完了), bound by digest to the snapshot it attests' })
export class AuditClearanceType {
  @Field(() => ID) id!: string;
  @Field(() => ID) engagementId!: string;
  @Field(() => ID, { nullable: true }) clearedById!: string | null;
  @Field() clearedByLabel!: string;
  @Field(() => DateTimeScalar) clearedAt!: Date;
  @Field() statement!: string;
  @Field({ description: 'Lowercase hex SHA-256 of the RFC 8785 canonical JSON of payload (format clearance/v1)' }) digest!: string;
  @Field(() => JSONObjectResolver, { description: 'Exactly what was hashed' }) payload!: Record<string, unknown>;
  @Field({ description: 'Not withdrawn' }) standing!: boolean;
  @Field(() => DateTimeScalar, { nullable: true }) withdrawnAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'What broke it' }) withdrawalReason!: string | null;
  @Field(() => String, { nullable: true, description: 'Whose change broke it' }) withdrawnByLabel!: string | null;

  static from(c: AuditClearanceEntity): AuditClearanceType {
    return { ...c, standing: c.withdrawnAt === null };
  }
}

@ObjectType('AuditFinding', { description: 'An audit finding (監査指摘事項)' })
export class AuditFindingType {
  @Field(() => ID) id!: string;
  @Field({ description: 'F-001, F-002 ... within the incident' }) key!: string;
  @Field(() => ID) engagementId!: string;
  @Field(() => ID) incidentId!: string;
  @Field(() => FindingSeverityEnum) severity!: string;
  @Field() title!: string;
  @Field() description!: string;
  @Field(() => FindingStatusEnum) status!: string;
  @Field(() => ID, { nullable: true }) raisedById!: string | null;
  @Field() raisedByLabel!: string;
  @Field(() => DateTimeScalar) raisedAt!: Date;
  @Field(() => String, { nullable: true }) resolutionNote!: string | null;
  @Field(() => DateTimeScalar, { nullable: true }) resolvedAt!: Date | null;
  @Field(() => String, { nullable: true }) resolvedByLabel!: string | null;
  @Field(() => Int) version!: number;
  countermeasureId!: string | null;

  static from(f: AuditFindingEntity): AuditFindingType {
    return { ...f, key: findingKey(f.seq) };
  }
}

@ObjectType('RiskAcceptance', { description: 'An executive’s acceptance of a risk (リスク受容), with an expiry' })
export class RiskAcceptanceType {
  @Field(() => ID) id!: string;
  @Field(() => ID) incidentId!: string;
  @Field(() => ID, { nullable: true }) findingId!: string | null;
  @Field(() => ID, { nullable: true, description: 'An unmet evidence requirement (recorded only; the workflow does not read it yet)' })
  requirementId!: string | null;
  @Field() justification!: string;
  @Field() compensatingControls!: string;
  @Field(() => LocalDateScalar, { description: 'The last day it holds (Asia/Tokyo)' }) expiresOn!: string;
  @Field(() => ID, { nullable: true }) acceptedById!: string | null;
  @Field() acceptedByLabel!: string;
  @Field(() => DateTimeScalar) acceptedAt!: Date;
  @Field(() => RiskAcceptanceStatusEnum) status!: string;
  @Field(() => DateTimeScalar, { nullable: true }) endedAt!: Date | null;
  @Field(() => RiskAcceptanceEndKindEnum, { nullable: true }) endKind!: string | null;
  @Field(() => String, { nullable: true }) endReason!: string | null;
  @Field(() => String, { nullable: true }) endedByLabel!: string | null;

  static from(a: RiskAcceptanceEntity, today: string): RiskAcceptanceType {
    const status =
      a.endKind === 'REVOKED'
        ? 'REVOKED'
        : a.endKind === 'FINDING_RESOLVED'
          ? 'ENDED'
          : a.endKind === 'EXPIRED' || a.expiresOn < today
            ? 'EXPIRED'
            : 'STANDING';
    return { ...a, status };
  }
}

@ObjectType('CountermeasureFromFinding')
export class CountermeasureFromFindingPayload {
  @Field(() => AuditFindingType) finding!: AuditFindingType;
  @Field(() => ID, { description: 'The new countermeasure (also reachable as finding.countermeasure)' }) countermeasureId!: string;
}

@ObjectType('ExpirySweepResult')
export class ExpirySweepResultType {
  @Field(() => Int) expired!: number;
  @Field(() => [String], { description: 'Keys of the findings that are OPEN again' }) reopenedFindings!: string[];
  @Field(() => [ID]) withdrawnClearances!: string[];
}

@ObjectType()
export class AuditEngagementConnection extends ConnectionType(AuditEngagementType, 'AuditEngagement') {}
@ObjectType()
export class AuditFindingConnection extends ConnectionType(AuditFindingType, 'AuditFinding') {}
@ObjectType()
export class RiskAcceptanceConnection extends ConnectionType(RiskAcceptanceType, 'RiskAcceptance') {}
