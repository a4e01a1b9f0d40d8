import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import {
  Clock,
  CommonError,
  CommonErrorCode,
  decodeCursor,
  describeList,
  isUuid,
  pageSize,
  type Page,
  type PageRequest,
  pageOf,
} from '@app/common';
import { defaultPreference, isNotificationKind, NOTIFICATION_KINDS, type NotificationKind } from './domain/notification-kinds';
import { NotificationError, NotificationErrorCode } from './domain/notification.errors';
import { NotificationEntity, NotificationPreferenceEntity } from './notification.entities';

export interface NotificationListRequest extends PageRequest {
  unreadOnly?: boolean | null;
}

export interface EffectivePreference {
  kind: NotificationKind;
  inbox: boolean;
  email: boolean;
  /** No row of the user's own: the defaults apply. */
  isDefault: boolean;
}

/**
 * A user's own inbox and choices: reading it, marking read, and which kinds
 * arrive in the inbox and by e-mail. Another user's notification is never
 * shown: it is NOT_FOUND, like an unknown one. Not written to the audit trail.
 */
@Injectable()
export class NotificationInbox {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private get em() {
    return this.txHost.tx;
  }

  /** The user's own inbox, newest first. */
  async list(userId: string, req: NotificationListRequest): Promise<Page<NotificationEntity>> {
    const size = pageSize(req.first);
    const qb = this.em.getRepository(NotificationEntity).createQueryBuilder('n').where('n.userId = :userId AND n.inInbox', { userId });
    if (req.unreadOnly) qb.andWhere('n.readAt IS NULL');
    const totalCount = await qb.clone().getCount();
    if (req.after) {
      const [at, id] = decodeCursor(req.after, 2);
      const after = new Date(String(at));
      if (Number.isNaN(after.getTime()) || !isUuid(String(id))) {
        throw new CommonError(CommonErrorCode.INVALID_CURSOR, 'The cursor `after` is not one this API issued', { after: req.after });
      }
      qb.andWhere('(n.createdAt, n.id) < (:at, :id)', { at: after, id: String(id) });
    }
    const rows = await qb
      .orderBy('n.createdAt', 'DESC')
      .addOrderBy('n.id', 'DESC')
      .limit(size + 1)
      .getMany();
    return pageOf(rows, size, totalCount, (n) => [n.createdAt.toISOString(), n.id]);
  }

  async unreadCount(userId: string): Promise<number> {
    return this.em
      .getRepository(NotificationEntity)
      .createQueryBuilder('n')
      .where('n.userId = :userId AND n.inInbox AND n.readAt IS NULL', { userId })
      .getCount();
  }

  /** One of the user's own inbox notifications; another user's is NOT_FOUND. */
  async getOwn(userId: string, id: string): Promise<NotificationEntity> {
    const n = isUuid(id) ? await this.em.getRepository(NotificationEntity).findOneBy({ id, userId, inInbox: true }) : null;
    if (!n) throw new NotificationError(NotificationErrorCode.NOTIFICATION_NOT_FOUND, `No notification ${id}`, { ids: [id] });
    return n;
  }

  /**
   * Marks the user's own notifications read: `ids`, or `all` of them. Any id that
   * is not one of the user's (another user's, unknown) refuses the whole call
   * with NOT_FOUND and marks nothing. Marking a read one again keeps its time.
   */
  @Transactional()
  async markRead(
    userId: string,
    sel: { ids?: readonly string[] | null; all?: boolean | null },
  ): Promise<{ marked: number; unreadCount: number }> {
    const ids = [...new Set(sel.ids ?? [])];
    if (sel.all && ids.length) throw invalid('ids', 'Give either ids or all: true, not both');
    if (!sel.all && ids.length === 0) throw invalid('ids', 'Give the ids to mark read, or all: true');
    let marked: number;
    if (sel.all) {
      const res = await this.em.query<[unknown[], number]>(
        `UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND in_inbox AND read_at IS NULL`,
        [userId, this.clock.now()],
      );
      marked = res[1];
    } else {
      const valid = ids.filter((id) => isUuid(id));
      const own = valid.length
        ? await this.em.query<{ id: string }[]>(
            `SELECT id FROM notifications WHERE user_id = $1 AND in_inbox AND id = ANY($2::uuid[]) FOR UPDATE`,
            [userId, valid],
          )
        : [];
      const found = new Set(own.map((r) => r.id));
      const missing = ids.filter((id) => !found.has(id.toLowerCase()));
      if (missing.length) {
        throw new NotificationError(
          NotificationErrorCode.NOTIFICATION_NOT_FOUND,
          `No notification ${describeList(missing)} in your inbox`,
          { ids: missing },
        );
      }
      const res = await this.em.query<[unknown[], number]>(
        `UPDATE notifications SET read_at = $3 WHERE user_id = $1 AND id = ANY($2::uuid[]) AND read_at IS NULL`,
        [userId, [...found], this.clock.now()],
      );
      marked = res[1];
    }
    return { marked, unreadCount: await this.unreadCount(userId) };
  }

  /** Every kind with the user's choice (the defaults where the user made none). */
  async preferences(userId: string): Promise<EffectivePreference[]> {
    const rows = await this.em.getRepository(NotificationPreferenceEntity).findBy({ userId });
    const own = new Map(rows.map((r) => [r.kind, r]));
    return NOTIFICATION_KINDS.map((kind) => {
      const row = own.get(kind);
      return row ? { kind, inbox: row.inbox, email: row.email, isDefault: false } : { kind, ...defaultPreference(kind), isDefault: true };
    });
  }

  /** The user's choice for one kind (applies to notifications created from now on). */
  @Transactional()
  async setPreference(userId: string, kind: string, inbox: boolean, email: boolean): Promise<EffectivePreference> {
    if (!isNotificationKind(kind)) throw invalid('kind', `Unknown notification kind ${kind}`);
    await this.em.query(
      `INSERT INTO notification_preferences (user_id, kind, inbox, email, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id, kind) DO UPDATE SET inbox = EXCLUDED.inbox, email = EXCLUDED.email, updated_at = EXCLUDED.updated_at`,
      [userId, kind, inbox, email, this.clock.now()],
    );
    return { kind, inbox, email, isDefault: false };
  }
}

function invalid(field: string, message: string): NotificationError {
  return new NotificationError(NotificationErrorCode.INVALID_FIELD, message, { field });
}
