import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { BundlesService } from '@app/bundles';
import { Permission } from '@app/identity';
import { Allow } from '../auth/access.decorators';
import { attachment } from '../reports/reports.controller';

/**
 * `GET /bundles/:id`: a READY evidence bundle's zip, streamed from the disk,
 * with the bearer token like the evidence files (auditors, executives, admins;
 * anyone else 403, no token 401; an unknown bundle or one not READY 404).
 */
@Controller('bundles')
export class BundlesController {
  constructor(@Inject(BundlesService) private readonly bundles: BundlesService) {}

  @Get(':id')
  @Allow(Permission.BUNDLES_EXPORT)
  async download(@Param('id') id: string, @Res() res: Response): Promise<void> {
    res.setHeader('Cache-Control', 'private, no-store');
    const { bundle, size, stream } = await this.bundles.openDownload(id);
    const name = bundle.fileName ?? `evidence-bundle-${bundle.id}.zip`;
    res.status(200);
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Length', String(size));
    res.setHeader('Content-Disposition', attachment(name, name));
    res.setHeader('Repr-Digest', `sha-256=:${Buffer.from(bundle.sha256!, 'hex').toString('base64')}:`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    try {
      await pipeline(stream, res);
    } catch {
      res.destroy();
    }
  }
}
