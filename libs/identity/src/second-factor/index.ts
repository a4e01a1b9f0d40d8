export * from './domain/one-time-codes';
export * from './domain/second-factor-rules';
export * from './totp-secret.entity';
export * from './recovery-code.entity';
export * from './totp.service';
export * from './recovery-codes.service';
export * from './second-factors.service';
