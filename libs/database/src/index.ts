export * from './embedded/embedded-postgres';
export * from './database-server';
export * from './data-source-options';
export * from './database.module';
export * from './versioned-update';
export * from './check-in-list';
export * from './pg-notifications';
export * from './database-errors';
