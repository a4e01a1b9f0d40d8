import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Clock } from '@app/common';
import type { AuthSessionEntity } from '../sessions/auth-session.entity';
import type { UserEntity } from '../user.entity';
import { challengeRefusal, PASSKEY_CHALLENGE_SECONDS, type PasskeyChallengePurpose } from './domain/passkey-rules';
import { WebauthnChallengeEntity } from './webauthn-challenge.entity';

/**
 * The challenges of the passkey ceremonies in progress: stored for the session that asked, taken once, within
 * PASSKEY_CHALLENGE_SECONDS. Used by PasskeysService only.
 */
@Injectable()
export class WebauthnChallengesService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private get repo() {
    return this.txHost.tx.getRepository(WebauthnChallengeEntity);
  }

  /** Stores a challenge for this session (and forgets the user's expired ones). */
  async save(
    user: UserEntity,
    session: AuthSessionEntity,
    purpose: PasskeyChallengePurpose,
    challenge: string,
    label: string | null,
  ): Promise<string> {
    const now = this.clock.now();
    await this.repo.createQueryBuilder().delete().where('user_id = :userId AND expires_at <= :now', { userId: user.id, now }).execute();
    const row = this.repo.create({
      userId: user.id,
      sessionId: session.id,
      purpose,
      challenge,
      label,
      createdAt: now,
      expiresAt: new Date(now.getTime() + PASSKEY_CHALLENGE_SECONDS * 1000),
      usedAt: null,
    });
    await this.repo.insert(row);
    return row.id;
  }

  /**
   * Uses the challenge up, in a transaction of its own that commits before the answer is checked: only one of
   * two concurrent answers gets the row; a refused answer cannot be tried again against it.
   */
  @Transactional()
  async take(
    user: UserEntity,
    session: AuthSessionEntity,
    id: string,
    purpose: PasskeyChallengePurpose,
  ): Promise<{ challenge: string; label: string | null }> {
    const now = this.clock.now();
    const result = await this.repo
      .createQueryBuilder()
      .update()
      .set({ usedAt: now })
      .where(
        'id = :id AND user_id = :userId AND session_id = :sessionId AND purpose = :purpose AND used_at IS NULL AND expires_at > :now',
        {
          id,
          userId: user.id,
          sessionId: session.id,
          purpose,
          now,
        },
      )
      .returning(['challenge', 'label'])
      .execute();
    const taken = (result.raw as { challenge: string; label: string | null }[])[0];
    if (taken) return taken;
    const row = await this.repo.findOneBy({ id });
    throw challengeRefusal(row, { userId: user.id, sessionId: session.id, purpose }, now);
  }
}
