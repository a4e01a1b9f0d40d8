import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { canonicalRecoveryCode, recoveryCodeFrom, recoveryCodeHash } from './domain/one-time-codes';
import { RECOVERY_CODE_COUNT } from './domain/second-factor-rules';
import { RecoveryCodeEntity } from './recovery-code.entity';

/**
 * Single-use recovery codes: issued in tens (shown once, only their hashes kept), each used at most once. Runs in
 * the caller's transaction (the enrolment of a user's first factor, a regeneration, a verification). Exported for
 * the other kinds of factor (a passkey as the first factor issues them too).
 */
@Injectable()
export class RecoveryCodesService {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get repo() {
    return this.txHost.tx.getRepository(RecoveryCodeEntity);
  }

  /**
   * Voids the user's unused codes and issues RECOVERY_CODE_COUNT new ones: returns them (to show once) and how
   * many were voided.
   */
  async issue(userId: string, now: Date): Promise<{ codes: string[]; invalidated: number }> {
    const invalidated = await this.invalidateUnused(userId, now);
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => recoveryCodeFrom(randomBytes(10)));
    await this.repo.insert(
      codes.map((code) => ({
        userId,
        codeHash: recoveryCodeHash(canonicalRecoveryCode(code)!),
        createdAt: now,
        usedAt: null,
        invalidatedAt: null,
      })),
    );
    return { codes, invalidated };
  }

  /** Voids the user's unused codes; returns how many. */
  async invalidateUnused(userId: string, now: Date): Promise<number> {
    const result = await this.repo
      .createQueryBuilder()
      .update()
      .set({ invalidatedAt: now })
      .where('user_id = :userId AND used_at IS NULL AND invalidated_at IS NULL', { userId })
      .execute();
    return result.affected ?? 0;
  }

  /** Uses the code (canonical form) if it is one of the user's unused codes; false otherwise. */
  async use(userId: string, canonical: string, now: Date): Promise<boolean> {
    const result = await this.repo
      .createQueryBuilder()
      .update()
      .set({ usedAt: now })
      .where('user_id = :userId AND code_hash = :hash AND used_at IS NULL AND invalidated_at IS NULL', {
        userId,
        hash: recoveryCodeHash(canonical),
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** How many of the user's codes are still usable. */
  async countLeft(userId: string): Promise<number> {
    return this.repo
      .createQueryBuilder('r')
      .where('r.user_id = :userId AND r.used_at IS NULL AND r.invalidated_at IS NULL', { userId })
      .getCount();
  }
}
