import type DataLoader from 'dataloader';
import { byId, grouped } from '../common/loader-helpers';
import type { EvidenceEntity, EvidenceReviewEntity, EvidenceService, SignOffEntity } from '@app/evidence';

/** Per-request loaders of the evidence context (one batch query per kind). */
export interface EvidenceLoaders {
  /** Every version of the evidence of a requirement, oldest first. */
  byRequirement: DataLoader<string, EvidenceEntity[]>;
  /** Every version of the evidence for a countermeasure target, oldest first. */
  byTarget: DataLoader<string, EvidenceEntity[]>;
  reviews: DataLoader<string, EvidenceReviewEntity[]>;
  /** Every sign-off of a countermeasure (standing and revoked), oldest first. */
  signOffs: DataLoader<string, SignOffEntity[]>;
  one: DataLoader<string, EvidenceEntity | null>;
}

export function createEvidenceLoaders(service: EvidenceService): EvidenceLoaders {
  return {
    byRequirement: grouped(
      (ids) => service.evidenceOfRequirements(ids),
      (e) => e.requirementId,
    ),
    byTarget: grouped(
      (ids) => service.evidenceOfTargets(ids),
      (e) => e.targetId!,
    ),
    reviews: grouped(
      (ids) => service.reviewsOf(ids),
      (r) => r.evidenceId,
    ),
    signOffs: grouped(
      (ids) => service.signOffsOf(ids),
      (s) => s.countermeasureId,
    ),
    one: byId((ids) => service.findByIds(ids)),
  };
}
