import type { Sequelize } from 'sequelize';
import { withDeadline } from './deadline';
import { Readiness, type ReadinessEvent } from './readiness';
import { reachabilityProbe } from '../driver/internals';
import { attemptOnce, retry, retryAfter, type RetryPolicy } from './retry';
import type { Runner } from '../driver/runner';
import { isTransient } from '../driver/errors';

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
  readonly #operationFailed: ((error: unknown) => void) | undefined;
  /** What the caller of a failed operation gets instead of the error, if clearer. */
  readonly #explain: ((error: unknown) => unknown) | undefined;

  /** A call reached the database: its result passes through. */
  readonly #reached = <T>(result: T): T => {
    this.#readiness?.reached();
    return result;
  };

  /** A call failed for good: its error passes through. */
  readonly #failedCall = (error: unknown): never => {
    this.#readiness?.failed(error);
    throw error;
  };

  constructor(
    db: Sequelize,
    options: ResilienceOptions,
    emit: (event: ReadinessEvent) => void,
    explain?: (error: unknown) => unknown,
  ) {
    this.#explain = explain;
    this.#policy = { retries: options.retries, isTransient };
    this.#timeoutMs = options.operationTimeout;
    // An SQLite file does not come and go like a server.
    const tracked = !options.disableConnectionEvents && db.getDialect() !== 'sqlite';
    const readiness = tracked ? new Readiness(reachabilityProbe(db), emit) : undefined;
    this.#readiness = readiness;
    // A stall is no failed call, yet it may be an outage.
    this.#operationFailed = readiness && ((error) => readiness.failed(error));
  }

  /** Runs one public operation within `operationTimeout`; `work` passes the signal on to its calls. */
  operation<T>(name: string, work: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    return withDeadline(name, this.#timeoutMs, work, this.#operationFailed, this.#explain);
  }

  /** One call to the database, retried while it fails transiently; once only while the database is down. */
  call<T>(run: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    const readiness = this.#readiness;
    if (!readiness) return retry(run, this.#policy, signal);
    const policy = readiness.down ? this.#once : this.#policy;
    // One promise on the way of a call that succeeds at once, as nearly every call does.
    return attemptOnce(run).then(this.#reached, (error: unknown) =>
      retryAfter(error, run, policy, signal).then(this.#reached, this.#failedCall),
    );
  }

  /** The hot statements, each call retried as a whole: a retry borrows a fresh connection. */
  runner(inner: Runner): Runner {
    return {
      first: (statement, args, signal) => this.call(() => inner.first(statement, args, signal), signal),
      all: (statement, args, signal) => this.call(() => inner.all(statement, args, signal), signal),
      run: (statement, args, signal) => this.call(() => inner.run(statement, args, signal), signal),
    };
  }

  /** Stops the probe timer. */
  stop(): void {
    this.#readiness?.stop();
  }
}
