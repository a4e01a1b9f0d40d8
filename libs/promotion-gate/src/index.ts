export * from './domain/gate-rules';
export * from './domain/gate.errors';
export * from './gate.entities';
export * from './gate.events';
export * from './promotion-gate.service';
export * from './promotion-gate.module';
