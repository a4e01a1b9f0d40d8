import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-custom';
import { ApiKeysService, IdentityError, IdentityErrorCode, looksLikeApiKey, type ApiKeyPrincipal } from '@app/identity';
import type { RequestWithUser } from './access.decorators';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * `Authorization: Bearer rtk_<prefix>_<secret>`: a promotion system's API key
 * (README "Promotion systems: API keys"). The global guard tries the JWT
 * strategy first and this one second; a bearer credential that is not in the
 * key format is left to the JWT strategy's answer (this one fails quietly).
 * Only the Authorization header is read: it is the one the request log
 * redacts, and a key never travels in a URL or a body.
 */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, 'api-key') {
  constructor(@Inject(ApiKeysService) private readonly keys: ApiKeysService) {
    super();
  }

  async validate(req: RequestWithUser): Promise<ApiKeyPrincipal | false> {
    const header = req.headers.authorization;
    const credential = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    if (!credential || !looksLikeApiKey(credential)) return false;
    const principal = await this.keys.authenticate(credential);
    if (!principal) {
      throw new IdentityError(
        IdentityErrorCode.INVALID_API_KEY,
        'The API key is not valid, or it has been revoked; ask an admin for a new one',
      );
    }
    return principal;
  }
}
