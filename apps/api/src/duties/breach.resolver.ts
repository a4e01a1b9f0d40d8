import { Inject } from '@nestjs/common';
import { Args, Mutation, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Actor } from '@app/common';
import {
  BreachFilingsService,
  BreachNotificationsService,
  NoticeCampaignsService,
  type BreachRecordFields,
  type FilingChannel,
  type FilingKind,
  type NineItemKey,
  type NoticeCampaignFields,
  type NoticeChannel,
} from '@app/duties';
import { Permission, type SecondFactorProof, type UserEntity } from '@app/identity';
import { Allow, CurrentUser, StepUp, StepUpProof } from '../auth/access.decorators';
import type { GqlContext } from '../common/loaders';
import {
  BreachIncidentArgs,
  CorrectBreachNotificationInput,
  CreateBreachFilingDraftInput,
  CreateNoticeCampaignInput,
  EditBreachFilingDraftInput,
  OpenBreachNotificationInput,
  RedraftBreachFilingInput,
  SubmitBreachFilingInput,
  UpdateNoticeCampaignInput,
  type BreachRecordInput,
  type NoticeCampaignInput,
} from './breach.inputs';
import { breachLoaders } from './breach.loaders';
import { BreachDataItemType, BreachDeadlineType, BreachFilingType, BreachNotificationType, NoticeCampaignType } from './breach.types';
import { LocalDateScalar } from '../graphql/local-date.scalar';

const recordFields = (i: BreachRecordInput): BreachRecordFields => ({
  knownAt: i.knownAt,
  cases: i.cases,
  individualsEstimate: i.individualsEstimate ?? null,
  individualsEstimatedOn: i.individualsEstimatedOn ?? null,
  individualsConfirmed: i.individualsConfirmed ?? null,
  individualsConfirmedOn: i.individualsConfirmedOn ?? null,
  authorityCode: i.authorityCode,
  authorityName: i.authorityName ?? null,
  reporter: i.reporter,
});

const campaignFields = (i: NoticeCampaignInput): NoticeCampaignFields => ({
  channel: i.channel as NoticeChannel,
  plannedCount: i.plannedCount,
  sentCount: i.sentCount,
  returnedCount: i.returnedCount,
  startedOn: i.startedOn ?? null,
  completedOn: i.completedOn ?? null,
  unreachableCount: i.unreachableCount,
  substitutePublishedOn: i.substitutePublishedOn ?? null,
  substituteInquiryDesk: i.substituteInquiryDesk ?? null,
  note: i.note ?? null,
});

/**
 * The duties to the authority and the individuals (issue 15): the breach-notification record, its filings to the PPC
 * and the notice campaigns. Operations name DUTIES_READ / DUTIES_PREPARE; libs/duties decides per incident who
 * prepares (executives, the chief, the legal lead) and who reads (also auditors). The deadlines alone are read by
 * every role (the dashboard's banner).
 */
@Resolver(() => BreachNotificationType)
export class BreachNotificationsResolver {
  constructor(
    @Inject(BreachNotificationsService) readonly records: BreachNotificationsService,
    @Inject(BreachFilingsService) readonly filings: BreachFilingsService,
    @Inject(NoticeCampaignsService) readonly campaigns: NoticeCampaignsService,
  ) {}

  @Allow(Permission.DUTIES_READ)
  @Query(() => BreachNotificationType, {
    nullable: true,
    description: "The incident's breach-notification record (null until opened). Executives, auditors, the chief, the legal lead",
  })
  async breachNotification(@Args() args: BreachIncidentArgs, @CurrentUser() user: UserEntity): Promise<BreachNotificationType | null> {
    const view = await this.records.read(Actor.user(user), args.incidentId);
    return view ? BreachNotificationType.from(view) : null;
  }

  @Allow(Permission.REMEDIATION_READ)
  @Query(() => [BreachDeadlineType], {
    description: "When the incident's reports fall due and whether they are late (no content): every role, for the dashboard's banner",
  })
  async breachDeadlines(@Args() args: BreachIncidentArgs): Promise<BreachDeadlineType[]> {
    return (await this.records.deadlines(args.incidentId)).map(BreachDeadlineType.from);
  }

  @Allow(Permission.DUTIES_READ)
  @Query(() => BreachFilingType, { description: 'One filing. Executives, auditors, the chief, the legal lead' })
  async breachFiling(@Args('id', { type: () => String }) id: string, @CurrentUser() user: UserEntity): Promise<BreachFilingType> {
    return BreachFilingType.from(await this.filings.getById(Actor.user(user), id));
  }

  @Allow(Permission.DUTIES_PREPARE)
  @Mutation(() => BreachNotificationType, { description: "Opens the incident's record (once). Executives, the chief, the legal lead" })
  async openBreachNotification(
    @Args('input') input: OpenBreachNotificationInput,
    @CurrentUser() user: UserEntity,
  ): Promise<BreachNotificationType> {
    const saved = await this.records.open(Actor.user(user), input.incidentId, recordFields(input));
    return BreachNotificationType.from(await this.records.view(saved));
  }

  @Allow(Permission.DUTIES_PREPARE)
  @Mutation(() => BreachNotificationType, {
    description: 'Corrects the record (every field; needs its version). Executives, the chief, the legal lead',
  })
  async correctBreachNotification(
    @Args('input') input: CorrectBreachNotificationInput,
    @CurrentUser() user: UserEntity,
  ): Promise<BreachNotificationType> {
    const saved = await this.records.update(Actor.user(user), input.notificationId, input.expectedVersion, recordFields(input));
    return BreachNotificationType.from(await this.records.view(saved));
  }

