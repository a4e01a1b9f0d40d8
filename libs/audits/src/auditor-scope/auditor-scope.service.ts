import { Inject, Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AuditTrailService } from '@app/audit-trail';
import { CASE_TIME_ZONE, Clock, todayIn, type Actor } from '@app/common';
import { Role, UsersService } from '@app/identity';
import { AuditError, AuditErrorCode } from '../domain/audit.errors';
import { auditorScopeOn, type AuditorScope, type EngagementWindow } from '../domain/auditor-scope';
import { AuditorAccessLimitEntity } from './auditor-access-limit.entity';

export interface AuditorAccessLimitView {
  userId: string;
  limited: boolean;
  limitedAt: Date | null;
}

/**
 * Whether an auditor's access is limited to their engagements, and the scope that follows (issue 16). The scope
 * is read once per request by the API's engagement-scope interceptor: one statement, and only for users holding
 * AUDITOR (a user without it is never limited).
 */
@Injectable()
export class AuditorScopeService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private get em() {
    return this.txHost.tx;
  }

  /** Null: not limited (reads every incident as the roles allow). Else the incidents open to them today. */
  async scopeOf(user: { id: string; roles: readonly string[] }): Promise<AuditorScope | null> {
    if (!user.roles.includes(Role.AUDITOR)) return null;
    // One statement: the limit row, with every engagement the auditor leads or is on (none: no rows joined).
    const rows = (await this.em.query(
      `SELECT e.id AS engagement_id, e.incident_id, to_char(e.ends_on, 'YYYY-MM-DD') AS ends_on
         FROM auditor_access_limits l
         LEFT JOIN audit_engagements e
           ON e.lead_auditor_id = l.user_id
           OR e.id IN (SELECT t.engagement_id FROM audit_engagement_team t WHERE t.user_id = l.user_id)
        WHERE l.user_id = $1`,
      [user.id],
    )) as { engagement_id: string | null; incident_id: string | null; ends_on: string | null }[];
    if (rows.length === 0) return null;
    const windows: EngagementWindow[] = rows
      .filter((r) => r.engagement_id !== null)
      .map((r) => ({ engagementId: r.engagement_id!, incidentId: r.incident_id!, endsOn: r.ends_on }));
    return auditorScopeOn(windows, todayIn(CASE_TIME_ZONE, this.clock.now()));
  }

  /** For a page of users at once: which of them are limited (one statement). */
  async limitedAmong(userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows = await this.em.getRepository(AuditorAccessLimitEntity).findBy({ userId: In([...userIds]) });
    return new Set(rows.map((r) => r.userId));
  }

  async limitOf(userId: string): Promise<AuditorAccessLimitView> {
    await this.users.getById(userId);
    const row = await this.em.getRepository(AuditorAccessLimitEntity).findOneBy({ userId });
    return { userId, limited: row !== null, limitedAt: row?.limitedAt ?? null };
  }

  /**
   * An admin limits an auditor's account to their engagements, or lifts the limit. Only an account holding
   * AUDITOR can be limited (BAD_USER_INPUT NOT_AN_AUDITOR); setting what already stands changes nothing and
   * writes no trail entry.
   */
  @Transactional()
  async setLimit(actor: Actor, userId: string, limited: boolean): Promise<AuditorAccessLimitView> {
    const user = await this.users.getById(userId);
    const repo = this.em.getRepository(AuditorAccessLimitEntity);
    // The row of this user locked (or its absence seen) before the change: two admins at once serialize here.
    await this.em.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`auditor_access_limits:${userId}`]);
    const current = await repo.findOneBy({ userId });
    if (limited === (current !== null)) return { userId, limited, limitedAt: current?.limitedAt ?? null };
    if (limited) {
      if (!user.roles.includes(Role.AUDITOR)) {
        throw new AuditError(AuditErrorCode.NOT_AN_AUDITOR, 'Only an auditor’s account can be limited to their engagements', {
          userIds: [userId],
        });
      }
      const row = repo.create({ userId, limitedAt: this.clock.now(), limitedBy: actor.id });
      await repo.insert(row);
    } else {
      await repo.delete({ userId });
    }
    await this.trail.append({
      actor,
      action: limited ? 'auditor_access.limited' : 'auditor_access.unlimited',
      entityType: 'User',
      entityId: userId,
      before: { limitedToEngagements: !limited },
      after: { limitedToEngagements: limited },
    });
    return { userId, limited, limitedAt: limited ? this.clock.now() : null };
  }
}
