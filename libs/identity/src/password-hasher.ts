import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

/** argon2id with the library's defaults (m=64 MiB, t=3, p=4), PHC strings. */
@Injectable()
export class PasswordHasher {
  /** A hash of a random password, verified against when the e-mail is unknown, so timing does not tell. */
  private decoy?: Promise<string>;

  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id });
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
