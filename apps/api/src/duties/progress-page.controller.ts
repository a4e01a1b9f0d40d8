import { createHash } from 'node:crypto';
import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Request, Response } from 'express';
import type { AppConfig } from '@app/common';
import { ProgressStatementsService } from '@app/duties';
import { Public } from '../auth/access.decorators';
import {
  negotiateLanguage,
  PROGRESS_DATA_CSP,
  PROGRESS_PAGE_CSP,
  progressJson,
  renderAtomFeed,
  renderProgressPage,
} from './progress-page.render';

/** Cached by browsers and a CDN for five minutes: a new statement shows within that. */
const CACHE_CONTROL = 'public, max-age=300';

/**
 * The public progress page (promise 9: "publish investigation progress on the website as it develops"):
 * `GET /progress` (HTML, Japanese or English by Accept-Language, `?lang=ja|en` to switch), `GET /progress/feed.atom`
 * (Atom 1.0, same negotiation) and `GET /progress.json` (both languages). No sign-in, no script, no cookie: safe to
 * put behind a CDN (Cache-Control public, a strong ETag answered 304 on If-None-Match, Vary: Accept-Language where
 * the language is negotiated). Only published statements, newest first, at most the latest 100.
 */
@Controller()
export class ProgressPageController {
  /**
   * Anyone can ask, as often as they like, with any query string (a CDN passes those through): each answer is
   * rendered once per change of the published statements (publicStamp: one small statement per request) and per
   * format and language, and concurrent misses share one rendering. At most 2 formats × 2 languages are kept.
   */
  private readonly rendered = new Map<string, Promise<{ stamp: string; body: Body }>>();

  private async cached(key: string, render: () => Promise<string>): Promise<Body> {
    const stamp = await this.statements.publicStamp();
    const hit = this.rendered.get(key);
    if (hit) {
      const done = await hit.catch(() => null);
      if (done && done.stamp === stamp) return done.body;
      if (this.rendered.get(key) !== hit) return this.cached(key, render);
    }
    const next = render().then((text) => ({ stamp, body: bodyOf(text) }));
    this.rendered.set(key, next);
    next.catch(() => this.rendered.get(key) === next && this.rendered.delete(key));
    return (await next).body;
  }

  constructor(
    @Inject(ProgressStatementsService) private readonly statements: ProgressStatementsService,
    @Inject(ConfigService) private readonly config: ConfigService<AppConfig, true>,
  ) {}

  @Public()
  @Get('progress')
  async page(@Query('lang') asked: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const lang = negotiateLanguage(req.headers['accept-language'], asked);
    const html = await this.cached(`html:${lang}`, async () => renderProgressPage(await this.statements.publicStatements(), lang));
    send(req, res, html, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Language': lang,
      'Content-Security-Policy': PROGRESS_PAGE_CSP,
      Vary: 'Accept-Language',
    });
  }

  @Public()
  @Get('progress/feed.atom')
  async feed(@Query('lang') asked: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const lang = negotiateLanguage(req.headers['accept-language'], asked);
    const base = (this.config.get('PUBLIC_BASE_URL', { infer: true }) as string | undefined) ?? null;
    const xml = await this.cached(`atom:${lang}`, async () =>
      renderAtomFeed(await this.statements.publicStatements(), lang, base ? base.replace(/\/+$/, '') : null),
    );
    send(req, res, xml, {
      'Content-Type': 'application/atom+xml; charset=utf-8',
      'Content-Language': lang,
      'Content-Security-Policy': PROGRESS_DATA_CSP,
      Vary: 'Accept-Language',
    });
  }

  /** Both languages in one document: nothing is negotiated, so it does not vary. */
  @Public()
  @Get('progress.json')
  async json(@Req() req: Request, @Res() res: Response): Promise<void> {
    const text = await this.cached('json', async () => JSON.stringify(progressJson(await this.statements.publicStatements())));
    send(req, res, text, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Security-Policy': PROGRESS_DATA_CSP,
    });
  }
}

interface Body {
  bytes: Buffer;
  etag: string;
}

function bodyOf(text: string): Body {
  const bytes = Buffer.from(text, 'utf8');
  return { bytes, etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 32)}"` };
}

/** The body with its validators: 304 (no body) when If-None-Match names its ETag. */
function send(req: Request, res: Response, { bytes, etag }: Body, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Cache-Control', CACHE_CONTROL);
  res.setHeader('ETag', etag);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  if (matches(req.headers['if-none-match'], etag)) {
    res.removeHeader('Content-Type');
    res.status(304).end();
    return;
  }
  res.status(200);
  res.setHeader('Content-Length', String(bytes.length));
  res.end(bytes);
}

/** If-None-Match's weak comparison (RFC 9110 13.1.2): `*`, or any listed tag equal to ours with or without W/. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}
