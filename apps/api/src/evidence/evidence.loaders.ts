import DataLoader from 'dataloader';
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

function groupedBy<T>(fetch: (keys: readonly string[]) => Promise<T[]>, keyOf: (row: T) => string) {
  return new DataLoader<string, T[]>(async (keys) => {
    const map = new Map<string, T[]>();
    for (const row of await fetch(keys)) {
      const k = keyOf(row);
      const list = map.get(k);
      if (list) list.push(row);
      else map.set(k, [row]);
    }
    return keys.map((k) => map.get(k) ?? []);
  });
}

export function createEvidenceLoaders(service: EvidenceService): EvidenceLoaders {
  return {
    byRequirement: groupedBy((ids) => service.evidenceOfRequirements(ids), (e) => e.requirementId),
    byTarget: groupedBy((ids) => service.evidenceOfTargets(ids), (e) => e.targetId!),
    reviews: groupedBy((ids) => service.reviewsOf(ids), (r) => r.evidenceId),
    signOffs: groupedBy((ids) => service.signOffsOf(ids), (s) => s.countermeasureId),
    one: new DataLoader<string, EvidenceEntity | null>(async (ids) => {
      const rows = await service.findByIds(ids);
      const byId = new Map(rows.map((e) => [e.id, e]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
