export * from './demo-users';
export * from './demo-loader';
export * from './demo.module';
export * from './demo-case';
export * from './demo-story';
