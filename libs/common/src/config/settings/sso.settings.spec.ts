import { describe, expect, it } from 'vitest';
import { ConfigValidationError, validateConfig } from '../app-config';

/** The problems validateConfig names for `env` (none: it accepted it). */
function problems(env: Record<string, unknown>): string[] {
  try {
    validateConfig(env);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigValidationError);
    return (err as ConfigValidationError).problems;
  }
}

const SSO = {
  OIDC_ISSUER: 'https://login.example.co.jp/tenant',
  OIDC_CLIENT_ID: 'remediation-tracker',
  OIDC_CLIENT_SECRET: 'client-secret-never-shown',
  OIDC_REDIRECT_URL: 'https://tracker.example.co.jp/auth/sso/callback',
};

describe('single sign-on settings', () => {
  it('are off by default: no issuer, no mapping, no account creation, the usual scopes and groups claim', () => {
    const config = validateConfig({});
    expect(config.OIDC_ISSUER).toBeUndefined();
    expect(config.OIDC_CREATE_USERS).toBe(false);
    expect(config.OIDC_ROLE_MAPPING).toBe('');
    expect(config.OIDC_GROUPS_CLAIM).toBe('groups');
    expect(config.OIDC_SCOPES).toBe('openid email profile');
    expect(config.OIDC_MFA_ACR_VALUES).toEqual([]);
  });

  it('read a complete configuration', () => {
    const config = validateConfig({
      ...SSO,
      OIDC_ROLE_MAPPING: 'tracker-auditors=AUDITOR,tracker-executives=EXECUTIVE',
      OIDC_CREATE_USERS: 'true',
      OIDC_MFA_ACR_VALUES: ' urn:example:mfa , phr ',
    });
    expect(config.OIDC_CLIENT_ID).toBe('remediation-tracker');
    expect(config.OIDC_CREATE_USERS).toBe(true);
    expect(config.OIDC_MFA_ACR_VALUES).toEqual(['urn:example:mfa', 'phr']);
  });

  it('with an issuer, require the client id and the redirect URL, naming each', () => {
    const found = problems({ OIDC_ISSUER: SSO.OIDC_ISSUER });
    expect(found.some((p) => p.startsWith('OIDC_CLIENT_ID: OIDC_CLIENT_ID is required when OIDC_ISSUER is set'))).toBe(true);
    expect(found.some((p) => p.startsWith('OIDC_REDIRECT_URL: OIDC_REDIRECT_URL is required when OIDC_ISSUER is set'))).toBe(true);
  });

  it('refuse a redirect URL that is not an http(s) URL', () => {
    expect(problems({ ...SSO, OIDC_REDIRECT_URL: 'tracker/auth/sso/callback' }).map((p) => p.split(':')[0])).toEqual(['OIDC_REDIRECT_URL']);
  });

  it.each([
    ['ci-bots=SERVICE', 'SERVICE belongs to API keys'],
    ['tracker=OWNER', 'OWNER is not one of ADMIN, TASK_FORCE, EXECUTIVE, AUDITOR'],
    ['tracker-auditors', 'is not group=ROLE'],
  ])('refuse OIDC_ROLE_MAPPING=%s at start, naming the variable', (mapping, why) => {
    const found = problems({ ...SSO, OIDC_ROLE_MAPPING: mapping });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^OIDC_ROLE_MAPPING: OIDC_ROLE_MAPPING must be group=ROLE pairs/);
    expect(found[0]).toContain(why);
  });

  it('never repeat the client secret in a message', () => {
    const found = problems({ ...SSO, OIDC_CLIENT_SECRET: 42, OIDC_ROLE_MAPPING: 'x=SERVICE' });
    expect(found.join('\n')).not.toContain('client-secret-never-shown');
    expect(found.some((p) => p.startsWith('OIDC_CLIENT_SECRET:') && !p.includes('42'))).toBe(true);
  });
});
