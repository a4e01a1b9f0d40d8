export * from './domain/incident.errors';
export { INCIDENT_LIMITS, INCIDENT_TIME_ZONE } from './domain/incident-fields';
export { ELIGIBLE_MEMBER_ROLES, OPEN_COUNTERMEASURE_STATUSES } from './domain/task-force-rules';
export * from './incident.entities';
export * from './incidents.service';
export * from './incident-changes.service';
export * from './incidents.module';
export * from './countermeasure-usage.port';
export * from './incident-times';
