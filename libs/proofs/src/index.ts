export * from './encoding';
export * from './merkle';
export * from './merkle-tree';
export * from './note';
export * from './dsse';
export * from './platform';
