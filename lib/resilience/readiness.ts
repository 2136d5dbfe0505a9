import { OperationTimeoutError, withDeadline } from './deadline';
import { isConnectionLoss } from '../driver/errors';

/** Milliseconds between two probes while the database is unreachable. */
const PROBE_INTERVAL_MS = 1_000;
/** A probe that takes longer than this counts as a failure. */
const PROBE_TIMEOUT_MS = 5_000;

export type ReadinessEvent = 'connect' | 'disconnect';

/** An error after which the database may be unreachable: a lost connection, a stall. */
function suspectsOutage(error: unknown): boolean {
  return (
    error instanceof OperationTimeoutError ||
    (error as { name?: unknown } | null)?.name === 'SequelizeConnectionAcquireTimeoutError' ||
    isConnectionLoss(error)
  );
}

/**
 * Tracks whether the database is reachable, for express-session: it stops using a store that
 * emitted 'disconnect' (requests go on without a session) until the store emits 'connect'.
 *
 * An operation that fails in a way that suggests an outage triggers one probe; only a failed probe
 * makes the store 'disconnect', so that one killed connection or one slow query does not. While
 * down, an unref'd timer probes every PROBE_INTERVAL_MS; the first probe or operation that reaches
 * the database makes it 'connect' again.
 */
export class Readiness {
  #state: 'up' | 'checking' | 'down' = 'up';
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly probe: () => Promise<void>,
    private readonly emit: (event: ReadinessEvent) => void,
    private readonly intervalMs = PROBE_INTERVAL_MS,
  ) {}

  /** True while the database is known to be unreachable. */
  get down(): boolean {
    return this.#state === 'down';
  }

  /** A statement reached the database. */
  reached(): void {
    if (this.#state === 'down') this.#up();
    else if (this.#state === 'checking') this.#state = 'up'; // the pending probe no longer matters
  }

  /** An operation failed for good. */
  failed(error: unknown): void {
    if (this.#state !== 'up' || this.#stopped || !suspectsOutage(error)) return;
    this.#state = 'checking';
    void this.#check();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #check(): Promise<void> {
    let reachable = true;
    try {
      await withDeadline('connection probe', PROBE_TIMEOUT_MS, () => this.probe());
    } catch {
      reachable = false;
    }
    if (this.#stopped) return;
    if (this.#state === 'checking') {
      if (reachable) this.#state = 'up';
      else this.#down();
    } else if (this.#state === 'down') {
      if (reachable) this.#up();
      else this.#arm();
    }
  }

  #down(): void {
    this.#state = 'down';
    this.#announce('disconnect');
    this.#arm();
  }

  #up(): void {
    this.#state = 'up';
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#announce('connect');
  }

  #arm(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#check();
    }, this.intervalMs);
    this.#timer.unref();
  }

  /** On a later tick: a listener that throws must not fail the operation that noticed the change. */
  #announce(event: ReadinessEvent): void {
    process.nextTick(() => this.emit(event));
  }
}
