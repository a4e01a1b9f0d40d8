import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Actor, Clock, decodeCursor, pageSize, staleVersion, type Page, type PageRequest, pageOf } from '@app/common';
import { AuditTrailService } from '@app/audit-trail';
import { readPlainRows, updateIfVersion } from '@app/database';
import { QueryFailedError } from 'typeorm';
import { IdentityError, IdentityErrorCode } from './domain/identity.errors';
import { Role } from './domain/role';
import {
  assertAcceptablePassword,
  assertDeactivationAllowed,
  assertNotOwnRoles,
  assertReactivationAllowed,
  assertRoleChangeAllowed,
  normalizeEmail,
  normalizeRoles,
} from './domain/user-rules';
import { PasswordHasher } from './password-hasher';
import { UserEntity } from './user.entity';
import { endSessionsWhere, RevocationReason } from './sessions/session-revocation';
import { wallClock } from './sessions/sessions.service';

export interface CreateUserCommand {
  email: string;
  displayName: string;
  displayNameKana?: string | null;
  password: string;
  roles: readonly Role[];
}

export interface UserFilter {
  role?: Role | null;
  active?: boolean | null;
}

/**
 * Accounts: create, change roles, deactivate, reactivate, read.
 * Every change is one transaction that locks the admin set first, so that two
 * admins demoting each other at the same moment cannot leave the system
 * without an active admin.
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly hasher: PasswordHasher,
    private readonly trail: AuditTrailService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private get repo() {
    return this.txHost.tx.getRepository(UserEntity);
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ id });
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ email: normalizeEmail(email) });
  }

  async findByIds(ids: readonly string[]): Promise<UserEntity[]> {
    if (ids.length === 0) return [];
    return readPlainRows(this.repo.manager, UserEntity, 't.id = ANY($1)', [[...ids]], 't.id');
  }

  /**
   * The users (active or not) whose display name, its reading, or e-mail appears in one of `texts`: what a
   * content check asks before something is published (libs/duties, progress statements). Compared after NFKC,
   * in lower case and without white space (佐藤一郎, and the name with an ideographic space, both name 佐藤 一郎); a name or reading shorter
   * than two characters is not compared. The caller re-checks each text itself to say where a match is.
   */
  async mentionedIn(texts: readonly string[]): Promise<Pick<UserEntity, 'id' | 'displayName' | 'displayNameKana' | 'email'>[]> {
    if (texts.length === 0) return [];
    const squeeze = (x: string) => `regexp_replace(lower(normalize(${x}, NFKC)), '\\s+', '', 'g')`;
    const rows: { id: string; display_name: string; display_name_kana: string | null; email: string }[] = await this.repo.query(
      `WITH t AS (SELECT ${squeeze('x')} AS hay FROM unnest($1::text[]) AS x),
            u AS (SELECT id, display_name, display_name_kana, email, ${squeeze('display_name')} AS n,
                         ${squeeze("coalesce(display_name_kana, '')")} AS k FROM users)
       SELECT u.id, u.display_name, u.display_name_kana, u.email FROM u
       WHERE EXISTS (SELECT 1 FROM t WHERE (char_length(u.n) >= 2 AND strpos(t.hay, u.n) > 0)
                                       OR (char_length(u.k) >= 2 AND strpos(t.hay, u.k) > 0)
                                       OR strpos(t.hay, u.email) > 0)
       ORDER BY u.email`,
      [[...texts]],
    );
    return rows.map((r) => ({ id: r.id, displayName: r.display_name, displayNameKana: r.display_name_kana, email: r.email }));
  }

  /**
   * The user, read FOR SHARE in the caller's transaction: nobody deactivates the
   * user or takes a role away until it commits (e.g. while they are being seated
   * on a task force). Null when there is no such user.
   */
  lockForShare(id: string): Promise<UserEntity | null> {
    return this.repo.createQueryBuilder('u').setLock('pessimistic_read').where('u.id = :id', { id }).getOne();
  }

  /** lockForShare for several users at once (those that exist). */
  async lockManyForShare(ids: readonly string[]): Promise<UserEntity[]> {
    if (ids.length === 0) return [];
    return this.repo
      .createQueryBuilder('u')
      .setLock('pessimistic_read')
      .where('u.id = ANY(:ids)', { ids: [...ids] })
      .getMany();
  }

  async getById(id: string): Promise<UserEntity> {
    const user = await this.findById(id);
    if (!user) throw new IdentityError(IdentityErrorCode.USER_NOT_FOUND, `User ${id} does not exist`, { id });
    return user;
  }

  count(): Promise<number> {
    return this.repo.count();
  }

  /** Users ordered by e-mail, keyset-paginated. */
  async list(filter: UserFilter, page: PageRequest): Promise<Page<UserEntity>> {
    const size = pageSize(page.first);
    const qb = this.repo.createQueryBuilder('u');
    if (filter.role) qb.andWhere(':role = ANY(u.roles)', { role: filter.role });
    if (filter.active != null) qb.andWhere('u.active = :active', { active: filter.active });
    const totalCount = await qb.clone().getCount();
    if (page.after) {
      const [email] = decodeCursor(page.after, 1);
      qb.andWhere('u.email > :after', { after: String(email) });
    }
    const rows = await qb
      .orderBy('u.email', 'ASC')
      .limit(size + 1)
      .getMany();
    return pageOf(rows, size, totalCount, (u) => [u.email]);
  }

  @Transactional()
  async create(actor: Actor, cmd: CreateUserCommand): Promise<UserEntity> {
    assertAcceptablePassword(cmd.password);
    const roles = normalizeRoles(cmd.roles);
    const email = normalizeEmail(cmd.email);
    if (await this.repo.existsBy({ email })) {
      throw new IdentityError(IdentityErrorCode.EMAIL_TAKEN, `A user with e-mail ${email} already exists`, { email });
    }
    const entity = this.repo.create({
      email,
      displayName: cmd.displayName.trim(),
      displayNameKana: cmd.displayNameKana?.trim() || null,
      passwordHash: await this.hasher.hash(cmd.password),
      roles,
      active: true,
    });
    try {
      const saved = await this.repo.save(entity);
      await this.trail.append({ actor, action: 'user.created', entityType: 'User', entityId: saved.id, after: userSnapshot(saved) });
      return saved;
    } catch (err) {
      // Two creates of one e-mail at the same moment: the unique index decides.
      if (err instanceof QueryFailedError && (err.driverError as { code?: string }).code === '23505') {
        throw new IdentityError(IdentityErrorCode.EMAIL_TAKEN, `A user with e-mail ${email} already exists`, { email });
      }
      throw err;
    }
  }

  @Transactional()
  async updateRoles(actor: Actor, id: string, roles: readonly Role[], expectedVersion: number): Promise<UserEntity> {
    assertNotOwnRoles(actor.id ?? '', id);
    const next = normalizeRoles(roles);
    const activeAdmins = await this.lockActiveAdmins();
    const target = await this.getById(id);
    assertRoleChangeAllowed(actor.id ?? '', target, next, activeAdmins);
    const updated = await this.updateVersioned(actor, 'user.roles_changed', target, expectedVersion, { roles: next });
    // Sessions were let in (a second factor asked or not) under the old roles: the user signs in again.
    await this.endSessionsOf(actor, id, RevocationReason.ROLES_CHANGED);
    return updated;
  }

  @Transactional()
  async deactivate(actor: Actor, id: string, expectedVersion: number): Promise<UserEntity> {
    const activeAdmins = await this.lockActiveAdmins();
    const target = await this.getById(id);
    assertDeactivationAllowed(actor.id ?? '', target, activeAdmins);
    const updated = await this.updateVersioned(actor, 'user.deactivated', target, expectedVersion, {
      active: false,
      deactivatedAt: new Date(),
    });
    // Ended for good: a reactivation does not bring back a token (perhaps the stolen one it was deactivated for).
    await this.endSessionsOf(actor, id, RevocationReason.USER_DEACTIVATED);
    return updated;
  }

  @Transactional()
  async reactivate(actor: Actor, id: string, expectedVersion: number): Promise<UserEntity> {
    const target = await this.getById(id);
    assertReactivationAllowed(target);
    return this.updateVersioned(actor, 'user.reactivated', target, expectedVersion, { active: true, deactivatedAt: null });
  }

  private async endSessionsOf(actor: Actor, userId: string, reason: RevocationReason): Promise<void> {
    await endSessionsWhere(this.txHost.tx, this.trail, actor, reason, { sql: 's.user_id = :userId', params: { userId } }, wallClock());
  }

  /**
   * Creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD if no user has
   * that e-mail yet. Returns the user when it was created.
   */
  @Transactional()
  async ensureAdmin(email: string, password: string, displayName = 'Administrator'): Promise<UserEntity | null> {
    if (await this.findByEmail(email)) return null;
    return this.create(Actor.system('startup'), { email, password, displayName, roles: [Role.ADMIN] });
  }

  /** Locks every active admin row; returns how many there are. */
  private async lockActiveAdmins(): Promise<number> {
    const rows = await this.repo
      .createQueryBuilder('u')
      .select('u.id')
      .where('u.active AND :admin = ANY(u.roles)', { admin: Role.ADMIN })
      .setLock('pessimistic_write')
      .getMany();
    return rows.length;
  }

  /** UPDATE ... WHERE id AND version: exactly one row, or CONFLICT with the current version. */
  private async updateVersioned(
    actor: Actor,
    action: string,
    target: UserEntity,
    expectedVersion: number,
    changes: Partial<Pick<UserEntity, 'roles' | 'active' | 'deactivatedAt'>>,
  ): Promise<UserEntity> {
    if (!(await updateIfVersion(this.txHost.tx, UserEntity, target.id, expectedVersion, changes, this.clock.now()))) {
      const current = await this.getById(target.id);
      throw staleVersion('User', target.id, expectedVersion, current.version);
    }
    const updated = await this.getById(target.id);
    await this.trail.append({
      actor,
      action,
      entityType: 'User',
      entityId: target.id,
      before: userSnapshot(target),
      after: userSnapshot(updated),
    });
    return updated;
  }
}

/** What the audit trail keeps of a user: never the password hash. */
export function userSnapshot(u: UserEntity) {
  return {
    email: u.email,
    displayName: u.displayName,
    displayNameKana: u.displayNameKana,
    roles: u.roles,
    active: u.active,
    version: u.version,
  };
}
