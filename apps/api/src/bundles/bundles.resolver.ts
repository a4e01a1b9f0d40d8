import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Actor } from '@app/common';
import { BundlesService } from '@app/bundles';
import { Permission, type UserEntity } from '@app/identity';
import { Allow, CurrentUser } from '../auth/access.decorators';
import { toConnection } from '../common/connection.type';
import { PageArgs } from '../common/page.args';
import { EvidenceBundleConnection, EvidenceBundleType, ExportEvidenceBundleInput } from './bundles.types';

/**
 * Evidence bundles (docs/proofs.md): ask for one (answered at once, QUEUED),
 * follow its progress, list them; the zip is downloaded over HTTP
 * (`GET /bundles/:id`, BundlesController). Auditors, executives and admins.
 */
@Resolver(() => EvidenceBundleType)
export class BundlesResolver {
  constructor(@Inject(BundlesService) private readonly bundles: BundlesService) {}

  @Allow(Permission.BUNDLES_EXPORT)
  @Mutation(() => EvidenceBundleType, {
    description:
      'Export an evidence bundle of an incident, an audit engagement or a countermeasure as of an instant. Built in the background: poll evidenceBundle(id). A second export of the same scope while one is queued or building is CONFLICT.',
  })
  async exportEvidenceBundle(
    @Args('input') input: ExportEvidenceBundleInput,
    @CurrentUser() user: UserEntity,
  ): Promise<EvidenceBundleType> {
    return EvidenceBundleType.from(await this.bundles.requestExport(Actor.user(user), input));
  }

  @Allow(Permission.BUNDLES_EXPORT)
  @Query(() => EvidenceBundleType, { description: 'One evidence bundle export with its progress' })
  async evidenceBundle(@Args('id', { type: () => ID }) id: string): Promise<EvidenceBundleType> {
    return EvidenceBundleType.from(await this.bundles.getById(id));
  }

  @Allow(Permission.BUNDLES_EXPORT)
  @Query(() => EvidenceBundleConnection, { description: 'Every evidence bundle export, newest first' })
  async evidenceBundles(@Args() args: PageArgs): Promise<EvidenceBundleConnection> {
    return toConnection(await this.bundles.list(args), EvidenceBundleType.from);
  }
}
