import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { AppConfig } from '@app/common';
import { checkTotp, TOTP_SECRET_BYTES, totpSecretFrom, totpUri, type TotpCheck } from './domain/one-time-codes';
import { resolveSecondFactorKey } from './second-factor-key';
import { SecretBox } from './secret-box';
import { TotpSecretEntity } from './totp-secret.entity';

/**
 * The secrets of authenticator-app factors: made at enrolment, checked at each code, discarded at removal. Runs
 * in the caller's transaction (SecondFactorsService), never on its own.
 */
@Injectable()
export class TotpService {
  private readonly box: SecretBox;
  /** The issuer an authenticator app shows next to the account (the WebAuthn relying party's name). */
  private readonly issuer: string;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(ConfigService) config: ConfigService<AppConfig, true>,
  ) {
    this.box = new SecretBox(
      resolveSecondFactorKey({
        SECOND_FACTOR_KEY: config.get('SECOND_FACTOR_KEY', { infer: true }),
        DATA_DIR: config.get('DATA_DIR', { infer: true }),
      }),
    );
    this.issuer = config.get('WEBAUTHN_RP_NAME', { infer: true });
  }

  private get repo() {
    return this.txHost.tx.getRepository(TotpSecretEntity);
  }

  /** A new secret for the factor `factorId` (stored sealed); returns it in base32 and as an otpauth URI. */
  async create(factorId: string, account: string): Promise<{ secret: string; uri: string }> {
    const secret = totpSecretFrom(randomBytes(TOTP_SECRET_BYTES));
    await this.repo.insert({ factorId, secret: this.box.seal(secret, factorId), lastUsedStep: null });
    return { secret, uri: totpUri(secret, this.issuer, account) };
  }

  /**
   * Checks `code` against the factor's secret at `now` (row locked until the transaction ends, so one code cannot
   * be accepted twice by parallel requests); an accepted code's step is stored, so it is not accepted again.
   */
  async check(factorId: string, code: string, now: Date): Promise<TotpCheck> {
    const row = await this.repo
      .createQueryBuilder('t')
      .setLock('pessimistic_write')
      .where('t.factor_id = :factorId', { factorId })
      .getOne();
    if (!row) return { ok: false, reason: 'WRONG' };
    const result = checkTotp(this.box.open(row.secret, factorId), code, now, row.lastUsedStep === null ? null : Number(row.lastUsedStep));
    if (result.ok) await this.repo.update({ factorId }, { lastUsedStep: String(result.step) });
    return result;
  }

  /** Forgets the secrets of removed or replaced factors (their user_second_factors rows stay). */
  async discard(factorIds: readonly string[]): Promise<void> {
    if (factorIds.length === 0) return;
    await this.repo
      .createQueryBuilder()
      .delete()
      .where('factor_id = ANY(:ids)', { ids: [...factorIds] })
      .execute();
  }
}
