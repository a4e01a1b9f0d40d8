import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import * as oidc from 'openid-client';
import type { AppConfig } from '@app/common';

/** The identity provider's answer, validated: the ID token's claims, merged with userinfo when the token lacks some. */
export interface ValidatedClaims {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  groups: unknown;
  amr: string[] | null;
  acr: string | null;
  authTime: Date | null;
}

/** Why openid-client refused the answer, as its error codes say (never its messages). */
export type OidcFailure = 'PROVIDER_ERROR' | 'CODE_REJECTED' | 'NONCE_MISMATCH' | 'ID_TOKEN_EXPIRED' | 'TOKEN_INVALID';

export class OidcAnswerRefused extends Error {
  constructor(
    readonly failure: OidcFailure,
    options?: { cause?: unknown },
  ) {
    super(`The identity provider's answer was refused (${failure})`, options);
    this.name = 'OidcAnswerRefused';
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The OpenID Connect relying party (openid-client's functional API): the provider's metadata discovered once from
 * OIDC_ISSUER (a failed discovery is retried at the next sign-in), the authorization URL, the code exchange with
 * PKCE, state and nonce checked, the ID token validated (signature, issuer, audience, expiry, nonce).
 * Plain http is accepted only for a loopback issuer outside production (the tests' provider).
 */
@Injectable()
export class OidcClient {
  private discovered: Promise<oidc.Configuration> | null = null;

  constructor(@Inject(ConfigService) private readonly config: ConfigService<AppConfig, true>) {}

  get configured(): boolean {
    return !!this.config.get('OIDC_ISSUER', { infer: true });
  }

  private configuration(): Promise<oidc.Configuration> {
    this.discovered ??= this.discover().catch((err: unknown) => {
      this.discovered = null;
      throw err;
    });
    return this.discovered;
  }

  private async discover(): Promise<oidc.Configuration> {
    const issuer = new URL(this.config.get('OIDC_ISSUER', { infer: true })!);
    const secret = this.config.get('OIDC_CLIENT_SECRET', { infer: true });
    const insecure =
      issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname) && this.config.get('NODE_ENV', { infer: true }) !== 'production';
    return oidc.discovery(
      issuer,
      this.config.get('OIDC_CLIENT_ID', { infer: true })!,
      secret ? { client_secret: secret } : undefined,
      secret ? oidc.ClientSecretBasic(secret) : oidc.None(),
      { execute: insecure ? [oidc.allowInsecureRequests] : [], timeout: 10 },
    );
  }

  /** The issuer as discovered (the `iss` of its tokens). */
  async issuer(): Promise<string> {
    return (await this.configuration()).serverMetadata().issuer;
  }

  /** Fresh random state, nonce and PKCE verifier for one sign-in. */
  static secrets(): { state: string; nonce: string; codeVerifier: string } {
    return { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
  }

  /** Where to send the browser: the provider's authorization endpoint with our client, scopes, state, nonce and PKCE challenge. */
  async authorizationUrl(s: { state: string; nonce: string; codeVerifier: string }): Promise<URL> {
    const config = await this.configuration();
    const scopes = new Set(this.config.get('OIDC_SCOPES', { infer: true }).split(/\s+/).filter(Boolean));
    scopes.add('openid');
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.config.get('OIDC_REDIRECT_URL', { infer: true })!,
      scope: [...scopes].join(' '),
      state: s.state,
      nonce: s.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(s.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  /**
   * Exchanges the code of the callback (`query`: its query string) and validates the ID token against the state,
   * nonce and verifier this sign-in stored. The redirect URI sent is OIDC_REDIRECT_URL, as registered, whatever
   * address the request reached us at (a proxy).
   */
  async exchange(query: URLSearchParams, s: { state: string; nonce: string; codeVerifier: string }): Promise<ValidatedClaims> {
    const config = await this.configuration();
    const currentUrl = new URL(this.config.get('OIDC_REDIRECT_URL', { infer: true })!);
    currentUrl.search = query.toString();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: s.codeVerifier,
        expectedState: s.state,
        expectedNonce: s.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      throw new OidcAnswerRefused(failureOf(err), { cause: err });
    }
    const claims = tokens.claims();
    if (!claims) throw new OidcAnswerRefused('TOKEN_INVALID');
    let merged: Record<string, unknown> = { ...claims };
    const groupsClaim = this.config.get('OIDC_GROUPS_CLAIM', { infer: true });
    // Providers that keep the profile out of the ID token (as OpenID Connect Core suggests for the code flow) give it at userinfo.
    if (
      (merged.email === undefined || merged[groupsClaim] === undefined) &&
      tokens.access_token &&
      config.serverMetadata().userinfo_endpoint
    ) {
      try {
        const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
        merged = { ...info, ...merged };
      } catch (err) {
        throw new OidcAnswerRefused('TOKEN_INVALID', { cause: err });
      }
    }
    return {
      issuer: claims.iss,
      subject: claims.sub,
      email: typeof merged.email === 'string' ? merged.email : null,
      emailVerified: merged.email_verified === true,
      name: typeof merged.name === 'string' && merged.name.trim() !== '' ? merged.name.trim() : null,
      groups: merged[groupsClaim],
      amr: Array.isArray(claims.amr) ? claims.amr.filter((m): m is string => typeof m === 'string') : null,
      acr: typeof claims.acr === 'string' ? claims.acr : null,
      authTime: typeof claims.auth_time === 'number' ? new Date(claims.auth_time * 1000) : null,
    };
  }
}

/** openid-client's refusal, by its error class and code. */
function failureOf(err: unknown): OidcFailure {
  if (err instanceof oidc.AuthorizationResponseError) return 'PROVIDER_ERROR';
  if (err instanceof oidc.ResponseBodyError) return err.error === 'invalid_grant' ? 'CODE_REJECTED' : 'TOKEN_INVALID';
  const code = (err as { code?: unknown }).code;
  if (code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED') return 'ID_TOKEN_EXPIRED';
  if (code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' && claimOf(err) === 'nonce') return 'NONCE_MISMATCH';
  return 'TOKEN_INVALID';
}

/** The claim a comparison failed on: openid-client wraps oauth4webapi's error, whose cause names it. */
function claimOf(err: unknown): unknown {
  let cause: unknown = err;
  for (let depth = 0; depth < 3 && cause && typeof cause === 'object'; depth++) {
    const claim = (cause as { claim?: unknown }).claim;
    if (claim !== undefined) return claim;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}
