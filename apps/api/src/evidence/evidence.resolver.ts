import { Inject } from '@nestjs/common';
import { Args, Extensions, Mutation, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Actor, Clock } from '@app/common';
import { type ReviewDecision, EvidenceService } from '@app/evidence';
import { Permission, type SecondFactorProof, type UserEntity } from '@app/identity';
import { Allow, CurrentUser, StepUp, StepUpProof } from '../auth/access.decorators';
import { toConnection } from '../common/connection.type';
import { thenMap } from '../common/loader-helpers';
import { SchemaArg } from '../common/schema-arg';
import type { GqlContext } from '../common/loaders';
import { CountermeasureType, RequirementType } from '../countermeasures/countermeasure.types';
import { CountermeasureTargetType } from '../countermeasures/countermeasure-targets.resolver';
import { UserType } from '../identity/user.type';
import {
  EvidenceArgs,
  ReviewEvidenceInput,
  ReviewQueueArgs,
  SignOffCountermeasureInput,
  SubmitEvidenceAttestationInput,
  SubmitEvidenceLinkInput,
  WithdrawEvidenceInput,
} from './dto/evidence.inputs';
import { EvidenceReviewType, EvidenceType, ReviewQueueConnection, ReviewQueueItemType, SignOffType } from './evidence.types';

const HOUR_MS = 3_600_000;

