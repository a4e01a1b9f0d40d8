import { Inject } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Actor } from '@app/common';
import { ProgressStatementsService } from '@app/duties';
import { Permission, type UserEntity } from '@app/identity';
import { Allow, CurrentUser } from '../auth/access.decorators';
import { toConnection } from '../common/connection.type';
import { ProgressStatementsArgs, PublishProgressStatementInput } from './progress.inputs';
import { ProgressStatementConnection, ProgressStatementType } from './progress.types';

/** Progress statements (promise 9): executives publish; the plan's readers list them. The public reads GET /progress. */
@Resolver(() => ProgressStatementType)
export class ProgressStatementsResolver {
  constructor(@Inject(ProgressStatementsService) private readonly statements: ProgressStatementsService) {}

  @Allow(Permission.PROGRESS_PUBLISH)
  @Mutation(() => ProgressStatementType, {
    description:
      'Executives: publish a progress statement on the public page (GET /progress). Numbered per incident, dated, never changed. ' +
      'A correction names the statement it corrects (corrects, with correctionNoteJa/En). A text naming a user of the tracker, an ' +
      'e-mail address, or evidence or review comments of the countermeasures shown is BAD_USER_INPUT (NOT_PUBLISHABLE, naming the field)',
  })
  async publishProgressStatement(
    @Args('input') input: PublishProgressStatementInput,
    @CurrentUser() user: UserEntity,
  ): Promise<ProgressStatementType> {
    const row = await this.statements.publish(Actor.user(user), input);
    return ProgressStatementType.from(await this.statements.getById(row.id));
  }

  @Allow(Permission.REMEDIATION_READ)
  @Query(() => ProgressStatementConnection, { description: 'An incident’s published progress statements, newest first' })
  async progressStatements(@Args() args: ProgressStatementsArgs): Promise<ProgressStatementConnection> {
    return toConnection(await this.statements.list(args.incidentId, args), ProgressStatementType.from);
  }
}
