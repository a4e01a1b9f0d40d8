import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import * as argon2 from 'argon2';
import type { AppConfig } from '@app/common';

/** argon2id's cost for new hashes (PASSWORD_HASHING); a stored hash carries its own. */
const COST = {
  /** The library's defaults: m=64 MiB, t=3, p=4. */
  standard: {},
  /** The smallest cost argon2 accepts with one lane; tests only (the configuration refuses it elsewhere). */
  fast: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
} as const;

/** argon2id, PHC strings. */
@Injectable()
export class PasswordHasher {
  /** A hash of a random password, verified against when the e-mail is unknown, so timing does not tell. */
  private decoy?: Promise<string>;
  private readonly cost: (typeof COST)[keyof typeof COST];

  constructor(@Inject(ConfigService) config: ConfigService<AppConfig, true>) {
    this.cost = COST[config.get('PASSWORD_HASHING', { infer: true })];
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id, ...this.cost });
  }

  async verify(hash: string | undefined, password: string): Promise<boolean> {
    if (!hash) {
      this.decoy ??= this.hash(`decoy-${Math.random()}`);
      await argon2.verify(await this.decoy, password).catch(() => false);
      return false;
    }
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }
}
