export * from './sso-access';
export * from './sso.entities';
export * from './oidc-client';
export * from './sso.service';
