import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Request, Response } from 'express';
import type { AppConfig } from '@app/common';
import { IdentityError, SsoService } from '@app/identity';
import { Public } from '../auth/access.decorators';
import { deviceOf } from './auth.resolver';

/**
 * Single sign-on's two browser routes. Both are @Public: the person is not signed in yet; what protects them is
 * the provider's answer (state, PKCE, nonce, the ID token's signature), checked by SsoService. Neither ever puts a
 * token in a URL: the callback hands the page a one-minute, one-time code in the fragment (`/#sso=<code>`), which
 * the page trades for its tokens with the completeSsoSignIn mutation. A refusal goes to `/#sso-error=<CODE>&reason=<why>`.
 *
 * The start route gives the browser a cookie (HttpOnly, SameSite=Lax, path /auth/sso, 10 minutes) that the callback
 * must see again: someone else's answer from the provider, delivered to this browser, is refused (login CSRF).
 */
const BINDING_COOKIE = 'sso_binding';
const BINDING_PATH = '/auth/sso';

@Controller('auth/sso')
export class SsoController {
  constructor(
    @Inject(SsoService) private readonly sso: SsoService,
    @Inject(ConfigService) private readonly config: ConfigService<AppConfig, true>,
  ) {}

  /** Anyone: sends the browser to the identity provider's sign-in (302). */
  @Public()
  @Get('start')
  async start(@Res() res: Response): Promise<void> {
    try {
      const { url, browserBinding } = await this.sso.start();
      res.cookie(BINDING_COOKIE, browserBinding, {
        httpOnly: true,
        sameSite: 'lax',
        secure: this.secure(),
        path: BINDING_PATH,
        maxAge: 10 * 60_000,
      });
      this.redirect(res, url);
    } catch (err) {
      this.refused(res, err);
    }
  }

  /** Anyone (the provider sends the browser back here): on success 302 to the page with the hand-off code. */
  @Public()
  @Get('callback')
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    try {
      const query = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
      res.clearCookie(BINDING_COOKIE, { httpOnly: true, sameSite: 'lax', secure: this.secure(), path: BINDING_PATH });
      const code = await this.sso.callback(query, deviceOf({ headers: req.headers, ip: req.ip }), cookieOf(req, BINDING_COOKIE));
      this.redirect(res, `${this.page()}#sso=${encodeURIComponent(code)}`);
    } catch (err) {
      this.refused(res, err);
    }
  }

  /** Secure cookies when the browser comes back over https (the registered redirect URL says how). */
  private secure(): boolean {
    return (this.config.get('OIDC_REDIRECT_URL', { infer: true }) ?? '').startsWith('https:');
  }

  private page(): string {
    return `${(this.config.get('PUBLIC_BASE_URL', { infer: true }) as string | undefined) ?? ''}/`;
  }

  private redirect(res: Response, location: string): void {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.redirect(302, location);
  }

  private refused(res: Response, err: unknown): void {
    if (!(err instanceof IdentityError)) throw err;
    const reason = (err.details as { reason?: unknown } | undefined)?.reason;
    const fragment = new URLSearchParams({ 'sso-error': err.code, ...(typeof reason === 'string' ? { reason } : {}) });
    this.redirect(res, `${this.page()}#${fragment.toString()}`);
  }
}

/** One cookie of the request (no cookie parser: this is the only cookie the server reads). */
function cookieOf(req: Request, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim() || null;
  }
  return null;
}
