export * from './domain/key-identity';
export * from './domain/signing-keys.errors';
export { KEY_FILE_SETTING, managedKeyFile, retiredKeyFile } from './key-files';
export * from './signing-key.entity';
export * from './signing-keys.service';
export * from './signing-keys.module';
