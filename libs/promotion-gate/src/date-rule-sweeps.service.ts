import { Inject, Injectable } from '@nestjs/common';
import { RiskAcceptancesService, type ExpirySweepResult } from '@app/audits';
import { CountermeasuresService } from '@app/countermeasures';
import { PromotionGateService } from './promotion-gate.service';
import type { GateReevaluationResult } from './gate-date-rules.service';

export interface FreshnessSweepResult {
  checked: number;
  moved: string[];
  failed: string[];
}

export interface DateRuleSweepsResult {
  riskAcceptances: ExpirySweepResult;
  freshness: FreshnessSweepResult;
  gates: GateReevaluationResult;
}

/**
 * Every sweep of a rule with a date, in one written order: risk acceptances
 * past their last day end (findings reopen, clearances they break are
 * withdrawn, verified work they covered reopens); ongoing measures move
 * OPERATING ⇄ DEGRADED by the freshness of their recurring evidence; then every
 * gate is re-evaluated, which also stores the next instant one of its rules
 * lapses. Run at start-up before the server serves requests, daily just after
 * midnight in Japan, and by `npm run cli -- run-sweeps` (each sweep also on its
 * own: expire-risk-acceptances, check-freshness, reevaluate-gates).
 *
 * The reads never depend on these having run (gate-rules.ts, "Rules with a
 * date"): the sweeps write down, with history and trail, what the rules
 * already say.
 */
@Injectable()
export class DateRuleSweepsService {
  constructor(
    @Inject(RiskAcceptancesService) private readonly riskAcceptances: RiskAcceptancesService,
    @Inject(CountermeasuresService) private readonly countermeasures: CountermeasuresService,
    @Inject(PromotionGateService) private readonly gates: PromotionGateService,
  ) {}

  expireRiskAcceptances(): Promise<ExpirySweepResult> {
    return this.riskAcceptances.expireRiskAcceptances();
  }

  checkFreshness(): Promise<FreshnessSweepResult> {
    return this.countermeasures.refreshAllFreshness();
  }

  reevaluateGates(): Promise<GateReevaluationResult> {
    return this.gates.reevaluateGates();
  }

  async runAll(): Promise<DateRuleSweepsResult> {
    const riskAcceptances = await this.expireRiskAcceptances();
    const freshness = await this.checkFreshness();
    const gates = await this.reevaluateGates();
    return { riskAcceptances, freshness, gates };
  }
}

/** One line per sweep, for logs and the CLI. */
export function describeSweeps(r: Partial<DateRuleSweepsResult>): string[] {
  const lines: string[] = [];
  if (r.riskAcceptances) {
    const a = r.riskAcceptances;
    lines.push(
      `risk acceptances expired: ${a.expired}; findings reopened: ${a.reopenedFindings.join(', ') || 'none'}; clearances withdrawn: ${a.withdrawnClearances.length}`,
    );
  }
  if (r.freshness) {
    const f = r.freshness;
    lines.push(
      `freshness: ${f.checked} ongoing measures checked; moved: ${f.moved.join(', ') || 'none'}${f.failed.length ? `; FAILED: ${f.failed.join(', ')}` : ''}`,
    );
  }
  if (r.gates) {
    const g = r.gates;
    lines.push(
      `gates re-evaluated: ${g.checked.join(', ') || 'none'}; state changed: ${g.changed.join(', ') || 'none'}${g.failed.length ? `; FAILED incidents: ${g.failed.join(', ')}` : ''}`,
    );
  }
  return lines;
}

/** Whether any part of a sweep failed (the CLI exits 1). */
export function sweepsFailed(r: Partial<DateRuleSweepsResult>): boolean {
  return (r.freshness?.failed.length ?? 0) > 0 || (r.gates?.failed.length ?? 0) > 0;
}
