import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ALL_COUNTERMEASURE_STATUSES, isOpen } from './domain/countermeasure-workflow';

/** A countermeasure that reached VERIFIED, and the day it did (in the time zone asked for). */
export interface VerifiedCountermeasure {
  seq: number;
  title: string;
  day: string;
}

/** A due date moved later. */
export interface PostponedDueDate {
  seq: number;
  title: string;
  oldDueDate: string;
  newDueDate: string;
  reason: string;
}

/** An open countermeasure and its due date. */
export interface OpenCountermeasureDue {
  seq: number;
  title: string;
  dueDate: string;
  ownerId: string;
}

const OPEN_STATUSES = ALL_COUNTERMEASURE_STATUSES.filter(isOpen);

/**
 * How the plan moved over a period, for summaries written for people (the
 * weekly digest): one statement per kind of read, whatever the number of
 * countermeasures. Days are `YYYY-MM-DD`; a period [fromDay, toDay) runs from
 * fromDay 00:00 to toDay 00:00 in `timeZone`. Read-only.
 */
@Injectable()
export class CountermeasureProgressReads {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get em() {
    return this.txHost.tx;
  }

  /** Countermeasures that reached VERIFIED in [fromDay, toDay): each once, on the first day it did in the period; by day, then number. */
  verifiedBetween(fromDay: string, toDay: string, timeZone: string): Promise<VerifiedCountermeasure[]> {
    return this.em.query<VerifiedCountermeasure[]>(
      `SELECT v.seq, v.title, v.day FROM (
         SELECT DISTINCT ON (c.id) c.seq, c.title, to_char(t.at AT TIME ZONE $3::text, 'YYYY-MM-DD') AS day
         FROM countermeasure_transitions t JOIN countermeasures c ON c.id = t.countermeasure_id
         WHERE t.to_status = 'VERIFIED' AND t.at >= ($1::date)::timestamp AT TIME ZONE $3::text AND t.at < ($2::date)::timestamp AT TIME ZONE $3::text
         ORDER BY c.id, t.at) v
       ORDER BY v.day, v.seq`,
      [fromDay, toDay, timeZone],
    );
  }

  /** Due dates moved later in [fromDay, toDay), in the order they were moved. */
  postponedBetween(fromDay: string, toDay: string, timeZone: string): Promise<PostponedDueDate[]> {
    return this.em.query<PostponedDueDate[]>(
      `SELECT c.seq, c.title, d.old_due_date::text AS "oldDueDate", d.new_due_date::text AS "newDueDate", d.reason
       FROM countermeasure_due_date_changes d JOIN countermeasures c ON c.id = d.countermeasure_id
       WHERE d.new_due_date > d.old_due_date
         AND d.at >= ($1::date)::timestamp AT TIME ZONE $3::text AND d.at < ($2::date)::timestamp AT TIME ZONE $3::text
       ORDER BY d.at, d.id`,
      [fromDay, toDay, timeZone],
    );
  }

  /** Open countermeasures due from `firstDay` through `lastDay`, by due date, then number. */
  openDueBetween(firstDay: string, lastDay: string): Promise<OpenCountermeasureDue[]> {
    return this.em.query<OpenCountermeasureDue[]>(
      `SELECT c.seq, c.title, c.due_date::text AS "dueDate", c.owner_id AS "ownerId"
       FROM countermeasures c
       WHERE c.status = ANY($1::text[]) AND c.due_date BETWEEN $2::date AND $3::date
       ORDER BY c.due_date, c.seq`,
      [OPEN_STATUSES, firstDay, lastDay],
    );
  }

  /** How many open countermeasures are past their due date on `today`. */
  async overdueCount(today: string): Promise<number> {
    const [{ n }] = await this.em.query<[{ n: number }]>(
      `SELECT count(*)::int AS n FROM countermeasures c WHERE c.status = ANY($1::text[]) AND c.due_date < $2::date`,
      [OPEN_STATUSES, today],
    );
    return n;
  }
}
