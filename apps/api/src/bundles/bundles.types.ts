import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsDate, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import { BUNDLE_SCOPES, BUNDLE_STATUSES, type BundleScope, type EvidenceBundleEntity } from '@app/bundles';
import { ConnectionType } from '../common/connection.type';

const enumOf = (values: readonly string[]) => Object.fromEntries(values.map((v) => [v, v]));

export const BundleScopeEnum = enumOf(BUNDLE_SCOPES);
registerEnumType(BundleScopeEnum, {
  name: 'EvidenceBundleScope',
  valuesMap: {
    INCIDENT: { description: 'The incident and everything of it' },
    ENGAGEMENT: { description: 'An external audit engagement: its scope’s countermeasures, its findings and clearances' },
    COUNTERMEASURE: { description: 'One countermeasure: its requirements, evidence, reviews and sign-offs' },
  },
});

export const BundleStatusEnum = enumOf(BUNDLE_STATUSES);
registerEnumType(BundleStatusEnum, {
  name: 'EvidenceBundleStatus',
  valuesMap: {
    QUEUED: { description: 'Waiting for the builder' },
    BUILDING: { description: 'Being built: see filesDone / bytesDone' },
    READY: { description: 'Built: download it at downloadPath' },
    FAILED: { description: 'Not built: see error' },
  },
});

@InputType('ExportEvidenceBundleInput')
export class ExportEvidenceBundleInput {
  @Field(() => BundleScopeEnum)
  @IsIn(BUNDLE_SCOPES)
  scope!: BundleScope;

  @Field(() => ID, { description: 'The incident, engagement or countermeasure' })
  @IsString()
  @MaxLength(100)
  id!: string;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'The instant the bundle shows (default now; never in the future): the trail up to it and the records that existed then',
  })
  @IsOptional()
  @IsDate()
  asOf?: Date | null;
}

@ObjectType('EvidenceBundle', {
  description:
    'An evidence bundle export: a signed BagIt zip an auditor can check offline (docs/proofs.md). Built in the background; one export of a scope at a time.',
})
export class EvidenceBundleType {
  @Field(() => ID) id!: string;
  @Field(() => BundleScopeEnum) scope!: string;
  @Field(() => ID) scopeId!: string;
  @Field(() => ID) incidentId!: string;
  @Field(() => DateTimeScalar) asOf!: Date;
  @Field(() => BundleStatusEnum) status!: string;
  @Field(() => Int, { description: 'Evidence files written into the zip so far' }) filesDone!: number;
  @Field(() => Int, { description: 'Evidence files the bundle holds (known once building has started)' }) filesTotal!: number;
  @Field(() => Float, { description: 'Bytes of evidence written so far' }) bytesDone!: number;
  @Field(() => Float, { description: 'Bytes of evidence the bundle holds' }) bytesTotal!: number;
  @Field(() => String, { nullable: true, description: 'Lowercase hex SHA-256 of the zip (READY)' }) sha256!: string | null;
  @Field(() => Float, { nullable: true, description: 'The zip’s size in bytes (READY)' }) size!: number | null;
  @Field(() => String, { nullable: true }) fileName!: string | null;
  @Field(() => String, { nullable: true, description: 'Why it failed (FAILED)' }) error!: string | null;
  @Field(() => String, { description: 'Who asked for it (e-mail)' }) requestedBy!: string;
  @Field(() => DateTimeScalar) requestedAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) finishedAt!: Date | null;
  @Field(() => Float, { nullable: true, description: 'The trail checkpoint the inclusion proofs are against' }) checkpointSize!:
    number | null;
  @Field(() => String, { nullable: true, description: 'GET this path with the bearer token (READY)' }) downloadPath!: string | null;

  static from(b: EvidenceBundleEntity): EvidenceBundleType {
    return Object.assign(new EvidenceBundleType(), {
      id: b.id,
      scope: b.scope,
      scopeId: b.scopeId,
      incidentId: b.incidentId,
      asOf: b.asOf,
      status: b.status,
      filesDone: b.filesDone,
      filesTotal: b.filesTotal,
      bytesDone: b.bytesDone,
      bytesTotal: b.bytesTotal,
      sha256: b.sha256,
      size: b.size,
      fileName: b.fileName,
      error: b.error,
      requestedBy: b.requestedByLabel,
      requestedAt: b.requestedAt,
      finishedAt: b.finishedAt,
      checkpointSize: b.checkpointSize,
      downloadPath: b.status === 'READY' ? `/bundles/${b.id}` : null,
    });
  }
}

@ObjectType()
export class EvidenceBundleConnection extends ConnectionType(EvidenceBundleType, 'EvidenceBundle') {}
