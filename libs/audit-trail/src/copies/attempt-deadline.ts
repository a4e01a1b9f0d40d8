/**
 * The signal of one try at a copy: aborted after `ms`, or when the server shuts
 * down. One controller with a plain timer (as the gate's dispatcher does): a
 * composite AbortSignal.any holds a timeout signal weakly, and a collected one never fires.
 */
export interface AttemptDeadline {
  readonly signal: AbortSignal;
  /** True once the time ran out (not a shutdown). */
  readonly timedOut: boolean;
  /** Stops the timer and the shutdown listener; call it when the try ends. */
  dispose(): void;
}

export function attemptDeadline(ms: number, shutdown: AbortSignal): AttemptDeadline {
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort(new Error(`timed out after ${ms} ms`));
  }, ms);
  const onShutdown = () => abort.abort(new Error('the server is shutting down'));
  if (shutdown.aborted) onShutdown();
  else shutdown.addEventListener('abort', onShutdown, { once: true });
  return {
    signal: abort.signal,
    get timedOut() {
      return timedOut;
    },
    dispose() {
      clearTimeout(timer);
      shutdown.removeEventListener('abort', onShutdown);
    },
  };
}
