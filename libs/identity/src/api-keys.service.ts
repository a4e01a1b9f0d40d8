import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Actor, Clock, decodeTimeIdCursor, pageSize, type Page, type PageRequest, pageOf } from '@app/common';
import { AuditTrailService } from '@app/audit-trail';
import { ApiKeyEntity } from './api-key.entity';
import {
  API_KEY_PREFIX_BYTES,
  API_KEY_SECRET_BYTES,
  assertRevocable,
  LAST_USED_RESOLUTION_MS,
  formatApiKey,
  normalizeApiKeyName,
  normalizeRevocationReason,
  parseApiKey,
  sameApiKeyHash,
  shouldRecordUse,
} from './domain/api-key-rules';
import { IdentityError, IdentityErrorCode } from './domain/identity.errors';
import { Role } from './domain/role';

export interface CreateApiKeyCommand {
  name: string;
}

export interface CreatedApiKey {
  apiKey: ApiKeyEntity;
  /** The whole key (`rtk_<prefix>_<secret>`): returned once, here, and never again. */
  secret: string;
}

/**
 * Who calls with an API key. Not a user: it has no id in `users`, holds the
 * SERVICE role only, and resolvers that take `@CurrentUser()` never see it
 * (they all need permissions SERVICE lacks; CurrentUser refuses it too).
 */
export interface ApiKeyPrincipal {
  readonly kind: 'api-key';
  readonly apiKeyId: string;
  readonly name: string;
  readonly prefix: string;
  readonly roles: readonly Role[];
}

export function isApiKeyPrincipal(principal: unknown): principal is ApiKeyPrincipal {
  return typeof principal === 'object' && principal !== null && (principal as { kind?: unknown }).kind === 'api-key';
}

/** The audit-trail actor of a key, should it ever change anything (it cannot: SERVICE only reads). */
export function apiKeyActor(principal: ApiKeyPrincipal): Actor {
  return { id: null, label: `apikey:${principal.name}`, roles: [...principal.roles] };
}

/**
 * API keys of the promotion systems: admins create and revoke them; the
 * global guard authenticates them. Every change is one transaction with its
 * audit-trail entry; the secret and its hash never reach the trail.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly trail: AuditTrailService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private get repo() {
    return this.txHost.tx.getRepository(ApiKeyEntity);
  }

  async getById(id: string): Promise<ApiKeyEntity> {
    const key = await this.repo.findOneBy({ id });
    if (!key) throw new IdentityError(IdentityErrorCode.API_KEY_NOT_FOUND, `API key ${id} does not exist`, { id });
    return key;
  }

  /** Newest first, keyset-paginated; revoked keys included (with who, when, why). */
  async list(page: PageRequest): Promise<Page<ApiKeyEntity>> {
    const size = pageSize(page.first);
    const qb = this.repo.createQueryBuilder('k');
    const totalCount = await qb.clone().getCount();
    if (page.after) {
      const { at, id } = decodeTimeIdCursor(page.after);
      qb.andWhere('(k.created_at, k.id) < (:at, :id)', { at: new Date(at), id });
    }
    const rows = await qb
      .orderBy('k.created_at', 'DESC')
      .addOrderBy('k.id', 'DESC')
      .limit(size + 1)
      .getMany();
    return pageOf(rows, size, totalCount, (k) => [k.createdAt.toISOString(), k.id]);
  }

  @Transactional()
  async create(actor: Actor, cmd: CreateApiKeyCommand): Promise<CreatedApiKey> {
    const name = normalizeApiKeyName(cmd.name);
    const key = formatApiKey(randomBytes(API_KEY_PREFIX_BYTES), randomBytes(API_KEY_SECRET_BYTES));
    const saved = await this.repo.save(
      this.repo.create({
        name,
        prefix: key.prefix,
        secretHash: key.hash,
        role: Role.SERVICE,
        createdById: actor.id,
        createdByLabel: actor.label,
        createdAt: this.clock.now(),
        revokedAt: null,
        revokedById: null,
        revokedByLabel: null,
        revocationReason: null,
        lastUsedAt: null,
      }),
    );
    await this.trail.append({ actor, action: 'api_key.created', entityType: 'ApiKey', entityId: saved.id, after: apiKeySnapshot(saved) });
    return { apiKey: saved, secret: key.plaintext };
  }

  /** Revokes at once: the next request with the key is refused. Revoking twice is a CONFLICT. */
  @Transactional()
  async revoke(actor: Actor, id: string, reason: string): Promise<ApiKeyEntity> {
    const why = normalizeRevocationReason(reason);
    const key = await this.repo.createQueryBuilder('k').where('k.id = :id', { id }).setLock('pessimistic_write').getOne();
    if (!key) throw new IdentityError(IdentityErrorCode.API_KEY_NOT_FOUND, `API key ${id} does not exist`, { id });
    assertRevocable(key);
    const before = apiKeySnapshot(key);
    await this.repo.update(
      { id },
      { revokedAt: this.clock.now(), revokedById: actor.id, revokedByLabel: actor.label, revocationReason: why },
    );
    const revoked = await this.getById(id);
    await this.trail.append({
      actor,
      action: 'api_key.revoked',
      entityType: 'ApiKey',
      entityId: id,
      before,
      after: apiKeySnapshot(revoked),
    });
    return revoked;
  }

  /**
   * The principal of a presented key, or null when the key is malformed,
   * unknown or revoked. Reads one row by its unique prefix and compares hashes
   * in constant time. Records `lastUsedAt` at most once a minute per key.
   */
  async authenticate(plaintext: string): Promise<ApiKeyPrincipal | null> {
    const parsed = parseApiKey(plaintext);
    if (!parsed) return null;
    const key = await this.repo.findOneBy({ prefix: parsed.prefix });
    if (!key || !sameApiKeyHash(key.secretHash, parsed.hash) || key.revokedAt || key.role !== Role.SERVICE) return null;
    const now = this.clock.now();
    if (shouldRecordUse(key.lastUsedAt, now)) {
      // Telemetry, not a change anyone made: no audit-trail entry. The condition
      // keeps concurrent requests from writing more than once a minute.
      await this.repo
        .createQueryBuilder()
        .update(ApiKeyEntity)
        .set({ lastUsedAt: now })
        .where('id = :id AND (last_used_at IS NULL OR last_used_at <= :limit)', {
          id: key.id,
          limit: new Date(now.getTime() - LAST_USED_RESOLUTION_MS),
        })
        .execute();
    }
    return { kind: 'api-key', apiKeyId: key.id, name: key.name, prefix: key.prefix, roles: [Role.SERVICE] };
  }
}

/** What the audit trail keeps of a key: never the secret, nor its hash. */
export function apiKeySnapshot(k: ApiKeyEntity) {
  return {
    name: k.name,
    prefix: k.prefix,
    role: k.role,
    createdById: k.createdById,
    createdByLabel: k.createdByLabel,
    createdAt: k.createdAt.toISOString(),
    revokedAt: k.revokedAt ? k.revokedAt.toISOString() : null,
    revokedById: k.revokedById,
    revokedByLabel: k.revokedByLabel,
    revocationReason: k.revocationReason,
  };
}
