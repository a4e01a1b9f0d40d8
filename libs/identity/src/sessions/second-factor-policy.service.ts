import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Actor, Clock, staleVersion } from '@app/common';
import { AuditTrailService } from '@app/audit-trail';
import { IdentityError, IdentityErrorCode } from '../domain/identity.errors';
import { Role, USER_ROLES } from '../domain/role';
import { SecondFactorPolicyEntity } from './second-factor-policy.entity';
import { endSessionsWhere, RevocationReason } from './session-revocation';

/** Which roles must have a second factor: read at every sign-in, set by admins (a trail entry each change). */
@Injectable()
export class SecondFactorPolicyService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly trail: AuditTrailService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private get repo() {
    return this.txHost.tx.getRepository(SecondFactorPolicyEntity);
  }

  /** One row per user role, in the order of USER_ROLES. */
  async list(): Promise<SecondFactorPolicyEntity[]> {
    const rows = await this.repo.find();
    return USER_ROLES.map((role) => rows.find((r) => r.role === role)).filter((r): r is SecondFactorPolicyEntity => !!r);
  }

  /** Whether any of `roles` requires a second factor. */
  async requiredFor(roles: readonly string[]): Promise<boolean> {
    if (roles.length === 0) return false;
    const rows: unknown[] = await this.txHost.tx.query(`SELECT 1 FROM second_factor_policy WHERE required AND role = ANY($1) LIMIT 1`, [
      [...roles],
    ]);
    return rows.length > 0;
  }

  /** Requires (or stops requiring) a second factor for `role`; the version read guards against a concurrent change. */
  @Transactional()
  async set(actor: Actor, role: Role, required: boolean, expectedVersion: number | null): Promise<SecondFactorPolicyEntity> {
    if (!USER_ROLES.includes(role)) {
      throw new IdentityError(IdentityErrorCode.ROLE_NOT_FOR_USERS, `${role} is not a role users hold`, { role });
    }
    const row = await this.repo.createQueryBuilder('p').setLock('pessimistic_write').where('p.role = :role', { role }).getOne();
    if (!row) throw new Error(`second_factor_policy has no row for ${role}`);
    if (expectedVersion !== null && row.version !== expectedVersion)
      throw staleVersion('SecondFactorPolicy', role, expectedVersion, row.version);
    const before = { role, required: row.required };
    row.required = required;
    row.updatedAt = this.clock.now();
    row.updatedByLabel = actor.label;
    const saved = await this.repo.save(row);
    if (required && !before.required) {
      // Sessions of the role's holders that never proved a second factor do not go on under the new rule.
      await endSessionsWhere(
        this.txHost.tx,
        this.trail,
        actor,
        RevocationReason.SECOND_FACTOR_NOW_REQUIRED,
        {
          sql: `s.second_factor_method IS NULL AND s.user_id IN (SELECT u.id FROM users u WHERE :role = ANY(u.roles))`,
          params: { role },
        },
        new Date(),
      );
    }
    await this.trail.append({
      actor,
      action: 'auth.second-factor-policy-set',
      entityType: 'SecondFactorPolicy',
      entityId: role,
      before,
      after: { role, required },
    });
    return saved;
  }
}
