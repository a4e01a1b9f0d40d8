export * from './report';
export { type BagSource } from './context';
export { verifyBundle, type VerifyOptions } from './verify-bundle';
