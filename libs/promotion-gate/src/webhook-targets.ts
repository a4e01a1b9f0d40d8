import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { AppConfig } from '@app/common';
import { GateError, GateErrorCode } from './domain/gate.errors';
import { addressesProblem, hostOf, webhookUrlShapeProblem, type WebhookUrlProblem } from './domain/webhook-target';

/** A webhook URL checked for one POST: the address it resolved to, which the connection must use. */
export interface PinnedTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

/**
 * Applies the webhook address rules (domain/webhook-target.ts) with DNS: at
 * configuration time (`assertAllowed`, refused as WEBHOOK_URL_NOT_ALLOWED) and
 * again before every POST (`pin`): the name is resolved once, every address
 * checked, and the POST connects to the checked address (postPinned), so a
 * DNS answer that changes between the check and the connection (rebinding)
 * cannot send it elsewhere.
 *
 * GATE_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true lifts the address rules (a receiver
 * on the company network, the tests' local receiver); the URL's shape rules
 * (http/https, no credentials) always hold, and the address is pinned anyway.
 */
@Injectable()
export class WebhookTargets {
  private readonly allowPrivate: boolean;
  /** Replaceable in tests (a name that resolves differently each time). */
  resolver: Resolver = systemResolver;

  constructor(@Inject(ConfigService) config: ConfigService<AppConfig, true>) {
    this.allowPrivate = config.get('GATE_WEBHOOK_ALLOW_PRIVATE_NETWORKS', { infer: true }) === true;
  }

  /** The URL as it will be stored (normalised), or WEBHOOK_URL_NOT_ALLOWED with the reason. */
  async assertAllowed(raw: string): Promise<string> {
    let url: URL;
    try {
      url = new URL(raw.trim());
    } catch {
      throw notAllowed(raw, 'it is not a URL');
    }
    const outcome = await this.check(url);
    if ('problem' in outcome) throw notAllowed(url.toString(), outcome.problem);
    return url.toString();
  }

  /** Resolves and checks the URL for one POST: the address to connect to, or why not. */
  async pin(raw: string): Promise<PinnedTarget | { problem: WebhookUrlProblem }> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { problem: 'the stored URL is not a URL' };
    }
    return this.check(url);
  }

  private async check(url: URL): Promise<PinnedTarget | { problem: WebhookUrlProblem }> {
    const shape = webhookUrlShapeProblem(url);
    if (shape) return { problem: shape };
    const host = hostOf(url);
    let answers: { address: string; family: number }[];
    if (isIP(host)) {
      answers = [{ address: host, family: isIP(host) }];
    } else {
      try {
        answers = await this.resolver(host);
      } catch (err) {
        const code = (err as { code?: string }).code;
        return { problem: `${host} does not resolve${code ? ` (${code})` : ''}` };
      }
    }
    if (!this.allowPrivate) {
      const problem = addressesProblem(
        host,
        answers.map((a) => a.address),
      );
      if (problem) return { problem };
    }
    const first = answers[0];
    if (!first) return { problem: `${host} resolves to no address` };
    return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
  }
}

function notAllowed(url: string, problem: string): GateError {
  return new GateError(GateErrorCode.WEBHOOK_URL_NOT_ALLOWED, `This webhook URL is not allowed: ${problem}`, { field: 'url', problem });
}
