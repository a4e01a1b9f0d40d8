import { Inject } from '@nestjs/common';
import { Args, Mutation, Query, ResolveField, Resolver } from '@nestjs/graphql';
import DataLoader from 'dataloader';
import { Actor } from '@app/common';
import { TrailCheckpointsService, TrailCosigningService, type TrailCheckpointCosignatureEntity } from '@app/audit-trail';
import { Permission, type UserEntity } from '@app/identity';
import { Allow, CurrentUser, StepUp } from '../auth/access.decorators';
import { toConnection } from '../common/connection.type';
import type { GqlContext } from '../common/loaders';
import { UserType } from '../identity/user.type';
import {
  CosignTrailCheckpointArgs,
  RegisterCosigningKeyArgs,
  TrailCheckpointArgs,
  TrailCheckpointConnection,
  TrailCheckpointCosignatureType,
  TrailCheckpointsArgs,
  TrailCheckpointType,
  TrailConsistencyProofArgs,
  TrailConsistencyProofType,
  TrailCosigningKeyType,
  TrailInclusionProofArgs,
  TrailInclusionProofType,
} from './trail-checkpoint.types';

/** Per request: the co-signatures of every checkpoint on the page, in one query. */
const cosignatureLoaders = new WeakMap<object, DataLoader<string, TrailCheckpointCosignatureEntity[]>>();

/** Signed checkpoints of the audit trail, their proofs, and the auditors' co-signatures (docs/proofs.md). */
@Resolver(() => TrailCheckpointType)
export class TrailCheckpointsResolver {
  constructor(
    @Inject(TrailCheckpointsService) private readonly checkpoints: TrailCheckpointsService,
    @Inject(TrailCosigningService) private readonly cosigning: TrailCosigningService,
  ) {}

  @Allow(Permission.AUDIT_TRAIL_READ)
  @Query(() => TrailCheckpointConnection, { description: 'The trail’s signed checkpoints, newest first' })
  async trailCheckpoints(@Args() args: TrailCheckpointsArgs): Promise<TrailCheckpointConnection> {
    return toConnection(await this.checkpoints.list(args), TrailCheckpointType.from);
  }

  @Allow(Permission.AUDIT_TRAIL_READ)
  @Query(() => TrailCheckpointType, { description: 'The checkpoint of this tree size (NOT_FOUND if none was made)' })
  async trailCheckpoint(@Args() args: TrailCheckpointArgs): Promise<TrailCheckpointType> {
    return TrailCheckpointType.from(await this.checkpoints.bySize(args.size));
  }

  @Allow(Permission.AUDIT_TRAIL_READ)
  @Query(() => TrailInclusionProofType, { description: 'RFC 9162 inclusion proof of entry `seq` in the tree of `treeSize` entries' })
  async trailInclusionProof(@Args() args: TrailInclusionProofArgs): Promise<TrailInclusionProofType> {
    const { treeSize, rootHash, proofs } = await this.checkpoints.inclusionProofs([args.seq], args.treeSize);
    return TrailInclusionProofType.from(proofs[0]!, treeSize, rootHash);
  }

  @Allow(Permission.AUDIT_TRAIL_READ)
  @Query(() => TrailConsistencyProofType, {
    description: 'RFC 9162 consistency proof from the tree of `fromSize` entries to that of `toSize`',
  })
  async trailConsistencyProof(@Args() args: TrailConsistencyProofArgs): Promise<TrailConsistencyProofType> {
    return TrailConsistencyProofType.from(await this.checkpoints.consistencyProof(args.fromSize, args.toSize));
  }

  @Allow(Permission.TRAIL_CHECKPOINT)
  @Mutation(() => TrailCheckpointType, {
    description: 'A checkpoint of the whole trail now, signed by the tracker’s trail key (the newest one if it already covers the trail)',
  })
  async createTrailCheckpoint(@CurrentUser() user: UserEntity): Promise<TrailCheckpointType> {
    return TrailCheckpointType.from(await this.checkpoints.create(Actor.user(user), 'ON_DEMAND'));
  }

  @Allow(Permission.TRAIL_COSIGN)
  // Replacing the key that co-signs in one's name revokes the old one: a fresh second factor, as for adding a factor.
  @StepUp()
  @Mutation(() => TrailCosigningKeyType, {
    description:
      'Auditors: register your Ed25519 public key for co-signing (its note key name is your e-mail); a key registered before is revoked. Needs a second factor proved in the last 5 minutes (STEP_UP_REQUIRED otherwise)',
  })
  async registerCosigningKey(@Args() args: RegisterCosigningKeyArgs, @CurrentUser() user: UserEntity): Promise<TrailCosigningKeyType> {
    return TrailCosigningKeyType.from(await this.cosigning.registerKey(Actor.user(user), args.publicKey));
  }

  @Allow(Permission.TRAIL_COSIGN)
  @Mutation(() => TrailCheckpointType, {
    description: 'Auditors: add your co-signature line over a checkpoint’s body, made with your registered key',
  })
  async cosignTrailCheckpoint(@Args() args: CosignTrailCheckpointArgs, @CurrentUser() user: UserEntity): Promise<TrailCheckpointType> {
    await this.cosigning.cosign(Actor.user(user), args.size, args.signature);
    return TrailCheckpointType.from(await this.checkpoints.bySize(args.size));
  }

  @ResolveField(() => String, {
    description: 'The signed note: body, a blank line, the tracker’s signature line, then the co-signature lines',
  })
  async text(checkpoint: TrailCheckpointType, _args: unknown, ctx: GqlContext): Promise<string> {
    const lines = (await this.cosignaturesLoader(ctx).load(checkpoint.treeSize)).map((c) => c.signature);
    return `${checkpoint.body}\n${checkpoint.signature}\n${lines.join('')}`;
  }

  @ResolveField(() => [TrailCheckpointCosignatureType], { description: 'The auditors’ co-signatures, oldest first' })
  async cosignatures(checkpoint: TrailCheckpointType, _args: unknown, ctx: GqlContext): Promise<TrailCheckpointCosignatureType[]> {
    return (await this.cosignaturesLoader(ctx).load(checkpoint.treeSize)).map(TrailCheckpointCosignatureType.from);
  }

  @ResolveField(() => UserType, { nullable: true, description: 'Who asked for it (null when the system made it)' })
  async createdBy(checkpoint: TrailCheckpointType, _args: unknown, ctx: GqlContext): Promise<UserType | null> {
    if (!checkpoint.createdById) return null;
    const user = await ctx.loaders.user.load(checkpoint.createdById);
    return user ? UserType.from(user) : null;
  }

  private cosignaturesLoader(ctx: GqlContext): DataLoader<string, TrailCheckpointCosignatureEntity[]> {
    let loader = cosignatureLoaders.get(ctx);
    if (!loader) {
      loader = new DataLoader(async (sizes: readonly string[]) => {
        const found = await this.cosigning.cosignaturesOf(sizes);
        return sizes.map((s) => found.get(s) ?? []);
      });
      cosignatureLoaders.set(ctx, loader);
    }
    return loader;
  }
}

@Resolver(() => TrailCheckpointCosignatureType)
export class TrailCheckpointCosignatureResolver {
  @ResolveField(() => UserType, { nullable: true, description: 'The auditor who co-signed' })
  async by(cosignature: TrailCheckpointCosignatureType, _args: unknown, ctx: GqlContext): Promise<UserType | null> {
    const user = await ctx.loaders.user.load(cosignature.userId);
    return user ? UserType.from(user) : null;
  }
}
