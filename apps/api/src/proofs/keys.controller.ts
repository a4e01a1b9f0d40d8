import { Controller, Get, Header, Inject } from '@nestjs/common';
import { SigningKeysService, type KeysDocument } from '@app/signing-keys';
import { Public } from '../auth/access.decorators';

/**
 * `GET /.well-known/remediation-tracker/keys`: the keys document (docs/proofs.md,
 * "Keys"), public, no sign-in: whoever holds a checkpoint or a bundle can fetch
 * the public keys (and their fingerprints, to compare with the ones they pinned).
 * Cached briefly: a rotation shows within a minute.
 */
@Controller('.well-known/remediation-tracker')
export class KeysController {
  constructor(@Inject(SigningKeysService) private readonly keys: SigningKeysService) {}

  @Public()
  @Get('keys')
  @Header('Content-Type', 'application/json; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=60')
  @Header('X-Content-Type-Options', 'nosniff')
  keysDocument(): Promise<KeysDocument> {
    return this.keys.keysDocument();
  }
}
