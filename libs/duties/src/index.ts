export * from './domain/duties.errors';
export * from './duties.module';
export * from './hotline/hotline.entities';
export * from './hotline/hotline.service';
export { HOTLINE_KINDS, HOTLINE_LIMITS, type HotlineKind, type HotlineCountInput } from './hotline/domain/hotline-rules';
