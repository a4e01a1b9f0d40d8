export * from './bundle.errors';
export * from './bundle-layout';
export * from './bundle-ports';
export * from './bundle-builder';
export * from './bundle-zip';
export * from './bundles.service';
export * from './bundles.module';
export * from './evidence-bundle.entity';
export { entryRecord } from './bundle-adapters';
