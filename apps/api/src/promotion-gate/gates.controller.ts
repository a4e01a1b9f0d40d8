import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Permission } from '@app/identity';
import { PromotionGateService } from '@app/promotion-gate';
import { Allow } from '../auth/access.decorators';

export interface GateCheckJson {
  key: string;
  state: string;
  canPromote: boolean;
  /** ISO-8601 (UTC): when the gate row last changed. */
  since: string;
  blockers: { kind: string; itemKey: string | null; message: string }[];
}

/**
 * `GET /gates/:key`: the promotion systems' check as plain JSON (the GraphQL
 * `canPromote` query, plus why not). Callable with a user's access token or a
 * promotion system's API key (`Authorization: Bearer rtk_...`). Never cached:
 * a gate can close at any moment. An unknown key is 404 `{ error: { code: 'NOT_FOUND' } }`.
 */
@Controller('gates')
export class GatesController {
  constructor(@Inject(PromotionGateService) private readonly gates: PromotionGateService) {}

  @Get(':key')
  @Allow(Permission.GATE_READ)
  async check(@Param('key') key: string, @Res({ passthrough: true }) res: Response): Promise<GateCheckJson> {
    // Set before the lookup, so that the 404 of an unknown gate is not cached either.
    res.setHeader('Cache-Control', 'no-store');
    const r = await this.gates.canPromote(key);
    return {
      key: r.key,
      state: r.state,
      canPromote: r.canPromote,
      since: r.since.toISOString(),
      blockers: r.blockers.map((b) => ({ kind: b.kind, itemKey: b.itemKey, message: b.message })),
    };
  }
}
