import { Inject, Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { Transactional } from '@nestjs-cls/transactional';
import { CountermeasureEvents, type CountermeasureStatusChanged } from '@app/countermeasures';
import { IncidentsService } from '@app/incidents';
import { AuditClearanceService } from './audit-clearance.service';
import { isVerifiedForClearance } from './domain/clearance-rules';

/**
 * Withdraws a clearance when an in-scope countermeasure leaves VERIFIED/OPERATING.
 * Runs inside the transaction of the status change (the event is emitted with
 * `emitInOrder` in it, and CLS carries the transaction here): the withdrawal
 * commits with the change or not at all; a failure here rolls the change back.
 */
@Injectable()
export class AuditStatusListener {
  constructor(
    @Inject(IncidentsService) private readonly incidents: IncidentsService,
    @Inject(AuditClearanceService) private readonly clearance: AuditClearanceService,
  ) {}

  @OnEvent(CountermeasureEvents.STATUS_CHANGED, { async: true, promisify: true, suppressErrors: false })
  @Transactional()
  async onStatusChanged(event: CountermeasureStatusChanged): Promise<void> {
    // Only a move out of the verified statuses can break a clearance.
    if (!isVerifiedForClearance(event.from) || isVerifiedForClearance(event.to)) return;
    await this.incidents.lock(event.incidentId); // already held by the change; taken again so the rule never runs without it
    const reason = event.reason ? `: ${event.reason}` : '';
    await this.clearance.reevaluate(event.incidentId, event.actor, `${event.key} moved ${event.from} → ${event.to}${reason}`);
  }
}
