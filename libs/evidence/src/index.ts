export * from './domain/evidence-fields';
export * from './domain/evidence.errors';
export * from './evidence.entities';
export * from './evidence.module';
