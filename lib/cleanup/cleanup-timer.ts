/** Largest delay a Node timer accepts; a longer one would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * The cleanup timer. A sweep is armed only after the previous one ended, so sweeps never overlap,
 * whatever start() and stop() do meanwhile; each delay is jittered so that app servers sharing a
 * database do not sweep in step; the timer is unref'd so that it never keeps the process alive.
 */
export class CleanupTimer {
  #timer: NodeJS.Timeout | undefined;
  #enabled = false;
  #sweeping: Promise<void> | undefined;
  #abort: AbortController | undefined;

  /**
   * @param sweep one sweep; it should end early, between batches, once `signal` is aborted
   * @param report where a failed sweep goes (the store's 'error' event or logger)
   * @param hook the user's `onCleanupError`, told of every failed sweep as well
   */
  constructor(
    private readonly sweep: (signal: AbortSignal) => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly report: (error: Error) => void,
    private readonly hook?: (error: Error) => unknown,
  ) {}

  start(): void {
    if (this.#enabled || this.intervalMs <= 0) return;
    this.#enabled = true;
    // A sweep still running arms the next one when it ends; arming now would let two overlap.
    if (!this.#sweeping) this.#arm();
  }

  /** Stops the timer; a running sweep ends after its current batch. */
  stop(): void {
    this.#enabled = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort?.abort();
  }

  /** The armed timer, or null when none is (stopped, disabled, or between a sweep and the next). */
  get handle(): NodeJS.Timeout | null {
    return this.#timer ?? null;
  }

  /** Settles once no sweep is running. */
  idle(): Promise<void> {
    return this.#sweeping ?? Promise.resolve();
  }

  #arm(): void {
    // ±10% of the interval, so a fleet started together drifts apart.
    const delay = Math.min(this.intervalMs * (0.9 + Math.random() * 0.2), MAX_TIMER_MS);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#sweeping = this.#run().finally(() => {
        this.#sweeping = undefined;
        if (this.#enabled && !this.#timer) this.#arm();
      });
    }, delay);
    this.#timer.unref();
  }

  async #run(): Promise<void> {
    const abort = new AbortController();
    this.#abort = abort;
    try {
      await this.sweep(abort.signal);
    } catch (error) {
      this.#failed(asError(error));
    } finally {
      this.#abort = undefined;
    }
  }

  #failed(error: Error): void {
    this.#report(error);
    if (!this.hook) return;
    try {
      // An async hook that rejects must not become an unhandled rejection either.
      Promise.resolve(this.hook(error)).catch((hookError: unknown) => this.#report(asError(hookError)));
    } catch (hookError) {
      this.#report(asError(hookError));
    }
  }

  #report(error: Error): void {
    try {
      this.report(error);
    } catch (thrown) {
      // An 'error' listener that throws: raise it as Node does for any listener, not as a rejection.
      process.nextTick(() => {
        throw thrown;
      });
    }
  }
}
