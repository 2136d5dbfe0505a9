/**
 * The cleanup timer. A sweep is armed only after the previous one ended, so sweeps never overlap;
 * each delay is jittered so that app servers sharing a database do not sweep in step; the timer is
 * unref'd so that it never keeps the process alive.
 */
export class Pruner {
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(
    private readonly sweep: () => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running || this.intervalMs <= 0) return;
    this.#running = true;
    this.#arm();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    // ±10% of the interval, so a fleet started together drifts apart.
    const delay = this.intervalMs * (0.9 + Math.random() * 0.2);
    this.#timer = setTimeout(() => void this.#run(), delay);
    this.#timer.unref();
  }

  async #run(): Promise<void> {
    this.#timer = undefined;
    try {
      await this.sweep();
    } catch (error) {
      this.onError(error);
    }
    if (this.#running && !this.#timer) this.#arm();
  }
}
