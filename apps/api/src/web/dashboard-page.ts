import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';

/**
 * The dashboard page (apps/web, built by `npm run build` into dist/web), served
 * at `/` by this server, so that it talks to the GraphQL API of its own origin.
 *
 * Plain static files, mounted before Nest's router and so outside the global
 * AccessGuard, on purpose: they are the application shell (HTML, the bundled
 * script and styles, a font) — the same bytes for everybody, built from the
 * repository, holding no data and no secret. Every figure the page shows is
 * fetched afterwards by the browser from /graphql with the user's bearer
 * token, and that route stays deny-by-default. A request that matches no file
 * falls through to Nest untouched (/graphql, /health, /evidence/..., 404s).
 */
export function serveDashboardPage(app: NestExpressApplication, dir = dashboardPageDir()): void {
  app.useStaticAssets(dir, {
    index: 'index.html',
    dotfiles: 'ignore',
    redirect: false,
    fallthrough: true,
    setHeaders: (res: ServerResponse, file: string) => {
      const req = (res as ServerResponse & { req?: IncomingMessage }).req;
      res.setHeader('Content-Security-Policy', contentSecurityPolicy(req?.headers.host));
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.setHeader('X-Frame-Options', 'DENY');
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      // Hashed file names never change their bytes; the HTML (which names them) is always revalidated.
      const hashed = path.dirname(file) === path.join(dir, 'assets');
      res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}

/**
 * Same origin only: scripts, styles, fonts and images from this server (no
 * inline script, no eval, no CDN); fetches and the graphql-ws WebSocket to this
 * host. `'self'` covers ws:/wss: of the same host in current browsers; the
 * host is named as well for older ones (only when it is a plain host[:port]).
 */
export function contentSecurityPolicy(host: string | undefined): string {
  const sameHostSockets = host && /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    `connect-src 'self'${sameHostSockets}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** dist/web of the repository (from apps/api/src when run from sources, dist/apps/api/src when built). */
export function dashboardPageDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return path.resolve('dist/web');
    dir = up;
  }
  return path.join(dir, 'dist/web');
}
