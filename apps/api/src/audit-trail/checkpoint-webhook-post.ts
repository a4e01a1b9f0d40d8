import { Inject, Injectable } from '@nestjs/common';
import { CheckpointWebhookPost } from '@app/audit-trail';
import { postPinned, WebhookTargets } from '@app/promotion-gate';

/**
 * The checkpoint webhook goes out as the gate's does: the URL checked again
 * before each POST (http(s), no credentials, a public address unless
 * GATE_WEBHOOK_ALLOW_PRIVATE_NETWORKS), resolved once, and the connection made
 * to the address that was checked (no second DNS lookup, no redirect followed).
 */
@Injectable()
export class PinnedCheckpointWebhookPost extends CheckpointWebhookPost {
  constructor(@Inject(WebhookTargets) private readonly targets: WebhookTargets) {
    super();
  }

  async post(
    url: string,
    headers: Record<string, string>,
    body: string,
    signal: AbortSignal,
  ): Promise<{ status: number; statusText: string } | { refused: string }> {
    const target = await this.targets.pin(url);
    if ('problem' in target) return { refused: target.problem };
    return postPinned(target, headers, body, signal);
  }
}
