/**
 * The step-up request between the client (auth-fetch.ts: an operation answered STEP_UP_REQUIRED) and the dialog
 * that asks the person for a fresh second-factor proof. One dialog at a time: operations refused together wait for
 * the same answer (true: proved, send again; false: the person cancelled, the refusal stands).
 */
export class StepUpBroker {
  private pending: { promise: Promise<boolean>; resolve: (proved: boolean) => void } | null = null;
  private readonly listeners = new Set<(open: boolean) => void>();

  get isOpen(): boolean {
    return this.pending !== null;
  }

  request(): Promise<boolean> {
    if (this.pending) return this.pending.promise;
    let resolve!: (proved: boolean) => void;
    const promise = new Promise<boolean>((r) => (resolve = r));
    this.pending = { promise, resolve };
    this.emit();
    return promise;
  }

  settle(proved: boolean): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    pending.resolve(proved);
    this.emit();
  }

  subscribe(listener: (open: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private emit(): void {
    for (const l of this.listeners) l(this.isOpen);
  }
}
