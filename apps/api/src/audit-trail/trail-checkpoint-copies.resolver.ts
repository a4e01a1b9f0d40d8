import { Inject } from '@nestjs/common';
import { Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import DataLoader from 'dataloader';
import { CheckpointCopies, type TrailCheckpointCopyEntity } from '@app/audit-trail';
import { hasPermission, Permission } from '@app/identity';
import type { GqlContext } from '../common/loaders';
import { TrailCheckpointCopyType } from './checkpoint-copies.types';
import { TrailCheckpointType } from './trail-checkpoint.types';

const LOADER = Symbol('trailCheckpointCopies');
type Ctx = GqlContext & { [LOADER]?: DataLoader<string, TrailCheckpointCopyEntity[]> };

/**
 * `TrailCheckpoint.copies`: where the checkpoint was copied outside the
 * database and how that went, for whoever may read the checkpoint; the last
 * error (server paths, the S3 endpoint and bucket) for admins only
 * (INTEGRATIONS_MANAGE, as checkpointCopyProblems), null for the others. One
 * statement per page of checkpoints (a per-request DataLoader kept on the
 * request's context).
 */
@Resolver(() => TrailCheckpointType)
export class TrailCheckpointCopiesResolver {
  constructor(@Inject(CheckpointCopies) private readonly checkpointCopies: CheckpointCopies) {}

  @ResolveField(() => [TrailCheckpointCopyType], {
    description: 'Its copies outside the database (a file, and when configured an S3 object and a webhook POST), in target order',
  })
  async copies(@Parent() checkpoint: TrailCheckpointType, @Context() ctx: Ctx): Promise<TrailCheckpointCopyType[]> {
    ctx[LOADER] ??= new DataLoader(async (sizes: readonly string[]) => {
      const bySize = await this.checkpointCopies.copiesOf(sizes);
      return sizes.map((s) => bySize.get(s) ?? []);
    });
    const user = ctx.req?.user;
    const showErrors = user !== undefined && hasPermission(user.roles, Permission.INTEGRATIONS_MANAGE);
    return (await ctx[LOADER].load(checkpoint.treeSize)).map((c) => {
      const copy = TrailCheckpointCopyType.from(c);
      return showErrors ? copy : { ...copy, lastError: null };
    });
  }
}
