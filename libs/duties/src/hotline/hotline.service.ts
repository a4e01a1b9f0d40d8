import { Inject, Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AuditTrailService } from '@app/audit-trail';
import {
  CASE_TIME_ZONE,
  Clock,
  CommonError,
  CommonErrorCode,
  decodeCursor,
  encodeCursor,
  isSystem,
  isUuid,
  pageSize,
  todayIn,
} from '@app/common';
import type { Actor, Page, PageRequest } from '@app/common';
import { IncidentsService } from '@app/incidents';
import { createHash } from 'node:crypto';
import { assertMayLogHotline, assertMayReadHotlineCases, type HotlineStanding } from './domain/hotline-access';
import {
  assertExpectedVersion,
  assertIncidentId,
  assertKind,
  assertPastOrToday,
  byKind,
  HOTLINE_KINDS,
  HOTLINE_LIMITS,
  mergeCounts,
  sameCounts,
  validateCounts,
  validateRange,
  validateSummary,
  type HotlineCountInput,
  type HotlineKind,
} from './domain/hotline-rules';
import { HotlineCaseEntity } from './hotline.entities';

export interface RecordHotlineContactsCommand {
  incidentId: string;
  /** The day (YYYY-MM-DD, Asia/Tokyo), not after today. */
  day: string;
  /** At most one entry per kind; kinds left out keep their count (0 on a new day). */
  counts: readonly HotlineCountInput[];
  /** The day's version as the caller read it; null for a day with no figures yet. */
  expectedVersion: number | null;
}

export interface AddHotlineCaseCommand {
  incidentId: string;
  occurredOn: string;
  kind: string;
  summary: string;
}

/** One recorded day: its four kinds (fixed order, zero included), their total, and the day's version. */
export interface HotlineDay {
  incidentId: string;
  day: string;
  counts: { kind: HotlineKind; count: number }[];
  total: number;
  version: number;
  updatedAt: Date;
  updatedByLabel: string;
}

/** The hotline's figures for the PPC draft's item 5 (二次被害): dates are LocalDate text (Asia/Tokyo). */
export interface HotlineFigures {
  /** The first and last day with figures; null when none is recorded. */
  from: string | null;
  to: string | null;
  total: number;
  /** All four kinds, zero included, in a fixed order. */
  byKind: { kind: HotlineKind; count: number }[];
  /** The latest 20 notable cases, newest first. */
  notableCases: { occurredOn: string; kind: HotlineKind; summary: string }[];
}

/** The aggregates anyone who reads the plan may see (no case text). */
export interface HotlineSummary extends Omit<HotlineFigures, 'notableCases'> {
  incidentId: string;
  daysRecorded: number;
  notableCaseCount: number;
}

interface CountRow {
  day: string;
  kind: HotlineKind;
  count: number;
  version: number;
  updated_at: Date;
  updated_by_label: string;
}

/** The columns of a CountRow, read through `alias` (the UPDATE joins a VALUES list with the same column names). */
const countColumns = (alias: string) =>
  `${alias}.day::text AS day, ${alias}.kind, ${alias}.count, ${alias}.version, ${alias}.updated_at, ${alias}.updated_by_label`;

/**
 * The hotline (promises 5, 8, 10): customer support's daily contact figures by kind and its notable cases. Every
 * change writes its trail entry in the same transaction. `record` and `addCase` take an Actor, so the demo loader and
 * the CLI call them as the API does.
 */
