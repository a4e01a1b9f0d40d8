import { byId, grouped, type Loader } from '../common/loader-helpers';
import type { SelectedColumns } from '../common/selected-columns';
import type { EvidenceEntity, EvidenceReviewEntity, EvidenceService, SignOffEntity } from '@app/evidence';

/** Per-request loaders of the evidence context (one batch query per kind). */
export interface EvidenceLoaders {
  /** Every version of the evidence of a requirement, oldest first. */
  byRequirement: Loader<string, EvidenceEntity[]>;
  /** Every version of the evidence for a countermeasure target, oldest first. */
  byTarget: Loader<string, EvidenceEntity[]>;
  reviews: Loader<string, EvidenceReviewEntity[]>;
  /** Every sign-off of a countermeasure (standing and revoked), oldest first. */
  signOffs: Loader<string, SignOffEntity[]>;
  one: Loader<string, EvidenceEntity | null>;
}

/** `selected`: the columns the operation can ask (read when a batch is sent; see selected-columns.ts). */
export function createEvidenceLoaders(service: EvidenceService, selected: SelectedColumns = {}): EvidenceLoaders {
  return {
    byRequirement: grouped(
      (ids) => service.evidenceOfRequirements(ids, selected.evidenceByRequirement),
      (e) => e.requirementId,
    ),
    byTarget: grouped(
      (ids) => service.evidenceOfTargets(ids),
      (e) => e.targetId!,
    ),
    reviews: grouped(
      (ids) => service.reviewsOf(ids, selected.reviews),
      (r) => r.evidenceId,
    ),
    signOffs: grouped(
      (ids) => service.signOffsOf(ids),
      (s) => s.countermeasureId,
    ),
    one: byId((ids) => service.findByIds(ids)),
  };
}
