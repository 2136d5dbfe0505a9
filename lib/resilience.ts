import type { Sequelize } from 'sequelize';
import { withDeadline } from './deadline';
import { Readiness, reachabilityProbe, type ReadinessEvent } from './readiness';
import { attemptOnce, retryAfter, type RetryPolicy } from './retry';
import type { Runner } from './runner';
import { isTransient } from './transient';

export interface ResilienceOptions {
  retries: number;
  operationTimeout: number;
  disableConnectionEvents: boolean;
}

/**
 * How the store survives the database going away, in one place: every public operation runs
 * within a deadline; every call to the database, hot statement or model API alike, is retried
 * while it fails transiently; and the outcome feeds the 'connect' / 'disconnect' events.
 */
export class Resilience {
  readonly #policy: RetryPolicy;
  /** While the database is down: one attempt, so that requests fail fast until it is back. */
  readonly #once: RetryPolicy = { retries: 0, isTransient };
  readonly #timeoutMs: number;
  readonly #readiness: Readiness | undefined;
  /** What an operation that failed tells the readiness tracker, if any. */
  readonly #failed: ((error: unknown) => void) | undefined;

  constructor(db: Sequelize, options: ResilienceOptions, emit: (event: ReadinessEvent) => void) {
    this.#policy = { retries: options.retries, isTransient };
    this.#timeoutMs = options.operationTimeout;
    // An SQLite file does not come and go like a server.
    const tracked = !options.disableConnectionEvents && db.getDialect() !== 'sqlite';
    const readiness = tracked ? new Readiness(reachabilityProbe(db), emit) : undefined;
    this.#readiness = readiness;
    // A stall is no failed call, yet it may be an outage.
    this.#failed = readiness && ((error) => readiness.failed(error));
  }

  /** Runs one public operation within `operationTimeout`; `work` passes the signal on to its calls. */
  operation<T>(name: string, work: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    return withDeadline(name, this.#timeoutMs, work, this.#failed);
  }

  /** One call to the database, retried while it fails transiently; once only while the database is down. */
  call<T>(run: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    const readiness = this.#readiness;
    const policy = readiness?.down ? this.#once : this.#policy;
    const again = (error: unknown): Promise<T> => retryAfter(error, run, policy, signal);
    // One promise on the way of a call that succeeds at once, as nearly every call does.
    if (!readiness) return attemptOnce(run).catch(again);
    const reached = (result: T): T => {
      readiness.reached();
      return result;
    };
    const failed = (error: unknown): never => {
      readiness.failed(error);
      throw error;
    };
    return attemptOnce(run).then(reached, (error: unknown) => again(error).then(reached, failed));
  }

  /** The hot statements, each call retried as a whole: a retry borrows a fresh connection. */
  runner(inner: Runner): Runner {
    return {
      first: (statement, params, signal) => this.call(() => inner.first(statement, params, signal), signal),
      run: (statement, params, signal) => this.call(() => inner.run(statement, params, signal), signal),
    };
  }

  /** Stops the probe timer. */
  stop(): void {
    this.#readiness?.stop();
  }
}
