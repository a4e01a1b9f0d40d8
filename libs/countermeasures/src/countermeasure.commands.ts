import type { CountermeasureCategory, Priority } from './domain/countermeasure-fields';
import type { RequirementCommand } from './domain/countermeasure-checks';

// The commands of CountermeasuresService (what callers give it).

export interface CreateCountermeasureCommand {
  incidentId: string;
  title: string;
  description?: string | null;
  category: CountermeasureCategory;
  ownerId: string;
  contributorIds?: readonly string[] | null;
  priority: Priority;
  dueDate: string;
  requiredForGate?: boolean | null;
  ongoing?: boolean | null;
  requirements?: readonly RequirementCommand[] | null;
}

export interface UpdateCountermeasureCommand {
  title?: string | null;
  description?: string | null;
  category?: CountermeasureCategory | null;
  priority?: Priority | null;
  requiredForGate?: boolean | null;
}
