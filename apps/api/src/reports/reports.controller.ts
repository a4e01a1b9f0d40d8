import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CommonError, CommonErrorCode } from '@app/common';
import { Permission, type UserEntity } from '@app/identity';
import { StatusReportService, type GeneratedReport, type ReportFormat } from '@app/reports';
import { Allow, CurrentUser } from '../auth/access.decorators';
import { CostBudget, ReportRenderingSlots, serverBusy } from '../common/work-limits';

/**
 * What a report costs of its caller's budget (CostBudget): it reads the whole
 * incident, as a query of a few hundred countermeasures with their evidence would.
 */
export const REPORT_COST = 10_000;

/**
 * The status report for the board and the regulator, as a download:
 * `GET /reports/status.csv` and `GET /reports/status.pdf` (optional
 * `?incidentId=<uuid>`; without it, the only incident). Executives, auditors and
 * admins (`reports:read`); anyone else 403, no token 401, a malformed id 400, an
 * unknown one 404 — JSON error bodies from the global filter, and no report
 * bytes. Each download is recorded in the audit trail (`report.generated`).
 */
@Controller('reports')
export class ReportsController {
  constructor(
    @Inject(StatusReportService) private readonly reports: StatusReportService,
    @Inject(ReportRenderingSlots) private readonly rendering: ReportRenderingSlots,
    @Inject(CostBudget) private readonly budget: CostBudget,
  ) {}

  @Get('status.csv')
  @Allow(Permission.REPORTS_READ)
  async csv(@Query('incidentId') incidentId: unknown, @CurrentUser() user: UserEntity, @Res() res: Response): Promise<void> {
    await this.send('csv', incidentId, user, res);
  }

  @Get('status.pdf')
  @Allow(Permission.REPORTS_READ)
  async pdf(@Query('incidentId') incidentId: unknown, @CurrentUser() user: UserEntity, @Res() res: Response): Promise<void> {
    await this.send('pdf', incidentId, user, res);
  }

  private async send(format: ReportFormat, incidentId: unknown, user: UserEntity, res: Response): Promise<void> {
    // Set before generating, so that an error answer is not cached either.
    res.setHeader('Cache-Control', 'no-store');
    if (incidentId !== undefined && typeof incidentId !== 'string') {
      throw new CommonError(CommonErrorCode.INVALID_INPUT, 'Give incidentId once', { field: 'incidentId' });
    }
    // Bounded: a caller's budget of expensive work, and so many renderings at once (a few more wait their turn).
    await this.budget.charge(`user:${user.id}`, REPORT_COST, 'a status report');
    const slot = this.rendering.take();
    if (!slot) throw serverBusy('reports', 2);
    const release = await slot;
    let out: GeneratedReport;
    try {
      out = await this.reports.generate(user, format, incidentId);
    } finally {
      release();
    }
    res.status(200);
    res.setHeader('Content-Type', out.mediaType);
    res.setHeader('Content-Length', String(out.bytes.length));
    res.setHeader('Content-Disposition', attachment(out.fileName, out.fileNameJa));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Repr-Digest', `sha-256=:${Buffer.from(out.sha256, 'hex').toString('base64')}:`);
    res.end(out.bytes);
  }
}

/** RFC 6266: an ASCII `filename` for old clients, the Japanese name in `filename*` (RFC 5987, UTF-8). */
export function attachment(asciiName: string, name: string): string {
  const ascii = asciiName.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
