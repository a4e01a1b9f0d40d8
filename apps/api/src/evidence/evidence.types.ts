import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import {
  EVIDENCE_KINDS,
  EVIDENCE_STATUSES,
  REVIEW_DECISIONS,
  type EvidenceEntity,
  type EvidenceReviewEntity,
  type SignOffEntity,
} from '@app/evidence';
import { ConnectionType } from '../common/connection.type';
import { LocalDateScalar } from '../graphql/local-date.scalar';

const enumOf = (values: readonly string[]) => Object.fromEntries(values.map((v) => [v, v]));
export const EvidenceKindEnum = enumOf(EVIDENCE_KINDS);
registerEnumType(EvidenceKindEnum, { name: 'EvidenceKind', description: 'A file, a link, or a written attestation' });
export const EvidenceStatusEnum = enumOf(EVIDENCE_STATUSES);
registerEnumType(EvidenceStatusEnum, {
  name: 'EvidenceStatus',
  description: 'SUBMITTED (live), SUPERSEDED by a newer version, or WITHDRAWN with a reason',
});
export const ReviewDecisionEnum = enumOf(REVIEW_DECISIONS);
registerEnumType(ReviewDecisionEnum, { name: 'ReviewDecision' });

@ObjectType('Evidence', { description: 'Submitted evidence (証跡). What was submitted never changes.' })
export class EvidenceType {
  @Field(() => ID) id!: string;
  @Field(() => ID) countermeasureId!: string;
  @Field(() => ID) requirementId!: string;
  @Field(() => ID, { nullable: true }) targetId!: string | null;
  @Field(() => EvidenceKindEnum) kind!: string;
  @Field({ description: 'The file name as uploaded (display only), or the title of a link or attestation' }) name!: string;
  @Field() description!: string;
  @Field(() => String, { nullable: true, description: 'FILE: the type detected from the bytes' }) mediaType!: string | null;
  @Field(() => Float, { nullable: true }) sizeBytes!: number | null;
  @Field({
    description: 'Lowercase hex SHA-256 of the bytes (FILE) or of the canonical content (LINK, ATTESTATION; format evidence-content/v1)',
  })
  sha256!: string;
  @Field(() => String, { nullable: true }) url!: string | null;
  @Field(() => String, { nullable: true }) statement!: string | null;
  @Field(() => LocalDateScalar, { description: 'The day the evidence speaks for' }) effectiveOn!: string;
  @Field(() => Int) versionNo!: number;
  @Field(() => ID, { nullable: true }) supersedesId!: string | null;
  @Field(() => ID, { nullable: true }) supersededById!: string | null;
  @Field() uploadedByLabel!: string;
  @Field(() => DateTimeScalar) uploadedAt!: Date;
  @Field(() => EvidenceStatusEnum) status!: string;
  @Field(() => DateTimeScalar, { nullable: true }) withdrawnAt!: Date | null;
  @Field(() => String, { nullable: true }) withdrawnByLabel!: string | null;
  @Field(() => String, { nullable: true }) withdrawalReason!: string | null;
  @Field(() => ReviewDecisionEnum, { nullable: true, description: 'The latest review; null while waiting for review' }) reviewDecision!:
    string | null;
  @Field(() => DateTimeScalar, { nullable: true }) reviewedAt!: Date | null;
  @Field(() => Int, { description: 'Send it back as expectedVersion to withdraw' }) version!: number;
  // downloadPath: resolved from kind and id (EvidenceResolver).
  uploadedById!: string;

  /** The row itself: GraphQL reads only the fields above (a page shows hundreds; none is copied). */
  static from(e: EvidenceEntity): EvidenceType {
    return e;
  }
}

@ObjectType('EvidenceReview', { description: "An auditor's review, bound to the SHA-256 it covered" })
export class EvidenceReviewType {
  @Field(() => ID) id!: string;
  @Field(() => ID) evidenceId!: string;
  @Field() sha256!: string;
  @Field(() => ReviewDecisionEnum) decision!: string;
  @Field() comment!: string;
  @Field(() => ID) reviewerId!: string;
  @Field() reviewerLabel!: string;
  @Field(() => DateTimeScalar) at!: Date;

  static from(r: EvidenceReviewEntity): EvidenceReviewType {
    return { ...r };
  }
}

@ObjectType('SignOff', { description: "An auditor's sign-off: the digest binds it to the evidence it rests on (format sign-off/v1)" })
export class SignOffType {
  @Field(() => ID) id!: string;
  @Field(() => ID) countermeasureId!: string;
  @Field(() => ID) auditorId!: string;
  @Field() auditorLabel!: string;
  @Field(() => DateTimeScalar) signedAt!: Date;
  @Field() statement!: string;
  @Field({ description: 'SHA-256 (hex) of the RFC 8785 form of payload' }) digest!: string;
  @Field({ description: 'Exactly what was hashed, as JSON text' }) payloadJson!: string;
  @Field(() => DateTimeScalar, { nullable: true }) revokedAt!: Date | null;
  @Field(() => String, { nullable: true }) revokedReason!: string | null;

  static from(s: SignOffEntity): SignOffType {
    return { ...s, payloadJson: JSON.stringify(s.payload) };
  }
}

@ObjectType('ReviewQueueItem', { description: 'Evidence waiting for review, with its age' })
export class ReviewQueueItemType {
  @Field(() => EvidenceType) evidence!: EvidenceType;
  @Field(() => Float, { description: 'Hours since upload' }) waitingHours!: number;
  @Field(() => Int, { description: 'Whole days since upload' }) waitingDays!: number;
}

@ObjectType()
export class ReviewQueueConnection extends ConnectionType(ReviewQueueItemType, 'ReviewQueueItem') {}
