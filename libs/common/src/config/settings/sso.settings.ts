import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, MinLength, ValidateBy, ValidateIf } from 'class-validator';
import { emptyToUndefined, isHttpBaseUrl, toBool, type SettingsBase } from './conversions';

/** The roles an identity provider's group may grant (SERVICE belongs to API keys, never to a person). */
const MAPPABLE_ROLES = ['ADMIN', 'TASK_FORCE', 'EXECUTIVE', 'AUDITOR'] as const;
export type OidcMappedRole = (typeof MAPPABLE_ROLES)[number];

/**
 * OIDC_ROLE_MAPPING read: `group=ROLE` pairs separated by commas (a group may appear several times to grant several
 * roles), e.g. `tracker-auditors=AUDITOR,tracker-executives=EXECUTIVE`. Returns the map from group to roles, or the
 * problem with the value (a pair without `=`, an empty group, SERVICE or an unknown role).
 */
export function parseOidcRoleMapping(value: string): { mapping: ReadonlyMap<string, readonly OidcMappedRole[]> } | { problem: string } {
  const mapping = new Map<string, OidcMappedRole[]>();
  for (const pair of value.split(',')) {
    if (pair.trim() === '') continue;
    const at = pair.lastIndexOf('=');
    const group = at < 0 ? '' : pair.slice(0, at).trim();
    const role =
      at < 0
        ? ''
        : pair
            .slice(at + 1)
            .trim()
            .toUpperCase();
    if (at < 0 || group === '') return { problem: `"${pair.trim()}" is not group=ROLE` };
    if (role === 'SERVICE') return { problem: `"${pair.trim()}": SERVICE belongs to API keys; no person signing in may hold it` };
    if (!(MAPPABLE_ROLES as readonly string[]).includes(role)) {
      return { problem: `"${pair.trim()}": ${role || '(empty)'} is not one of ${MAPPABLE_ROLES.join(', ')}` };
    }
    const roles = mapping.get(group) ?? [];
    if (!roles.includes(role as OidcMappedRole)) roles.push(role as OidcMappedRole);
    mapping.set(group, roles);
  }
  return { mapping };
}

const toCommaList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '')
    : value;

/**
 * Single sign-on through an OpenID Connect provider (Authorization Code with PKCE, state and nonce). Off unless
 * OIDC_ISSUER is set; then OIDC_CLIENT_ID and OIDC_REDIRECT_URL are required. The local password sign-in always
 * stays (the break-glass admin).
 */
export function SsoSettings<TBase extends SettingsBase>(Base: TBase) {
  class SsoSettings extends Base {
    /** The provider's issuer URL; its discovery document is read from <issuer>/.well-known/openid-configuration. */
    @Transform(emptyToUndefined)
    @IsOptional()
    @IsString()
    OIDC_ISSUER?: string;

    /** The tracker's client id at the provider (required with OIDC_ISSUER). */
    @Transform(emptyToUndefined)
    @ValidateIf((c: SsoSettings) => c.OIDC_ISSUER !== undefined || c.OIDC_CLIENT_ID !== undefined)
    @IsString({ message: 'OIDC_CLIENT_ID is required when OIDC_ISSUER is set' })
    @MinLength(1, { message: 'OIDC_CLIENT_ID is required when OIDC_ISSUER is set' })
    OIDC_CLIENT_ID?: string = undefined;

    /** The client's secret (client_secret_basic); unset for a public client (PKCE alone). */
    @Transform(emptyToUndefined)
    @IsOptional()
    @IsString()
    OIDC_CLIENT_SECRET?: string = undefined;

    /** Where the provider sends the browser back: <the server's address>/auth/sso/callback, as registered. */
    @Transform(emptyToUndefined)
    @ValidateIf((c: SsoSettings) => c.OIDC_ISSUER !== undefined || c.OIDC_REDIRECT_URL !== undefined)
    @ValidateBy(
      { name: 'isHttpUrl', validator: { validate: (value: unknown) => isHttpBaseUrl(value) } },
      {
        message:
          'OIDC_REDIRECT_URL is required when OIDC_ISSUER is set: an http(s) URL, e.g. https://tracker.example.co.jp/auth/sso/callback',
      },
    )
    OIDC_REDIRECT_URL?: string = undefined;

    /** The ID token (or userinfo) claim that lists the person's groups. */
    @IsString()
    @MinLength(1, { message: 'OIDC_GROUPS_CLAIM must name a claim' })
    OIDC_GROUPS_CLAIM = 'groups';

    /**
     * Which of the provider's groups grant which role: `group=ROLE,...`, e.g.
     * `tracker-auditors=AUDITOR,tracker-executives=EXECUTIVE`. Roles: ADMIN, TASK_FORCE, EXECUTIVE, AUDITOR (never
     * SERVICE). An existing user keeps the roles an admin gave them and is refused unless a group maps to one of them.
     */
    @IsString()
    @ValidateBy({
      name: 'isOidcRoleMapping',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && 'mapping' in parseOidcRoleMapping(value),
        defaultMessage: (args) => {
          const parsed = typeof args?.value === 'string' ? parseOidcRoleMapping(args.value) : { problem: 'not a string' };
          return `OIDC_ROLE_MAPPING must be group=ROLE pairs separated by commas: ${'problem' in parsed ? parsed.problem : ''}`;
        },
      },
    })
    OIDC_ROLE_MAPPING = '';

    /** Create an account at a person's first sign-in (with the mapped roles); off: an admin creates it first. */
    @Transform(toBool)
    @IsBoolean({ message: 'OIDC_CREATE_USERS must be true or false' })
    OIDC_CREATE_USERS = false;

    /** `acr` values the provider uses for a multi-factor sign-in (besides an `amr` such as mfa, otp, hwk). */
    @Transform(toCommaList)
    @IsString({ each: true })
    OIDC_MFA_ACR_VALUES: string[] = [];

    /** The scopes asked for (space-separated; openid is always asked). */
    @IsString()
    @MinLength(1)
    OIDC_SCOPES = 'openid email profile';
  }
  return SsoSettings;
}
