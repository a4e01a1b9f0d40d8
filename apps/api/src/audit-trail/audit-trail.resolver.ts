import { Inject } from '@nestjs/common';
import { Args, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { AuditTrailService, TrailCheckpointsService } from '@app/audit-trail';
import { Permission } from '@app/identity';
import { Allow } from '../auth/access.decorators';
import { toConnection } from '../common/connection.type';
import type { GqlContext } from '../common/loaders';
import { UserType } from '../identity/user.type';
import { AuditTrailArgs, AuditTrailEntryConnection, AuditTrailEntryType, AuditTrailVerificationType } from './audit-trail.types';
import { VerifyAuditTrailArgs } from './trail-checkpoint.types';

@Resolver(() => AuditTrailEntryType)
export class AuditTrailResolver {
  constructor(
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(TrailCheckpointsService) private readonly checkpoints: TrailCheckpointsService,
  ) {}

  @Allow(Permission.AUDIT_TRAIL_READ)
  @Query(() => AuditTrailEntryConnection, { description: 'The audit trail, newest first' })
  async auditTrail(@Args() args: AuditTrailArgs): Promise<AuditTrailEntryConnection> {
    return toConnection(await this.trail.list(args.filter ?? {}, args), AuditTrailEntryType.from);
  }

  @Allow(Permission.AUDIT_TRAIL_READ)
  @Query(() => AuditTrailVerificationType, {
    description:
      'Recomputes the whole hash chain and reports the first break, if any; and compares a checkpoint with today’s trail (`against`, else the newest stored one)',
  })
  async verifyAuditTrail(@Args() args: VerifyAuditTrailArgs): Promise<AuditTrailVerificationType> {
    // The checkpoint first: a text that is no checkpoint is refused before the long chain check.
    const checkpoint =
      args.against != null ? await this.checkpoints.verifyAgainst(args.against) : await this.checkpoints.verifyNewestStored();
    return AuditTrailVerificationType.from(await this.trail.verify(), checkpoint);
  }

  @ResolveField(() => UserType, { nullable: true, description: 'The acting user (null for the system)' })
  async actor(entry: AuditTrailEntryType, _args: unknown, ctx: GqlContext): Promise<UserType | null> {
    if (!entry.actorId) return null;
    const user = await ctx.loaders.user.load(entry.actorId);
    return user ? UserType.from(user) : null;
  }
}
