export * from './domain/countermeasure.errors';
export * from './domain/countermeasure-workflow';
export * from './domain/countermeasure-fields';
export * from './domain/countermeasure-access';
export * from './countermeasure.entities';
export * from './countermeasures.service';
export * from './countermeasures.module';
