export * from './second-factor';
export * from './auth-session.entity';
export * from './refresh-token.entity';
export * from './second-factor-policy.entity';
export * from './user-second-factor.entity';
export * from './second-factor-policy.service';
export * from './sessions.service';
