import { Inject } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Actor } from '@app/common';
import { HotlineService } from '@app/duties';
import { Permission, type UserEntity } from '@app/identity';
import { Allow, CurrentUser } from '../auth/access.decorators';
import { toConnection } from '../common/connection.type';
import { AddHotlineCaseInput, HotlineContactsArgs, RecordHotlineContactsInput } from './hotline.inputs';
import {
  HotlineCaseConnection,
  HotlineCasesArgs,
  HotlineCaseType,
  HotlineDayType,
  HotlineIncidentArgs,
  HotlineSummaryType,
} from './hotline.types';

/**
 * The hotline (promises 5, 8, 10): customer support logs each day's contacts by kind and the notable cases
 * (HOTLINE_LOG: task-force members of the incident, executives). The daily figures and their totals are not personal
 * data: every role that reads the plan sees them (the dashboard's chart). The cases may describe a person's situation:
 * DUTIES_READ, and per incident the standing checked by libs/duties (domain/hotline-access.ts).
 */
@Resolver()
export class HotlineResolver {
  constructor(@Inject(HotlineService) private readonly hotline: HotlineService) {}

  @Allow(Permission.HOTLINE_LOG)
  @Mutation(() => HotlineDayType, {
    description:
      "Record or correct a day's contacts by kind. expectedVersion null for a new day, else the day's version (CONFLICT when stale). An executive, or a member of the incident's task force",
  })
  async recordHotlineContacts(@Args('input') input: RecordHotlineContactsInput, @CurrentUser() user: UserEntity): Promise<HotlineDayType> {
    const day = await this.hotline.record(Actor.user(user), { ...input, expectedVersion: input.expectedVersion ?? null });
    return HotlineDayType.from(day);
  }

  @Allow(Permission.HOTLINE_LOG)
  @Mutation(() => HotlineCaseType, {
    description: "A notable case (≤ 500 characters). An executive, or a member of the incident's task force",
  })
  async addHotlineCase(@Args('input') input: AddHotlineCaseInput, @CurrentUser() user: UserEntity): Promise<HotlineCaseType> {
    return HotlineCaseType.from(await this.hotline.addCase(Actor.user(user), input));
  }

  @Allow(Permission.REMEDIATION_READ)
  @Query(() => [HotlineDayType], {
    description: 'The recorded days from `from` to `to` (at most 366 days), oldest first; days without figures are absent',
  })
  async hotlineContacts(@Args() args: HotlineContactsArgs): Promise<HotlineDayType[]> {
    return (await this.hotline.days(args.incidentId, args.from, args.to)).map(HotlineDayType.from);
  }

  @Allow(Permission.REMEDIATION_READ)
  @Query(() => HotlineSummaryType, { description: 'The hotline over every recorded day: totals by kind, no case text' })
  async hotlineSummary(@Args() args: HotlineIncidentArgs): Promise<HotlineSummaryType> {
    return HotlineSummaryType.from(await this.hotline.summary(args.incidentId));
  }

  @Allow(Permission.DUTIES_READ)
  @Query(() => HotlineCaseConnection, {
    description:
      "The notable cases, newest first. Executives and auditors; the incident's chief; members of its task force who log the hotline",
  })
  async hotlineCases(@Args() args: HotlineCasesArgs, @CurrentUser() user: UserEntity): Promise<HotlineCaseConnection> {
    return toConnection(await this.hotline.cases(Actor.user(user), args.incidentId, args), HotlineCaseType.from);
  }
}
