import type { SessionData } from 'express-session';
import type { Sequelize } from 'sequelize';
import type { Store } from '../../test/support/stores';

/** What the database must hold for a sid: the last acknowledged write, or unknown after a failed one. */
type Known = { n: number } | 'destroyed' | 'unknown';

interface Operation {
  kind: 'set' | 'get' | 'touch' | 'destroy' | 'length';
  startedAt: number;
  endedAt?: number;
  error?: Error;
  calls: number;
}

export interface LoadReport {
  operations: number;
  succeeded: number;
  failed: Operation[];
  /** Operations whose callback never came (within the grace given to stop()). */
  hung: Operation[];
  /** Callbacks called more than once. */
  doubled: Operation[];
  /** get() results that differ from the last acknowledged write. */
  staleReads: string[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function session(n: number): SessionData {
  const cookie = { originalMaxAge: 3_600_000, expires: new Date(Date.now() + 3_600_000), httpOnly: true, path: '/' };
  return { cookie, n };
}

/**
 * A mixed load the way express-session drives a store: callbacks, not promises, and each worker
 * owning its sids, so that the last acknowledged write of every sid is known and can be checked
 * against what get() returns and what the table finally holds.
 */
export class MixedLoad {
  readonly #known = new Map<string, Known>();
  readonly #operations: Operation[] = [];
  readonly #staleReads: string[] = [];
  #running = false;
  #workers: Promise<void>[] = [];
  #counter = 0;

  constructor(
    private readonly store: Store,
    private readonly options: {
      workers?: number;
      sidsPerWorker?: number;
      prefix?: string;
      /**
       * Never trust a sid again after one of its writes failed. For outages where a write that
       * timed out may still be applied later (a frozen server runs what it had received once it
       * thaws), possibly after a newer acknowledged write.
       */
      distrustAfterFailure?: boolean;
    } = {},
  ) {}

  /** Operations that succeeded so far. */
  get succeeded(): number {
    return this.#operations.filter((op) => op.endedAt !== undefined && !op.error).length;
  }

  /** Operations that failed so far. */
  get failed(): number {
    return this.#operations.filter((op) => op.error).length;
  }

  start(): void {
    this.#running = true;
    const workers = this.options.workers ?? 16;
    for (let w = 0; w < workers; w += 1) this.#workers.push(this.#work(w));
  }

  /** Resolves once `count` more operations have succeeded; rejects after `timeoutMs`. */
  async successes(count: number, timeoutMs = 30_000): Promise<void> {
    await this.#more('succeeded', count, timeoutMs);
  }

  /** Resolves once `count` more operations have failed; rejects after `timeoutMs`. */
  async failures(count: number, timeoutMs = 30_000): Promise<void> {
    await this.#more('failed', count, timeoutMs);
  }

  async #more(outcome: 'succeeded' | 'failed', count: number, timeoutMs: number): Promise<void> {
    const target = this[outcome] + count;
    const until = Date.now() + timeoutMs;
    while (this[outcome] < target) {
      if (Date.now() > until) {
        const last = this.#operations.filter((op) => op.error).slice(-3);
        throw new Error(
          `only ${this[outcome] - target + count} of ${count} operations ${outcome} in ${timeoutMs} ms; ` +
            `last errors: ${last.map((op) => `${op.kind}: ${op.error?.message}`).join(' | ')}`,
        );
      }
      await sleep(20);
    }
  }

  /** Stops issuing operations and waits for those under way, `graceMs` at the most. */
  async stop(graceMs: number): Promise<LoadReport> {
    this.#running = false;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(this.#workers), grace]);
    clearTimeout(timer);
    const ended = this.#operations.filter((op) => op.endedAt !== undefined);
    return {
      operations: this.#operations.length,
      succeeded: ended.filter((op) => !op.error).length,
      failed: ended.filter((op) => op.error),
      hung: this.#operations.filter((op) => op.endedAt === undefined),
      doubled: this.#operations.filter((op) => op.calls > 1),
      staleReads: this.#staleReads,
    };
  }

  /** Failed operations that started at or after `since` (a timestamp). */
  static failedSince(report: LoadReport, since: number): string[] {
    return report.failed.filter((op) => op.startedAt >= since).map((op) => `${op.kind}: ${op.error?.message}`);
  }

  /**
   * The sids whose stored state differs from their last acknowledged write, reading the table
   * through `db` (any connection to the data, e.g. another node of a cluster).
   */
  async lostWrites(db: Sequelize, table: string): Promise<string[]> {
    const [rows] = await db.query(`SELECT sid, data FROM ${db.getQueryInterface().quoteIdentifier(table)}`);
    // A destroyed session's row stays as a tombstone, its data NULL: no session.
    const stored = new Map(
      (rows as { sid: string; data: string | null }[])
        .filter((row) => row.data !== null)
        .map((row) => [row.sid, (JSON.parse(row.data!) as { n: number }).n]),
    );
    const lost: string[] = [];
    for (const [sid, known] of this.#known) {
      if (known === 'unknown') continue;
      const expected = known === 'destroyed' ? undefined : known.n;
      if (stored.get(sid) !== expected)
        lost.push(`${sid}: expected ${String(expected)}, stored ${String(stored.get(sid))}`);
    }
    return lost;
  }

  /** How many sids have a known state (the others saw a write fail). */
  get knownSids(): number {
    return [...this.#known.values()].filter((known) => known !== 'unknown').length;
  }

  async #work(worker: number): Promise<void> {
    const slots = this.options.sidsPerWorker ?? 4;
    const generations = new Array<number>(slots).fill(0);
    const sids = Array.from({ length: slots }, (_, i) => `${this.options.prefix ?? 'load'}-${worker}-${i}`);
    for (let step = 0; this.#running; step += 1) {
      // Operations that fail at once settle on the next tick: without a pause the workers would
      // starve every timer and socket of the process.
      await new Promise((resolve) => setImmediate(resolve));
      const slot = step % slots;
      const sid = `${sids[slot]!}.${generations[slot]!}`;
      const known = this.#known.get(sid) ?? 'destroyed';
      const roll = (step * 7 + worker) % 10;
      if (roll < 4) {
        const n = (this.#counter += 1);
        const error = await this.#call('set', (cb) => this.store.set(sid, session(n), cb));
        this.#learn(sid, error ? 'unknown' : { n });
      } else if (roll < 7) {
        let value: unknown;
        const error = await this.#call('get', (cb) => this.store.get(sid, (e, got) => ((value = got), cb(e))));
        if (!error && known !== 'unknown') {
          const expected = known === 'destroyed' ? null : known.n;
          const got = value === null || value === undefined ? null : (value as { n: number }).n;
          if (got !== expected) this.#staleReads.push(`${sid}: expected ${String(expected)}, got ${String(got)}`);
        }
      } else if (roll < 9) {
        await this.#call('touch', (cb) => this.store.touch(sid, session(0), cb));
      } else if (step % 3 === 0) {
        const error = await this.#call('destroy', (cb) => this.store.destroy(sid, cb));
        this.#learn(sid, error ? 'unknown' : 'destroyed');
        // As a browser after a logout: a destroyed session stays destroyed, the next one has a new id.
        generations[slot] = generations[slot]! + 1;
      } else {
        await this.#call('length', (cb) => this.store.length(cb));
      }
    }
  }

  #learn(sid: string, known: Known): void {
    if (this.options.distrustAfterFailure && this.#known.get(sid) === 'unknown') return;
    this.#known.set(sid, known);
  }

  /** Runs one operation through its callback; resolves to its error, if any. */
  #call(kind: Operation['kind'], run: (callback: (error: unknown) => void) => unknown): Promise<Error | undefined> {
    const op: Operation = { kind, startedAt: Date.now(), calls: 0 };
    this.#operations.push(op);
    return new Promise((resolve) => {
      run((error: unknown) => {
        op.calls += 1;
        if (op.calls > 1) return;
        op.endedAt = Date.now();
        if (error) op.error = error instanceof Error ? error : new Error(JSON.stringify(error));
        resolve(op.error);
      });
    });
  }
}
