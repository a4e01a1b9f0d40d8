import { describe, expect, it } from 'vitest';
import { ALL_COUNTERMEASURE_STATUSES, isOpen } from '@app/countermeasures';
import { OPEN_COUNTERMEASURE_STATUSES } from '@app/incidents';

/**
 * libs/incidents cannot import libs/countermeasures (the dependency runs the other
 * way), so it keeps its own list of open statuses to refuse removing a member who
 * still owns open work. This keeps the copy equal to the workflow's definition.
 */
describe('open countermeasure statuses', () => {
  it("the task force's list equals the workflow's isOpen", () => {
    expect([...OPEN_COUNTERMEASURE_STATUSES].sort()).toEqual(ALL_COUNTERMEASURE_STATUSES.filter(isOpen).sort());
  });
});
