import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { WebhookAttemptEntity, WebhookDeliveryEntity } from './gate.entities';

export interface DeliveryWithAttempts {
  delivery: WebhookDeliveryEntity;
  /** Oldest first. */
  attempts: WebhookAttemptEntity[];
}

/** Reads the gate webhook's outbox and its attempts (what the admin sees; sending is WebhookDispatcher's). */
@Injectable()
export class WebhookDeliveriesService {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  /** The newest `limit` deliveries of each gate (newest first), each with its attempts; three statements for any number of gates. */
  async recentOf(gateIds: readonly string[], limit = 50): Promise<Map<string, DeliveryWithAttempts[]>> {
    const byGate = new Map<string, DeliveryWithAttempts[]>(gateIds.map((id) => [id, []]));
    if (gateIds.length === 0) return byGate;
    const em = this.txHost.tx;
    const ids: Array<{ id: string }> = await em.query(
      `SELECT d.id
         FROM unnest($1::uuid[]) AS g(id)
         CROSS JOIN LATERAL (SELECT id FROM gate_webhook_deliveries WHERE gate_id = g.id ORDER BY seq DESC LIMIT $2) d`,
      [[...new Set(gateIds)], limit],
    );
    if (ids.length === 0) return byGate;
    const deliveries = await em
      .getRepository(WebhookDeliveryEntity)
      .createQueryBuilder('d')
      .where('d.id = ANY(:ids)', { ids: ids.map((r) => r.id) })
      .orderBy('d.seq', 'DESC')
      .getMany();
    const attempts = await em
      .getRepository(WebhookAttemptEntity)
      .createQueryBuilder('a')
      .where('a.deliveryId = ANY(:ids)', { ids: deliveries.map((d) => d.id) })
      .orderBy('a.at', 'ASC')
      .addOrderBy('a.id', 'ASC')
      .getMany();
    const attemptsOf = new Map<string, WebhookAttemptEntity[]>();
    for (const a of attempts) {
      const list = attemptsOf.get(a.deliveryId) ?? [];
      list.push(a);
      attemptsOf.set(a.deliveryId, list);
    }
    for (const d of deliveries) byGate.get(d.gateId)?.push({ delivery: d, attempts: attemptsOf.get(d.id) ?? [] });
    return byGate;
  }
}
