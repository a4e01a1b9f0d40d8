import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';

/** A person at the test identity provider: the claims it gives about them. */
export interface IdpAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  groups?: string[];
}

/** How the person signs in at the provider this time: the `amr`/`acr` its ID token will state. */
export interface IdpLogin {
  sub: string;
  amr?: string[];
  acr?: string;
}

/**
 * A real OpenID Connect provider (the `oidc-provider` package) on 127.0.0.1:<free port>, for the single sign-on
 * specs: discovery, authorization with PKCE required, code exchange (client_secret_basic), signed ID tokens,
 * userinfo. One client, the tracker, whose redirect URI is `redirectUri` (the tracker's OIDC_REDIRECT_URL).
 *
 * The provider's own login and consent pages are replaced by an interaction that signs in whoever the test named
 * (`authorize(startUrl, login)`), with the amr/acr it asked for, and grants the scopes asked. `authorize` plays the
 * browser: it follows the redirects (with the provider's cookies) from the tracker's start URL up to the redirect
 * to the tracker's callback, and returns that callback's query, which the test then delivers to the tracker.
 */
export class TestIdentityProvider {
  readonly clientId = 'remediation-tracker';
  private pendingLogin: IdpLogin | null = null;
  /** Set: the next ID tokens expire this many seconds before they are issued (an already-expired token). */
  private idTokenExpiredBy: number | null = null;

  private constructor(
    private readonly server: http.Server,
    readonly issuer: string,
    readonly redirectUri: string,
    private readonly provider: Provider,
    readonly clientSecret: string,
    private readonly accounts: Map<string, IdpAccount>,
  ) {}

  static async start(redirectUri: string): Promise<TestIdentityProvider> {
    let handler: http.RequestListener = (_req, res) => res.writeHead(503).end();
    const server = http.createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const clientSecret = randomBytes(24).toString('base64url');
    const accounts = new Map<string, IdpAccount>();
    const configuration: Configuration = {
      clients: [
        {
          client_id: 'remediation-tracker',
          client_secret: clientSecret,
          redirect_uris: [redirectUri],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      pkce: { required: () => true },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      // amr, acr and auth_time in every ID token (as common providers do; oidc-provider otherwise gives them only when
      // the client asks for them with the `claims` parameter). The profile, e-mail and groups come from userinfo.
      claims: { openid: ['sub', 'amr', 'acr', 'auth_time'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
      cookies: { keys: [randomBytes(16).toString('hex')] },
      jwks: { keys: [generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })] },
      ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
      findAccount: (_ctx, sub) => {
        const account = accounts.get(sub);
        return account ? { accountId: sub, claims: () => ({ ...account }) } : undefined;
      },
    };
    const provider = new Provider(issuer, configuration);
    const idp = new TestIdentityProvider(server, issuer, redirectUri, provider, clientSecret, accounts);
    // An already-expired ID token when the test asks for one: the provider signs it as usual, with `exp` in the past.
    const IdToken = provider.IdToken as unknown as { expiresIn: (...args: unknown[]) => number };
    const lifetime = IdToken.expiresIn.bind(IdToken);
    IdToken.expiresIn = (...args: unknown[]) => (idp.idTokenExpiredBy !== null ? -idp.idTokenExpiredBy : lifetime(...args));
    const callback = provider.callback();
    handler = (req, res) => {
      if (req.url?.startsWith('/interaction/')) {
        idp.interact(req, res).catch((err: unknown) => res.writeHead(500).end(String(err)));
      } else {
        void callback(req, res);
      }
    };
    return idp;
  }

  /** Adds (or replaces) a person at the provider. */
  addAccount(account: IdpAccount): void {
    this.accounts.set(account.sub, account);
  }

  /** The next ID tokens are issued already expired by `seconds` (null: normal again). */
  issueExpiredIdTokens(seconds: number | null): void {
    this.idTokenExpiredBy = seconds;
  }

  /**
   * Names the person the next interaction signs in, for a real browser that follows the redirects itself (the page
   * specs); used once. `authorize` does the same for the spec's own emulated browser.
   */
  nextLogin(login: IdpLogin): void {
    this.pendingLogin = login;
  }

  /** The login and consent, without pages: signs in the person the test named and grants what the client asked. */
  private async interact(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const login = this.pendingLogin;
    if (!login) throw new Error('No login was set up for this authorization');
    this.pendingLogin = null;
    const details = await this.provider.interactionDetails(req, res);
    const grant = new this.provider.Grant({ accountId: login.sub, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    await this.provider.interactionFinished(
      req,
      res,
      { login: { accountId: login.sub, amr: login.amr, acr: login.acr }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  }

  /**
   * Plays the browser from the tracker's start route: follows each redirect (keeping the provider's cookies, a
   * fresh browser each time) until the provider sends it to the tracker's redirect URI; returns that query.
   */
  async authorize(startUrl: string, login: IdpLogin): Promise<URLSearchParams> {
    this.pendingLogin = login;
    const cookies = new Map<string, string>();
    let url = startUrl;
    try {
      for (let hop = 0; hop < 12; hop++) {
        if (url.startsWith(this.redirectUri)) return new URL(url).searchParams;
        const res = await fetch(url, {
          redirect: 'manual',
          headers: cookies.size ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {},
        });
        for (const line of res.headers.getSetCookie()) {
          const [pair] = line.split(';');
          const at = pair!.indexOf('=');
          const name = pair!.slice(0, at).trim();
          const value = pair!.slice(at + 1).trim();
          if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) cookies.delete(name);
          else cookies.set(name, value);
        }
        const location = res.headers.get('location');
        if (!location) throw new Error(`The provider answered ${res.status} at ${url}: ${(await res.text()).slice(0, 500)}`);
        await res.body?.cancel();
        url = new URL(location, url).href;
      }
      throw new Error('Too many redirects');
    } finally {
      this.pendingLogin = null;
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
