export * from './domain/incident.errors';
export * from './incident.entities';
export * from './incidents.service';
export * from './incidents.module';