@Injectable()
export class HotlineService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(IncidentsService) private readonly incidents: IncidentsService,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private get em() {
    return this.txHost.tx;
  }

  today(): string {
    return todayIn(CASE_TIME_ZONE, this.clock.now());
  }

  /**
   * Records a day's counts: a new day (expectedVersion null) gets its four rows at version 1; a recorded day is
   * corrected with `UPDATE ... WHERE version = :expected` over its four rows (CONFLICT with the current version when
   * stale, nothing written). The same counts again change nothing and write no entry. The trail entry holds the day
   * before (null when new) and after.
   */
  @Transactional()
  async record(actor: Actor, cmd: RecordHotlineContactsCommand): Promise<HotlineDay> {
    const incidentId = assertIncidentId(cmd.incidentId);
    const day = assertPastOrToday(cmd.day, this.today(), 'day');
    const given = validateCounts(cmd.counts);
    const expected = assertExpectedVersion(cmd.expectedVersion);
    await this.incidents.getById(incidentId);
    assertMayLogHotline(actor, await this.standing(incidentId, actor), "log the hotline's figures");

    const current = await this.readDay(incidentId, day);
    const currentVersion = current[0]?.version ?? null;
    if (currentVersion !== expected) throw this.stale(incidentId, day, expected, currentVersion);
    const before = currentVersion === null ? null : countsOf(current);
    const after = mergeCounts(before === null ? null : new Map(Object.entries(before)), given);
    if (before !== null && sameCounts(before, after)) return dayOf(incidentId, current);

    const at = this.clock.now();
    const who = [at, actor.id, actor.label] as const;
    const kinds = [...HOTLINE_KINDS];
    const values = kinds.map((k) => after[k]);
    let written: CountRow[];
    if (expected === null) {
      // A concurrent first recording of the same day: the unique index makes this one insert nothing (CONFLICT below).
      written = (await this.em.query(
        `INSERT INTO hotline_daily_counts AS h (incident_id, day, kind, count, version, updated_at, updated_by_id, updated_by_label)
         SELECT $1, $2::date, v.kind, v.count, 1, $5, $6, $7 FROM unnest($3::text[], $4::int[]) AS v(kind, count)
         ON CONFLICT (incident_id, day, kind) DO NOTHING
         RETURNING ${countColumns('h')}`,
        [incidentId, day, kinds, values, ...who],
      )) as CountRow[];
    } else {
      // TypeORM answers an UPDATE with [rows, rowCount].
      [written] = (await this.em.query(
        `UPDATE hotline_daily_counts h
         SET count = v.count, version = h.version + 1, updated_at = $6, updated_by_id = $7, updated_by_label = $8
         FROM unnest($3::text[], $4::int[]) AS v(kind, count)
         WHERE h.incident_id = $1 AND h.day = $2::date AND h.kind = v.kind AND h.version = $5
         RETURNING ${countColumns('h')}`,
        [incidentId, day, kinds, values, expected, ...who],
      )) as [CountRow[], number];
    }
    if (written.length !== HOTLINE_KINDS.length) {
      // Someone else recorded or corrected the day meanwhile (their first insert, or a version bump).
      const now = await this.readDay(incidentId, day);
      throw this.stale(incidentId, day, expected, now[0]?.version ?? null);
    }
    const result = dayOf(incidentId, written);
    await this.trail.append({
      actor,
      action: expected === null ? 'hotline.day_recorded' : 'hotline.day_corrected',
      entityType: 'HotlineDay',
      entityId: `${incidentId}/${day}`,
      before: before === null ? null : { incidentId, day, counts: before, version: expected },
      after: { incidentId, day, counts: after, version: result.version },
    });
    return result;
  }

  /**
   * Adds a notable case. The trail entry holds the case's kind, day and the SHA-256 and length of its summary, not
   * the text: the trail is read by admins, who have no standing to read cases; the row keeps the text (never edited).
   */
  @Transactional()
  async addCase(actor: Actor, cmd: AddHotlineCaseCommand): Promise<HotlineCaseEntity> {
    const incidentId = assertIncidentId(cmd.incidentId);
    const occurredOn = assertPastOrToday(cmd.occurredOn, this.today(), 'occurredOn');
    const kind = assertKind(cmd.kind);
    const summary = validateSummary(cmd.summary);
    await this.incidents.getById(incidentId);
    assertMayLogHotline(actor, await this.standing(incidentId, actor), 'add a notable hotline case');
    const repo = this.em.getRepository(HotlineCaseEntity);
    const saved = await repo.save(
      repo.create({
        incidentId,
        occurredOn,
        kind,
        summary,
        recordedAt: this.clock.now(),
        recordedById: actor.id,
        recordedByLabel: actor.label,
      }),
    );
    await this.trail.append({
      actor,
      action: 'hotline.case_added',
      entityType: 'HotlineCase',
      entityId: saved.id,
      before: null,
      after: {
        incidentId,
        occurredOn,
        kind,
        summarySha256: createHash('sha256').update(summary, 'utf8').digest('hex'),
        summaryLength: [...summary].length,
      },
    });
    return saved;
  }

  /** The recorded days from `from` to `to` (both included, at most 366 days), oldest first; days without figures are absent. */
  async days(incidentId: string, from: string, to: string): Promise<HotlineDay[]> {
    assertIncidentId(incidentId);
    const range = validateRange(from, to);
    await this.incidents.getById(incidentId);
    const rows = (await this.em.query(
      `SELECT ${countColumns('h')} FROM hotline_daily_counts h WHERE h.incident_id = $1 AND h.day BETWEEN $2::date AND $3::date ORDER BY h.day, h.kind`,
      [incidentId, range.from, range.to],
    )) as CountRow[];
    const byDay = new Map<string, CountRow[]>();
    for (const r of rows) byDay.set(r.day, [...(byDay.get(r.day) ?? []), r]);
    return [...byDay.values()].map((dayRows) => dayOf(incidentId, dayRows));
  }

  /** The aggregates over every recorded day (no case text): what the dashboard shows to every role. */
  async summary(incidentId: string): Promise<HotlineSummary> {
    assertIncidentId(incidentId);
    await this.incidents.getById(incidentId);
    const totals = await this.totals(incidentId);
    const notableCaseCount = await this.em.getRepository(HotlineCaseEntity).countBy({ incidentId });
    return { incidentId, ...totals, notableCaseCount };
  }

  /**
   * The figures the PPC draft's item 5 is written from (for the filings service of this context, which checks its own
   * caller's standing): the span, the totals by kind and the latest 20 notable cases.
   */
  async figuresFor(incidentId: string): Promise<HotlineFigures> {
    assertIncidentId(incidentId);
    const { from, to, total, byKind: kinds } = await this.totals(incidentId);
    const latest = await this.em
      .getRepository(HotlineCaseEntity)
      .createQueryBuilder('c')
      .where('c.incidentId = :incidentId', { incidentId })
      .orderBy('c.occurredOn', 'DESC')
      .addOrderBy('c.recordedAt', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .limit(HOTLINE_LIMITS.notableCasesInFigures)
      .getMany();
    return {
      from,
      to,
      total,
      byKind: kinds,
      notableCases: latest.map((c) => ({ occurredOn: c.occurredOn, kind: c.kind, summary: c.summary })),
    };
  }

  /** The notable cases, newest first (day, then when recorded), for those with standing (domain/hotline-access.ts). */
  async cases(actor: Actor, incidentId: string, page: PageRequest): Promise<Page<HotlineCaseEntity>> {
    assertIncidentId(incidentId);
    const size = pageSize(page.first);
    await this.incidents.getById(incidentId);
    assertMayReadHotlineCases(actor, await this.standing(incidentId, actor));
    const repo = this.em.getRepository(HotlineCaseEntity);
    const totalCount = await repo.countBy({ incidentId });
    const qb = repo.createQueryBuilder('c').where('c.incidentId = :incidentId', { incidentId });
    if (page.after) {
      const { on, at, id } = decodeCaseCursor(page.after);
      qb.andWhere('(c.occurredOn, c.recordedAt, c.id) < (CAST(:on AS date), CAST(:at AS timestamptz), CAST(:id AS uuid))', { on, at, id });
    }
    const rows = await qb
      .orderBy('c.occurredOn', 'DESC')
      .addOrderBy('c.recordedAt', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .limit(size + 1)
      .getMany();
    return {
      nodes: rows.slice(0, size),
      hasNextPage: rows.length > size,
      totalCount,
      cursorOf: (c) => encodeCursor([c.occurredOn, c.recordedAt.toISOString(), c.id]),
    };
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private async totals(incidentId: string): Promise<Omit<HotlineSummary, 'incidentId' | 'notableCaseCount'>> {
    const rows = (await this.em.query(
      `SELECT kind, sum(count)::int AS total, min(day)::text AS first, max(day)::text AS last, count(DISTINCT day)::int AS days
       FROM hotline_daily_counts WHERE incident_id = $1 GROUP BY kind`,
      [incidentId],
    )) as { kind: HotlineKind; total: number; first: string; last: string; days: number }[];
    const kinds = byKind(new Map(rows.map((r) => [r.kind, r.total])));
    const firsts = rows.map((r) => r.first).sort();
    const lasts = rows.map((r) => r.last).sort();
    return {
      from: firsts[0] ?? null,
      to: lasts.at(-1) ?? null,
      total: kinds.reduce((n, k) => n + k.count, 0),
      byKind: kinds,
      // Every recorded day has its four rows: each kind counts the same days.
      daysRecorded: rows[0]?.days ?? 0,
    };
  }

  private readDay(incidentId: string, day: string): Promise<CountRow[]> {
    return this.em.query(
      `SELECT ${countColumns('h')} FROM hotline_daily_counts h WHERE h.incident_id = $1 AND h.day = $2::date ORDER BY h.kind`,
      [incidentId, day],
    ) as Promise<CountRow[]>;
  }

  private async standing(incidentId: string, actor: Actor): Promise<HotlineStanding> {
    const current = (await this.incidents.taskForce([incidentId])).filter((m) => m.leftOn === null);
    return {
      chiefId: current.find((m) => m.isChief)?.userId ?? null,
      actorIsMember: !isSystem(actor) && current.some((m) => m.userId === actor.id),
    };
  }

  private stale(incidentId: string, day: string, expected: number | null, current: number | null): CommonError {
    const message =
      current === null
        ? `The hotline figures of ${day} do not exist yet (you sent version ${expected}); send expectedVersion null to record them`
        : `The hotline figures of ${day} were recorded by someone else (you sent version ${expected ?? 'null'}, it is now ${current}); reload and try again`;
    return new CommonError(CommonErrorCode.STALE_VERSION, message, {
      entity: 'HotlineDay',
      id: `${incidentId}/${day}`,
      expectedVersion: expected,
      currentVersion: current,
    });
  }
}

function countsOf(rows: readonly CountRow[]): Record<HotlineKind, number> {
  const out = {} as Record<HotlineKind, number>;
  for (const kind of HOTLINE_KINDS) out[kind] = rows.find((r) => r.kind === kind)?.count ?? 0;
  return out;
}

function dayOf(incidentId: string, rows: readonly CountRow[]): HotlineDay {
  const counts = byKind(new Map(rows.map((r) => [r.kind, r.count])));
  const latest = rows.reduce((a, b) => (b.updated_at > a.updated_at ? b : a));
  return {
    incidentId,
    day: rows[0]!.day,
    counts,
    total: counts.reduce((n, c) => n + c.count, 0),
    version: rows[0]!.version,
    updatedAt: new Date(latest.updated_at),
    updatedByLabel: latest.updated_by_label,
  };
}

/** [occurredOn, recordedAt ISO, id], as `cases` issues it, or INVALID_CURSOR. */
function decodeCaseCursor(cursor: string): { on: string; at: string; id: string } {
  const [on, at, id] = decodeCursor(cursor, 3);
  if (
    typeof on !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}$/.test(on) ||
    typeof at !== 'string' ||
    Number.isNaN(Date.parse(at)) ||
    typeof id !== 'string' ||
    !isUuid(id)
  ) {
    throw new CommonError(CommonErrorCode.INVALID_CURSOR, 'The cursor `after` is not one this list issued', { after: cursor });
  }
  return { on, at, id };
}
