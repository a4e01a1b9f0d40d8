import { Inject } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Actor } from '@app/common';
import { CheckpointCopies } from '@app/audit-trail';
import { Permission, type UserEntity } from '@app/identity';
import { Allow, CurrentUser } from '../auth/access.decorators';
import { toConnection } from '../common/connection.type';
import { PageArgs } from '../common/page.args';
import { RetryCheckpointCopyArgs, TrailCheckpointCopyConnection, TrailCheckpointCopyType } from './checkpoint-copies.types';

/** Admins watch the checkpoints' copies outside the database and retry a failed one. */
@Resolver(() => TrailCheckpointCopyType)
export class CheckpointCopiesResolver {
  constructor(@Inject(CheckpointCopies) private readonly copies: CheckpointCopies) {}

  @Allow(Permission.INTEGRATIONS_MANAGE)
  @Query(() => TrailCheckpointCopyConnection, {
    description:
      'Admins: checkpoint copies that need a look, newest first: FAILED ones, PENDING ones that failed a try and wait for a retry, and PENDING ones overdue (no worker took them)',
  })
  async checkpointCopyProblems(@Args() args: PageArgs): Promise<TrailCheckpointCopyConnection> {
    return toConnection(await this.copies.problems(args), TrailCheckpointCopyType.from);
  }

  @Allow(Permission.INTEGRATIONS_MANAGE)
  @Mutation(() => TrailCheckpointCopyType, {
    description:
      'Admins: try a FAILED (or waiting) checkpoint copy again now, with a fresh count of tries; a DONE copy is returned as it is. NOT_FOUND for an unknown id',
  })
  async retryCheckpointCopy(@Args() args: RetryCheckpointCopyArgs, @CurrentUser() user: UserEntity): Promise<TrailCheckpointCopyType> {
    return TrailCheckpointCopyType.from(await this.copies.retry(Actor.user(user), args.id));
  }
}
