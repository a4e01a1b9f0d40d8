import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Clock, decodeSeqIdCursor, isSystem, isUuid, pageOf, pageSize, type Actor, type Page, type PageRequest } from '@app/common';
import { AuditTrailService } from '@app/audit-trail';
import { CountermeasuresService } from '@app/countermeasures';
import { uniqueViolationOf } from '@app/database';
import { EvidenceService } from '@app/evidence';
import { actorMay, Permission, UsersService } from '@app/identity';
import { IncidentsService } from '@app/incidents';
import { DutyError, DutyErrorCode } from '../domain/duties.errors';
import {
  checkStatement,
  findContentViolation,
  notPublishable,
  publishedFields,
  statementLabel,
  type CheckedStatement,
  type InternalTerm,
  type PublishProgressStatementCommand,
} from './domain/progress-rules';
import { ProgressStatementEntity, type StatementCountermeasure } from './progress-statement.entity';

/** The most statements the public page and feeds list (the newest). */
export const PUBLIC_PROGRESS_LIMIT = 100;

/** A published statement with its place among the others: what it corrects, and what corrected it. */
export interface PublishedStatement {
  statement: ProgressStatementEntity;
  /** The number of the statement this one corrects. */
  correctsNumber: number | null;
  /** The statement that corrects this one, if any. */
  correctedBy: { id: string; number: number } | null;
}

/**
 * Public progress statements (promise 9): an executive publishes one (numbered per incident, dated, in the trail,
 * never changed afterwards); the tracker lists them, and the public page reads the published text and nothing
 * else. Publication is refused when a text names a user of the tracker, an e-mail address, or the evidence or
 * review comments of the countermeasures it shows (the content rule; the input has no field for owners, evidence
 * or comments in the first place).
 */
