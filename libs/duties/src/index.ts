export * from './domain/duties.errors';
export * from './duties.module';
