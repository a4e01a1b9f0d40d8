import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { CommonError, CommonErrorCode, KeyedSlots, Slots, type AppConfig } from '@app/common';

/**
 * What one caller may spend on expensive work per minute, in the cost points of
 * a GraphQL operation (query-cost.ts): GRAPHQL_COST_PER_MINUTE, one budget per
 * caller (`user:<id>`, `key:<hash>` for an API key, `addr:<ip>` when
 * anonymous) for GraphQL operations and the report downloads alike. Kept in
 * this process (rate-limiter-flexible's memory store; its Redis store is the
 * drop-in for several instances).
 */
@Injectable()
export class CostBudget {
  readonly perMinute: number;
  private readonly limiter: RateLimiterMemory;

  constructor(@Inject(ConfigService) config: ConfigService<AppConfig, true>) {
    this.perMinute = config.get('GRAPHQL_COST_PER_MINUTE', { infer: true });
    this.limiter = new RateLimiterMemory({ points: this.perMinute, duration: 60 });
  }

  /** Spends `points` of `caller`'s budget; null when it had them, else the seconds until it will. */
  async spend(caller: string, points: number): Promise<number | null> {
    try {
      await this.limiter.consume(caller, Math.max(1, Math.ceil(points)));
      return null;
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    }
  }

  /** As spend, refusing with COST_BUDGET_EXCEEDED (TOO_MANY_REQUESTS) when the budget is spent. */
  async charge(caller: string, points: number, what: string): Promise<void> {
    const retryAfterSeconds = await this.spend(caller, points);
    if (retryAfterSeconds !== null) {
      throw new CommonError(
        CommonErrorCode.COST_BUDGET_EXCEEDED,
        `Too much expensive work: ${what} costs ${points} of your ${this.perMinute} points a minute; try again in ${retryAfterSeconds} s`,
        { cost: points, budgetPerMinute: this.perMinute, retryAfterSeconds },
      );
    }
  }
}

/** SERVER_BUSY (TOO_MANY_REQUESTS) with the seconds to wait. */
export function serverBusy(what: string, retryAfterSeconds: number): CommonError {
  return new CommonError(CommonErrorCode.SERVER_BUSY, `The server is busy with other ${what}; try again in ${retryAfterSeconds} s`, {
    retryAfterSeconds,
  });
}

/** Status reports rendered at once (REPORTS_MAX_CONCURRENT), and as many again waiting their turn. */
@Injectable()
export class ReportRenderingSlots extends Slots {
  constructor(@Inject(ConfigService) config: ConfigService<AppConfig, true>) {
    const size = config.get('REPORTS_MAX_CONCURRENT', { infer: true });
    super(size, size);
  }
}

/**
 * Evidence uploads received at once (EVIDENCE_MAX_CONCURRENT_UPLOADS), and per
 * user (EVIDENCE_MAX_UPLOADS_PER_USER), so that one member's slow uploads
 * cannot take every slot. No queue: an upload holds its connection while it
 * streams, so one that cannot start now is refused before a byte is read.
 */
@Injectable()
export class UploadSlots extends KeyedSlots {
  constructor(@Inject(ConfigService) config: ConfigService<AppConfig, true>) {
    super(
      new Slots(config.get('EVIDENCE_MAX_CONCURRENT_UPLOADS', { infer: true })),
      config.get('EVIDENCE_MAX_UPLOADS_PER_USER', { infer: true }),
    );
  }
}
