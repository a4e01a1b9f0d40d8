import { Inject, Injectable } from '@nestjs/common';
import { addDays, CASE_TIME_ZONE, Clock, todayIn } from '@app/common';
import { CountermeasureProgressReads, countermeasureKey } from '@app/countermeasures';
import { UsersService } from '@app/identity';
import { PromotionGateService } from '@app/promotion-gate';
import type { DigestFacts } from './domain/notification-texts';

/**
 * The facts of the weekly digest — what was verified, which due dates moved
 * later, what became overdue, where each gate stands — asked of the contexts
 * that own them (countermeasures, identity for the owners' names, the
 * promotion gate), one statement per kind of read.
 */
@Injectable()
export class WeeklyDigestFacts {
  constructor(
    @Inject(CountermeasureProgressReads) private readonly progress: CountermeasureProgressReads,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(PromotionGateService) private readonly gates: PromotionGateService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** The seven days before `now`'s day (in the case's time zone). */
  async of(now: Date = this.clock.now()): Promise<DigestFacts> {
    const tz = CASE_TIME_ZONE;
    const today = todayIn(tz, now);
    const weekStart = addDays(today, -7);
    // The window [weekStart 00:00, today 00:00) in the case's time zone.
    const verified = await this.progress.verifiedBetween(weekStart, today, tz);
    const slipped = await this.progress.postponedBetween(weekStart, today, tz);
    // First late during the week: due from the day before it began through the day before its last day.
    const newlyOverdue = await this.progress.openDueBetween(addDays(weekStart, -1), addDays(today, -2));
    const owners = new Map(
      (await this.users.findByIds([...new Set(newlyOverdue.map((o) => o.ownerId))])).map((u) => [u.id, u.displayName]),
    );
    const overdueNow = await this.progress.overdueCount(today);
    const gates = await this.gates.list();
    return {
      weekStart,
      weekEnd: addDays(today, -1),
      verified: verified.map((v) => ({ countermeasureKey: countermeasureKey(v.seq), title: v.title, day: v.day })),
      slipped: slipped.map((s) => ({
        countermeasureKey: countermeasureKey(s.seq),
        title: s.title,
        oldDueDate: s.oldDueDate,
        newDueDate: s.newDueDate,
        reason: s.reason,
      })),
      newlyOverdue: newlyOverdue.map((o) => ({
        countermeasureKey: countermeasureKey(o.seq),
        title: o.title,
        dueDate: o.dueDate,
        ownerName: owners.get(o.ownerId) ?? '',
      })),
      overdueNow,
      gates: gates.map((g) => ({ key: g.key, name: g.name, state: g.state, blockers: (g.blockers ?? []).map((b) => b.message) })),
    };
  }
}