  @Allow(Permission.DUTIES_PREPARE)
  @Mutation(() => BreachFilingType, {
    description:
      'Starts a filing, its nine items written by the tracker from what it holds (in Japanese). Executives, the chief, the legal lead',
  })
  async createBreachFilingDraft(
    @Args('input') input: CreateBreachFilingDraftInput,
    @CurrentUser() user: UserEntity,
  ): Promise<BreachFilingType> {
    return BreachFilingType.from(await this.filings.createDraft(Actor.user(user), input.incidentId, input.kind as FilingKind));
  }

  @Allow(Permission.DUTIES_PREPARE)
  @Mutation(() => BreachFilingType, {
    description: "Edits a draft's items (CONFLICT once submitted). Executives, the chief, the legal lead",
  })
  async editBreachFilingDraft(
    @Args('input') input: EditBreachFilingDraftInput,
    @CurrentUser() user: UserEntity,
  ): Promise<BreachFilingType> {
    const changes = Object.fromEntries(Object.entries(input.items).filter(([, v]) => v != null)) as Partial<Record<NineItemKey, string>>;
    return BreachFilingType.from(await this.filings.editDraft(Actor.user(user), input.filingId, input.expectedVersion, changes));
  }

  @Allow(Permission.DUTIES_PREPARE)
  @Mutation(() => BreachFilingType, {
    description: "Writes a draft's items again from what the tracker holds now. Executives, the chief, the legal lead",
  })
  async redraftBreachFiling(@Args('input') input: RedraftBreachFilingInput, @CurrentUser() user: UserEntity): Promise<BreachFilingType> {
    return BreachFilingType.from(
      await this.filings.redraft(Actor.user(user), input.filingId, input.expectedVersion, input.items as NineItemKey[]),
    );
  }

  @Allow(Permission.DUTIES_PREPARE)
  @StepUp()
  @Mutation(() => BreachFilingType, {
    description:
      'Records that a filing was submitted: frozen from then on, its items hashed into the trail, its lateness recorded. Executives, the chief, the legal lead',
  })
  async submitBreachFiling(
    @Args('input') input: SubmitBreachFilingInput,
    @CurrentUser() user: UserEntity,
    @StepUpProof() proof: SecondFactorProof | null,
  ): Promise<BreachFilingType> {
    const filing = await this.filings.submit(Actor.user(user, proof), {
      filingId: input.filingId,
      expectedVersion: input.expectedVersion,
      submittedAt: input.submittedAt ?? null,
      channel: input.channel as FilingChannel,
      referenceNumber: input.referenceNumber,
    });
    return BreachFilingType.from(filing);
  }

  @Allow(Permission.DUTIES_PREPARE)
  @Mutation(() => NoticeCampaignType, { description: 'A notice campaign to the individuals. Executives, the chief, the legal lead' })
  async createNoticeCampaign(
    @Args('input') input: CreateNoticeCampaignInput,
    @CurrentUser() user: UserEntity,
  ): Promise<NoticeCampaignType> {
    return NoticeCampaignType.from(await this.campaigns.create(Actor.user(user), input.incidentId, campaignFields(input)));
  }

  @Allow(Permission.DUTIES_PREPARE)
  @Mutation(() => NoticeCampaignType, {
    description: 'Updates a campaign (every field; needs its version). Executives, the chief, the legal lead',
  })
  async updateNoticeCampaign(
    @Args('input') input: UpdateNoticeCampaignInput,
    @CurrentUser() user: UserEntity,
  ): Promise<NoticeCampaignType> {
    return NoticeCampaignType.from(
      await this.campaigns.update(Actor.user(user), input.campaignId, input.expectedVersion, campaignFields(input)),
    );
  }

  // ---- fields (the record was read with its access checked) ----

  @ResolveField('filings', () => [BreachFilingType], { description: 'Oldest first' })
  async filingsOf(n: BreachNotificationType, _args: unknown, ctx: GqlContext): Promise<BreachFilingType[]> {
    return (await breachLoaders(ctx, this).filings.load(n.id)).map(BreachFilingType.from);
  }

  @ResolveField(() => [NoticeCampaignType], { description: 'Oldest first' })
  async noticeCampaigns(n: BreachNotificationType, _args: unknown, ctx: GqlContext): Promise<NoticeCampaignType[]> {
    return (await breachLoaders(ctx, this).campaigns.load(n.id)).map(NoticeCampaignType.from);
  }

  @ResolveField(() => [BreachDataItemType], { description: "The incident's data categories: leaked ones, then those confirmed not leaked" })
  async dataItems(n: BreachNotificationType, _args: unknown, ctx: GqlContext): Promise<BreachDataItemType[]> {
    return (await ctx.loaders.incidentDataCategories.load(n.incidentId)).map((c) => ({ name: c.name, leaked: c.leaked }));
  }
}

/** A filing's fields read from elsewhere (the filing was read with its access checked). */
@Resolver(() => BreachFilingType)
export class BreachFilingFieldsResolver {
  constructor(
    @Inject(BreachNotificationsService) readonly records: BreachNotificationsService,
    @Inject(BreachFilingsService) readonly filings: BreachFilingsService,
    @Inject(NoticeCampaignsService) readonly campaigns: NoticeCampaignsService,
  ) {}

  @ResolveField('dueOn', () => LocalDateScalar, { nullable: true })
  async dueOn(f: BreachFilingType, _args: unknown, ctx: GqlContext): Promise<string | null> {
    if (f.status === 'SUBMITTED') return f.dueOn;
    const deadlines = await breachLoaders(ctx, this).deadlines.load(f.notificationId);
    return deadlines.find((d) => d.kind === f.kind)?.dueOn ?? null;
  }
}