@Injectable()
export class ProgressStatementsService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(IncidentsService) private readonly incidents: IncidentsService,
    @Inject(CountermeasuresService) private readonly countermeasures: CountermeasuresService,
    @Inject(EvidenceService) private readonly evidence: EvidenceService,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private get repo() {
    return this.txHost.tx.getRepository(ProgressStatementEntity);
  }

  /**
   * Publishes a statement: executives (PROGRESS_PUBLISH) and the system (the demo loader). One transaction with its
   * trail entry `progress_statement.published`. Usable without GraphQL (`publish(Actor.system('demo'), {...})`).
   */
  @Transactional()
  async publish(actor: Actor, cmd: PublishProgressStatementCommand): Promise<ProgressStatementEntity> {
    if (!isSystem(actor) && !actorMay(actor, Permission.PROGRESS_PUBLISH)) {
      throw new DutyError(DutyErrorCode.NOT_PERMITTED, 'Only an executive may publish a progress statement', { actor: actor.label });
    }
    const s = checkStatement(cmd);
    // Numbers 第1報, 第2報… without gaps or duplicates, and one correction of a statement at a time.
    await this.incidents.lock(s.incidentId);
    const corrected = s.corrects ? await this.correctable(s) : null;
    const shown = await this.shownCountermeasures(s);
    await this.assertPublishable(s);
    const { max } = (await this.repo
      .createQueryBuilder('s')
      .select('COALESCE(MAX(s.number), 0)', 'max')
      .where('s.incidentId = :id', { id: s.incidentId })
      .getRawOne<{ max: number }>())!;
    let row: ProgressStatementEntity;
    try {
      row = await this.repo.save(
        this.repo.create({
          incidentId: s.incidentId,
          number: Number(max) + 1,
          correctsId: corrected?.id ?? null,
          correctionNoteJa: s.correctionNoteJa,
          correctionNoteEn: s.correctionNoteEn,
          titleJa: s.titleJa,
          titleEn: s.titleEn,
          bodyJa: s.bodyJa,
          bodyEn: s.bodyEn,
          countermeasures: shown,
          publishedAt: this.clock.now(),
          publishedById: actor.id,
          publishedByLabel: actor.label,
        }),
      );
    } catch (err) {
      // Under the incident lock this does not happen; kept so that a correction is never stored twice.
      if (uniqueViolationOf(err)?.constraint !== 'UQ_progress_statements_corrects') throw err;
      throw new DutyError(DutyErrorCode.INVALID_CORRECTION, 'That statement has just been corrected', { field: 'corrects' });
    }
    await this.trail.append({
      actor,
      action: 'progress_statement.published',
      entityType: 'ProgressStatement',
      entityId: row.id,
      after: snapshot(row, corrected?.number ?? null),
    });
    return row;
  }

  /** The statement a correction corrects: published, of the same incident, not corrected yet (the latest version). */
  private async correctable(s: CheckedStatement): Promise<ProgressStatementEntity> {
    const target = await this.repo.findOneBy({ id: s.corrects! });
    if (!target) {
      throw new DutyError(DutyErrorCode.STATEMENT_NOT_FOUND, `Progress statement ${s.corrects} does not exist`, { id: s.corrects });
    }
    if (target.incidentId !== s.incidentId) {
      throw new DutyError(DutyErrorCode.INVALID_CORRECTION, 'A correction corrects a statement of the same incident', {
        field: 'corrects',
        incidentId: target.incidentId,
      });
    }
    const later = await this.repo.findOneBy({ correctsId: target.id });
    if (later) {
      throw new DutyError(
        DutyErrorCode.INVALID_CORRECTION,
        `${statementLabel(target.number, 'en')} is already corrected by ${statementLabel(later.number, 'en')}: correct that one instead`,
        { field: 'corrects', correctedById: later.id, correctedByNumber: later.number },
      );
    }
    return target;
  }

  /** The chosen countermeasures, each of this incident, with its status now (read through @app/countermeasures). */
  private async shownCountermeasures(s: CheckedStatement): Promise<StatementCountermeasure[]> {
    if (s.countermeasures.length === 0) return [];
    const found = new Map((await this.countermeasures.findByIds(s.countermeasures.map((c) => c.countermeasureId))).map((c) => [c.id, c]));
    return s.countermeasures.map((c, i) => {
      const cm = found.get(c.countermeasureId);
      if (!cm || cm.incidentId !== s.incidentId) {
        throw new DutyError(DutyErrorCode.INVALID_FIELD, `countermeasures[${i}]: no such countermeasure in this incident`, {
          field: `countermeasures[${i}].countermeasureId`,
        });
      }
      return { countermeasureId: cm.id, labelJa: c.labelJa, labelEn: c.labelEn, status: cm.status };
    });
  }

  /**
   * The content rule: no e-mail address, no user's name, reading or e-mail (any user of the tracker), and none of
   * the names or review comments of the live evidence of the countermeasures shown. NOT_PUBLISHABLE naming the field.
   */
  private async assertPublishable(s: CheckedStatement): Promise<void> {
    const fields = publishedFields(s);
    const terms: InternalTerm[] = [];
    for (const u of await this.users.mentionedIn(fields.map((f) => f.text))) {
      terms.push({ reason: 'USER_NAME', value: u.displayName }, { reason: 'USER_EMAIL', value: u.email });
      if (u.displayNameKana) terms.push({ reason: 'USER_NAME', value: u.displayNameKana });
    }
    if (s.countermeasures.length) {
      const evidence = await this.evidence.liveEvidenceOf(s.countermeasures.map((c) => c.countermeasureId));
      for (const e of evidence) terms.push({ reason: 'EVIDENCE_NAME', value: e.name });
      const reviews = await this.evidence.reviewsOf(evidence.map((e) => e.id));
      for (const r of reviews) if (r.comment) terms.push({ reason: 'REVIEW_COMMENT', value: r.comment });
    }
    const violation = findContentViolation(fields, terms);
    if (violation) throw notPublishable(violation);
  }

  // ---- reads ----------------------------------------------------------------------------------------------------

  async getById(id: string): Promise<PublishedStatement> {
    const row = isUuid(id) ? await this.repo.findOneBy({ id: id.toLowerCase() }) : null;
    if (!row) throw new DutyError(DutyErrorCode.STATEMENT_NOT_FOUND, `Progress statement ${id} does not exist`, { id });
    return (await this.withLinks([row]))[0]!;
  }

  /** An incident's statements, newest (highest number) first; keyset on (number, id). The incident must exist. */
  async list(incidentId: string, page: PageRequest): Promise<Page<PublishedStatement>> {
    const size = pageSize(page.first);
    await this.incidents.getById(incidentId);
    const qb = this.repo.createQueryBuilder('s').where('s.incidentId = :incidentId', { incidentId });
    const totalCount = await qb.clone().getCount();
    if (page.after) {
      const { seq } = decodeSeqIdCursor(page.after);
      qb.andWhere('s.number < :number', { number: seq });
    }
    const rows = await qb
      .orderBy('s.number', 'DESC')
      .limit(size + 1)
      .getMany();
    const linked = await this.withLinks(rows);
    return pageOf(linked, size, totalCount, (p) => [p.statement.number, p.statement.id]);
  }

  /**
   * What changes whenever the public page would: how many statements there are and the newest one (statements are
   * never changed or deleted, so a new one is the only change). One index-only statement: the public routes ask it on
   * every request and render again only when it moved.
   */
  async publicStamp(): Promise<string> {
    const [row] = (await this.repo.query(
      `SELECT count(*)::int AS n, coalesce(max(published_at)::text, '') AS latest FROM progress_statements`,
    )) as { n: number; latest: string }[];
    return `${row!.n}/${row!.latest}`;
  }

  /**
   * What the public page and feeds show: the latest `PUBLIC_PROGRESS_LIMIT` published statements of every incident,
   * newest first, with their corrections. Only what was published: the rows of this table and nothing else.
   */
  async publicStatements(limit = PUBLIC_PROGRESS_LIMIT): Promise<PublishedStatement[]> {
    const rows = await this.repo
      .createQueryBuilder('s')
      .orderBy('s.publishedAt', 'DESC')
      .addOrderBy('s.number', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .limit(Math.min(Math.max(1, limit), PUBLIC_PROGRESS_LIMIT))
      .getMany();
    return this.withLinks(rows);
  }

  /** The numbers of what these statements correct and of what corrects them (one statement). */
  private async withLinks(rows: ProgressStatementEntity[]): Promise<PublishedStatement[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const correctsIds = rows.flatMap((r) => (r.correctsId ? [r.correctsId] : []));
    const links: { id: string; number: number; corrects_id: string | null }[] = await this.txHost.tx.query(
      `SELECT id, number, corrects_id FROM progress_statements WHERE corrects_id = ANY($1::uuid[]) OR id = ANY($2::uuid[])`,
      [ids, correctsIds],
    );
    const numberOf = new Map(links.map((l) => [l.id, l.number]));
    const correctionOf = new Map(links.filter((l) => l.corrects_id).map((l) => [l.corrects_id!, { id: l.id, number: l.number }]));
    return rows.map((statement) => ({
      statement,
      correctsNumber: statement.correctsId ? (numberOf.get(statement.correctsId) ?? null) : null,
      correctedBy: correctionOf.get(statement.id) ?? null,
    }));
  }
}

function snapshot(s: ProgressStatementEntity, correctsNumber: number | null) {
  return {
    incidentId: s.incidentId,
    number: s.number,
    correctsId: s.correctsId,
    correctsNumber,
    correctionNoteJa: s.correctionNoteJa,
    correctionNoteEn: s.correctionNoteEn,
    titleJa: s.titleJa,
    titleEn: s.titleEn,
    bodyJa: s.bodyJa,
    bodyEn: s.bodyEn,
    countermeasures: s.countermeasures,
    publishedAt: s.publishedAt.toISOString(),
  };
}
