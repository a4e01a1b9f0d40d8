import type { TargetStatus } from '../countermeasure-target.entity';

/**
 * A countermeasure's progress over its targets ("3 of 7 databases done").
 * NOT_APPLICABLE targets (a system found out of scope) leave the count; the
 * ratio is done / (total - notApplicable), and null when there is nothing to do.
 */
export interface TargetProgress {
  total: number;
  pending: number;
  inProgress: number;
  done: number;
  notApplicable: number;
  /** 0..1, or null without applicable targets. */
  ratio: number | null;
}

export function progressOf(statuses: readonly TargetStatus[]): TargetProgress {
  const count = (s: TargetStatus) => statuses.filter((x) => x === s).length;
  const done = count('DONE');
  const notApplicable = count('NOT_APPLICABLE');
  const applicable = statuses.length - notApplicable;
  return {
    total: statuses.length,
    pending: count('PENDING'),
    inProgress: count('IN_PROGRESS'),
    done,
    notApplicable,
    ratio: applicable === 0 ? null : done / applicable,
  };
}

/** Targets that may be taken off the list: those where nothing happened yet. */
export function removable(status: TargetStatus): boolean {
  return status === 'PENDING';
}
