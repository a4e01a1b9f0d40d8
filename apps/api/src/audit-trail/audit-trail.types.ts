import { PageArgs } from '../common/page.args';
import { ArgsType, Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { IsDate, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { JSONObjectResolver } from 'graphql-scalars';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import type { AuditTrailEntryEntity, ChainBreak, CheckpointCheck, VerificationResult } from '@app/audit-trail';
import { ConnectionType } from '../common/connection.type';
import { TrailCheckpointCheckType } from './trail-checkpoint.types';

@ObjectType('AuditTrailEntry', { description: 'One link of the hash-chained, append-only audit trail (監査証跡)' })
export class AuditTrailEntryType {
  @Field({ description: 'Position in the chain: 1, 2, 3, ... (a 64-bit integer, as text)' })
  seq!: string;

  @Field(() => ID)
  id!: string;

  @Field(() => DateTimeScalar)
  occurredAt!: Date;

  @Field(() => ID, { nullable: true, description: 'The user who acted; null for the system' })
  actorId!: string | null;

  @Field({ description: 'The acting user’s e-mail at the time, or system:<what>' })
  actorLabel!: string;

  @Field({ description: '<entity>.<verb>, e.g. user.roles_changed' })
  action!: string;

  @Field()
  entityType!: string;

  @Field()
  entityId!: string;

  @Field(() => JSONObjectResolver, { nullable: true })
  before!: Record<string, unknown> | null;

  @Field(() => JSONObjectResolver, { nullable: true })
  after!: Record<string, unknown> | null;

  @Field(() => String, { nullable: true })
  requestId!: string | null;

  @Field({ description: 'SHA-256 (hex) of the previous entry; 64 zeros for the first' })
  prevHash!: string;

  @Field({ description: 'SHA-256 (hex) of this entry’s canonical form (RFC 8785 JSON, format v1)' })
  hash!: string;

  static from(e: AuditTrailEntryEntity): AuditTrailEntryType {
    return { ...e };
  }
}

@ObjectType()
export class AuditTrailEntryConnection extends ConnectionType(AuditTrailEntryType, 'AuditTrailEntry') {}

@ObjectType('AuditTrailBreak')
export class AuditTrailBreakType {
  @Field({
    description: 'HASH_MISMATCH (the entry was altered), PREV_HASH_MISMATCH (an entry before it was removed or altered) or SEQUENCE_GAP',
  })
  kind!: string;

  @Field({ description: 'The first entry that does not check out' })
  seq!: string;

  @Field(() => String, { nullable: true })
  expected!: string | null;

  @Field(() => String, { nullable: true })
  stored!: string | null;
}

@ObjectType('AuditTrailVerification')
export class AuditTrailVerificationType {
  @Field({ description: 'The hash chain checks out from the first entry to the last' })
  intact!: boolean;

  @Field(() => Int, { description: 'Entries verified before the first break (all of them when intact)' })
  entriesChecked!: number;

  @Field(() => String, { nullable: true, description: 'The last entry that checks out' })
  headSeq!: string | null;

  @Field()
  headHash!: string;

  @Field(() => AuditTrailBreakType, { nullable: true })
  firstBreak!: AuditTrailBreakType | null;

  @Field(() => TrailCheckpointCheckType, {
    description:
      'The checkpoint compared with today’s trail: the one given as `against`, else the newest stored one (a cut or a rewrite of the whole chain passes the chain check; only a checkpoint made before shows it)',
  })
  checkpoint!: TrailCheckpointCheckType;

  static from(r: VerificationResult, checkpoint: CheckpointCheck): AuditTrailVerificationType {
    const b: ChainBreak | null = r.firstBreak;
    return {
      checkpoint: TrailCheckpointCheckType.from(checkpoint),
      intact: r.intact,
      entriesChecked: r.entriesChecked,
      headSeq: r.headSeq,
      headHash: r.headHash,
      firstBreak: b
        ? { kind: b.kind, seq: b.seq, expected: 'expected' in b ? b.expected : b.expectedSeq, stored: 'stored' in b ? b.stored : null }
        : null,
    };
  }
}

@InputType()
export class AuditTrailFilterInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  entityType?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  entityId?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  actorId?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'From this time on (inclusive)' })
  @IsOptional()
  @IsDate()
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Before this time (exclusive)' })
  @IsOptional()
  @IsDate()
  to?: Date | null;
}

@ArgsType()
export class AuditTrailArgs extends PageArgs {
  @Field(() => AuditTrailFilterInput, { nullable: true })
  @IsOptional()
  filter?: AuditTrailFilterInput | null;
}
