import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Actor, CommonError, CommonErrorCode } from '@app/common';
import { BreachFilingsService, renderFilingDocx, renderFilingPdf } from '@app/duties';
import { Permission, type UserEntity } from '@app/identity';
import { Allow, CurrentUser } from '../auth/access.decorators';
import { CostBudget, ReportRenderingSlots, serverBusy } from '../common/work-limits';
import { attachment, REPORT_COST } from '../reports/reports.controller';

const FORMATS = {
  pdf: { mediaType: 'application/pdf', render: renderFilingPdf },
  docx: { mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', render: renderFilingDocx },
} as const;

/**
 * A PPC filing as a document for legal review: `GET /duties/filings/<id>.pdf` (Japanese font embedded) and
 * `GET /duties/filings/<id>.docx`. Who may read the filing (executives, auditors, the incident's chief and legal
 * lead; libs/duties decides per incident); anyone else 403, no token 401, an unknown id 404, a wrong name 400.
 * Rendering is bounded as the status report's is (a caller's budget, so many at once).
 */
@Controller('duties/filings')
export class FilingFilesController {
  constructor(
    @Inject(BreachFilingsService) private readonly filings: BreachFilingsService,
    @Inject(ReportRenderingSlots) private readonly rendering: ReportRenderingSlots,
    @Inject(CostBudget) private readonly budget: CostBudget,
  ) {}

  @Get(':file')
  @Allow(Permission.DUTIES_READ)
  async file(@Param('file') file: string, @CurrentUser() user: UserEntity, @Res() res: Response): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    const m = /^([0-9a-fA-F-]{36})\.(pdf|docx)$/.exec(file);
    if (!m) throw new CommonError(CommonErrorCode.INVALID_INPUT, 'Ask for <filing id>.pdf or <filing id>.docx', { field: 'file' });
    const [, id, ext] = m as unknown as [string, string, keyof typeof FORMATS];
    const doc = await this.filings.document(Actor.user(user), id);
    await this.budget.charge(`user:${user.id}`, REPORT_COST, 'a filing document');
    const slot = this.rendering.take();
    if (!slot) throw serverBusy('reports', 2);
    const release = await slot;
    let bytes: Buffer;
    try {
      bytes = await FORMATS[ext].render(doc);
    } finally {
      release();
    }
    const name = `ppc-${doc.kind.toLowerCase()}${doc.status === 'DRAFT' ? '-draft' : ''}-${doc.filingId.slice(0, 8)}.${ext}`;
    const nameJa = `個人情報の漏えい等に関する報告_${doc.kindLabelJa}${doc.status === 'DRAFT' ? '_下書き' : ''}.${ext}`;
    res.status(200);
    res.setHeader('Content-Type', FORMATS[ext].mediaType);
    res.setHeader('Content-Length', String(bytes.length));
    res.setHeader('Content-Disposition', attachment(name, nameJa));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end(bytes);
  }
}
