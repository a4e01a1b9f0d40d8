import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, Max, Min } from 'class-validator';
import { toBool, toInt, type SettingsBase } from './conversions';

/** The promotion gate's webhooks: retries, and which receivers they may reach. */
export function WebhookSettings<TBase extends SettingsBase>(Base: TBase) {
  class WebhookSettings extends Base {
    /** Gate webhook: attempts per delivery before it is given up as FAILED. */
    @Transform(toInt)
    @IsInt()
    @Min(1)
    @Max(100)
    GATE_WEBHOOK_MAX_ATTEMPTS = 12;

    /** Gate webhook: the first retry delay in ms; it doubles per attempt (with jitter) up to 5 minutes. */
    @Transform(toInt)
    @IsInt()
    @Min(10)
    @Max(300_000)
    GATE_WEBHOOK_RETRY_BASE_MS = 1000;

    /**
     * Gate webhook: may a webhook point at loopback, private (RFC 1918, fc00::/7), link-local,
     * carrier-grade NAT or other non-public addresses (or a name resolving to one)? Off by default:
     * the server must not be made to POST to itself, the database or internal hosts. Turn on only for
     * a receiver on the company network (and in tests with a local receiver).
     */
    @Transform(toBool)
    @IsBoolean({ message: 'GATE_WEBHOOK_ALLOW_PRIVATE_NETWORKS must be true or false' })
    GATE_WEBHOOK_ALLOW_PRIVATE_NETWORKS = false;
  }
  return WebhookSettings;
}
