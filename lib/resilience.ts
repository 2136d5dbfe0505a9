import type { Sequelize } from 'sequelize';
import { withDeadline } from './deadline';
import { Readiness, reachabilityProbe, type ReadinessEvent } from './readiness';
import { retry } from './retry';
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
  readonly #retries: number;
  readonly #timeoutMs: number;
  readonly #readiness: Readiness | undefined;

  constructor(db: Sequelize, options: ResilienceOptions, emit: (event: ReadinessEvent) => void) {
    this.#retries = options.retries;
    this.#timeoutMs = options.operationTimeout;
    // An SQLite file does not come and go like a server.
    const tracked = !options.disableConnectionEvents && db.getDialect() !== 'sqlite';
    this.#readiness = tracked ? new Readiness(reachabilityProbe(db), emit) : undefined;
  }

  /** Runs one public operation within `operationTimeout`; `work` passes the signal on to its calls. */
  operation<T>(name: string, work: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    const running = withDeadline(name, this.#timeoutMs, work);
    const readiness = this.#readiness;
    if (!readiness) return running;
    return running.catch((error: unknown) => {
      readiness.failed(error); // a stall is no failed call, yet it may be an outage
      throw error;
    });
  }

  /** One call to the database, retried while it fails transiently; once only while the database is down. */
  call<T>(run: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    const readiness = this.#readiness;
    const retries = readiness?.down ? 0 : this.#retries;
    const calling = retry(run, { retries, isTransient }, signal);
    if (!readiness) return calling;
    return calling.then(
      (result) => {
        readiness.reached();
        return result;
      },
      (error: unknown) => {
        readiness.failed(error);
        throw error;
      },
    );
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
