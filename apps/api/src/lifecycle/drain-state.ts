import { Injectable } from '@nestjs/common';

/**
 * Whether this instance is draining: it received SIGTERM (or SIGINT) and is
 * finishing what is in flight before it stops (see graceful-shutdown.ts).
 * `/health/ready` answers 503 while it is, so a load balancer that still holds
 * a connection to it sends no more work here.
 */
@Injectable()
export class DrainState {
  private signal: string | null = null;

  get draining(): boolean {
    return this.signal !== null;
  }

  /** The signal that started the drain (null while serving). */
  get since(): string | null {
    return this.signal;
  }

  /** Marks the start of the drain; true the first time only. */
  begin(signal: string): boolean {
    if (this.signal !== null) return false;
    this.signal = signal;
    return true;
  }
}
