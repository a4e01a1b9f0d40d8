export * from './errors/domain-error';
export * from './errors/common.errors';
export * from './pagination/cursor';
export * from './clock';
export * from './config/app-config';
export * from './actor';
export * from './calendar';
export * from './events';