@Resolver(() => EvidenceType)
export class EvidenceResolver {
  constructor(
    @Inject(EvidenceService) private readonly service: EvidenceService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  @Allow(Permission.REMEDIATION_READ)
  @Query(() => EvidenceType, { description: 'One piece of evidence, any version' })
  async evidence(@Args() args: EvidenceArgs): Promise<EvidenceType> {
    return EvidenceType.from(await this.service.getById(args.id));
  }

  @Allow(Permission.EVIDENCE_REVIEW)
  @Query(() => ReviewQueueConnection, { description: 'Auditors: live evidence waiting for review, oldest first, with its age' })
  async evidenceReviewQueue(@Args() args: ReviewQueueArgs): Promise<ReviewQueueConnection> {
    const page = await this.service.reviewQueue(args, args.incidentId);
    const now = this.clock.now().getTime();
    return toConnection(page, (e): ReviewQueueItemType => {
      const waitingMs = Math.max(0, now - e.uploadedAt.getTime());
      return {
        evidence: EvidenceType.from(e),
        waitingHours: Math.round((waitingMs / HOUR_MS) * 10) / 10,
        waitingDays: Math.floor(waitingMs / (24 * HOUR_MS)),
      };
    });
  }

  @Allow(Permission.EVIDENCE_SUBMIT)
  @Mutation(() => EvidenceType, {
    description: 'Owner and contributors: a link as evidence for a requirement (files: POST /evidence/files)',
  })
  async submitEvidenceLink(@Args('input') input: SubmitEvidenceLinkInput, @CurrentUser() user: UserEntity): Promise<EvidenceType> {
    return EvidenceType.from(await this.service.submitLink(Actor.user(user), input));
  }

  @Allow(Permission.EVIDENCE_SUBMIT)
  @Mutation(() => EvidenceType, { description: 'Owner and contributors: a written attestation as evidence for a requirement' })
  async submitEvidenceAttestation(
    @Args('input') input: SubmitEvidenceAttestationInput,
    @CurrentUser() user: UserEntity,
  ): Promise<EvidenceType> {
    return EvidenceType.from(await this.service.submitAttestation(Actor.user(user), input));
  }

  @Allow(Permission.EVIDENCE_SUBMIT)
  @Mutation(() => EvidenceType, {
    description: 'Owner and contributors: take evidence back, with a reason (the record and the bytes stay); reopens verified work',
  })
  async withdrawEvidence(@Args('input') input: WithdrawEvidenceInput, @CurrentUser() user: UserEntity): Promise<EvidenceType> {
    return EvidenceType.from(await this.service.withdraw(Actor.user(user), input.evidenceId, input.expectedVersion, input.reason));
  }

  @Allow(Permission.EVIDENCE_REVIEW)
  @Mutation(() => EvidenceReviewType, {
    description: 'Auditors: ACCEPTED, REJECTED or NEEDS_MORE, bound to the SHA-256 reviewed; a rejection sends IMPLEMENTED work back',
  })
  async reviewEvidence(@Args('input') input: ReviewEvidenceInput, @CurrentUser() user: UserEntity): Promise<EvidenceReviewType> {
    return EvidenceReviewType.from(
      await this.service.review(
        Actor.user(user),
        input.evidenceId,
        input.sha256,
        input.decision as ReviewDecision,
        input.comment ?? null,
        input.expectedVersion,
      ),
    );
  }

  @Allow(Permission.EVIDENCE_REVIEW)
  @StepUp()
  @Mutation(() => SignOffType, {
    description: 'Auditors without a part in the work: IMPLEMENTED → VERIFIED when every requirement’s live evidence is accepted',
  })
  async signOffCountermeasure(
    @Args('input') input: SignOffCountermeasureInput,
    @CurrentUser() user: UserEntity,
    @StepUpProof() proof: SecondFactorProof | null,
  ): Promise<SignOffType> {
    return SignOffType.from(
      await this.service.signOff(Actor.user(user, proof), input.countermeasureId, input.expectedVersion, input.statement ?? null),
    );
  }

  // listSize: the cost analysis's estimate of this list (query-cost.ts), not a cap.
  @Extensions({ listSize: 3 })
  @ResolveField(() => [EvidenceReviewType], { description: 'Every review of this version, oldest first' })
  reviews(e: EvidenceType, _args: unknown, ctx: GqlContext): EvidenceReviewType[] | Promise<EvidenceReviewType[]> {
    return thenMap(ctx.loaders.evidence.reviews.get(e.id), (rows) => rows.map(EvidenceReviewType.from));
  }

  @ResolveField(() => String, { nullable: true, description: 'FILE: where to download the bytes (GET, with the bearer token)' })
  downloadPath(e: EvidenceType): string | null {
    return e.kind === 'FILE' ? `/evidence/${e.id}/content` : null;
  }

  @ResolveField(() => UserType, { nullable: true })
  uploadedBy(e: EvidenceType, _args: unknown, ctx: GqlContext): UserType | null | Promise<UserType | null> {
    return thenMap(ctx.loaders.user.get(e.uploadedById), (u) => (u ? UserType.from(u) : null));
  }

  @ResolveField(() => CountermeasureType, { nullable: true })
  countermeasure(e: EvidenceType, _args: unknown, ctx: GqlContext): CountermeasureType | null | Promise<CountermeasureType | null> {
    return thenMap(ctx.loaders.countermeasure.get(e.countermeasureId), (c) => (c ? CountermeasureType.from(c) : null));
  }
}

/** Evidence state on each requirement. */
@Resolver(() => RequirementType)
export class RequirementEvidenceResolver {
  @Extensions({ listSize: 3 })
  @ResolveField(() => [EvidenceType], { description: 'Live evidence (latest versions, not withdrawn); all versions with includeHistory' })
  // Its argument is declared for the schema only (SchemaArg): no parameter decorator, so Nest calls it as it
  // is, without a per-call context and pipes, 250 times on a page of 50 items.
  evidence(
    r: RequirementType,
    @SchemaArg('includeHistory', { type: () => Boolean, defaultValue: false }) args: { includeHistory: boolean },
    ctx: GqlContext,
  ): EvidenceType[] | Promise<EvidenceType[]> {
    return thenMap(ctx.loaders.evidence.byRequirement.get(r.id), (rows) =>
      rows.filter((e) => args.includeHistory || e.status === 'SUBMITTED').map(EvidenceType.from),
    );
  }
}

/** Sign-offs on each countermeasure. */
@Resolver(() => CountermeasureType)
export class CountermeasureSignOffResolver {
  @ResolveField(() => SignOffType, { nullable: true, description: 'The standing sign-off, if any' })
  signOff(c: CountermeasureType, _args: unknown, ctx: GqlContext): SignOffType | null | Promise<SignOffType | null> {
    return thenMap(ctx.loaders.evidence.signOffs.get(c.id), (rows) => {
      const s = rows.find((x) => x.revokedAt === null);
      return s ? SignOffType.from(s) : null;
    });
  }

  @ResolveField(() => [SignOffType], { description: 'Every sign-off, revoked ones included, oldest first' })
  signOffs(c: CountermeasureType, _args: unknown, ctx: GqlContext): SignOffType[] | Promise<SignOffType[]> {
    return thenMap(ctx.loaders.evidence.signOffs.get(c.id), (rows) => rows.map(SignOffType.from));
  }
}

/** Each target (one system) has its own evidence. */
@Resolver(() => CountermeasureTargetType)
export class TargetEvidenceResolver {
  @ResolveField(() => [EvidenceType], { description: 'Live evidence for this target; all versions with includeHistory' })
  async evidence(
    t: CountermeasureTargetType,
    @SchemaArg('includeHistory', { type: () => Boolean, defaultValue: false }) args: { includeHistory: boolean },
    ctx: GqlContext,
  ): Promise<EvidenceType[]> {
    const rows = await ctx.loaders.evidence.byTarget.load(t.id);
    return rows.filter((e) => args.includeHistory || e.status === 'SUBMITTED').map(EvidenceType.from);
  }
}
