import { Controller, Get, NotFoundException, Res } from '@nestjs/common';
import type { Response } from 'express';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Public } from '../auth/access.decorators';

/** The page's own policy (also a meta tag in the file): no network at all, inline script and style only. */
export const VERIFY_PAGE_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

/**
 * `GET /verify.html`: the offline browser verifier (apps/verifier, built by
 * `npm run build` into dist/verifier/verify.html), one self-contained file
 * that checks a dropped evidence bundle with WebCrypto and sends nothing
 * anywhere.
 *
 * Public, no sign-in: it is the same static file for everybody, holds no data
 * and no secret, and is meant to be handed to auditors and regulators who
 * have no account (README "Checking our proofs without us"). It is read from
 * disk on each request, so a rebuilt page is served at once (no-cache: the
 * browser revalidates). `Content-Disposition: inline` with a file name, so
 * that "save as" keeps the name an auditor will open from their disk.
 */
@Controller()
export class VerifierPageController {
  @Public()
  @Get('verify.html')
  async page(@Res() res: Response): Promise<void> {
    let html: Buffer;
    try {
      html = await fs.promises.readFile(verifierPagePath());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new NotFoundException('The verifier page is not built (npm run build writes dist/verifier/verify.html)');
      }
      throw err;
    }
    res.status(200);
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Content-Length', String(html.length));
    res.setHeader('Content-Security-Policy', VERIFY_PAGE_CSP);
    res.setHeader('Content-Disposition', 'inline; filename="verify.html"');
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.end(html);
  }
}

/** dist/verifier/verify.html of the repository (from apps/api/src when run from sources, dist/apps/api/src when built). */
export function verifierPagePath(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return path.resolve('dist/verifier/verify.html');
    dir = up;
  }
  return path.join(dir, 'dist/verifier/verify.html');
}
