export * from './domain/audit-hash';
export * from './audit-trail-entry.entity';
export * from './audit-trail.service';
export * from './audit-trail.module';
export * from './copies';
export { trailSizeAt, type TrailQueryable } from './trail-scope-reads';
