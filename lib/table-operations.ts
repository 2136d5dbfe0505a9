import { Op, type Model, type ModelStatic, type Sequelize, type SyncOptions, type WhereOptions } from 'sequelize';
import type { SessionAccess } from './access';
import { Sweeper } from './cleanup/sweeper';
import { runMigrations, sessionMigrations } from './migrations';
import type { OperationTracer } from './observability/tracing';
import type { OperationGate } from './operation-gate';
import type { Resilience } from './resilience/resilience';
import type { SessionCodec } from './session/codec';
import { checkWhere, findLive, findLivePage, type StoredSession } from './sql/model-queries';
import type { IterateOptions, ListedSession, MigrateOptions } from './types';
import { MAX_PRUNE_BATCH } from './options/resolve';
import { PREFIX } from './messages';

/** Runs one page of `iterate` as an operation of the store (deadline, retries, trace). */
export type PageRunner = (read: (signal?: AbortSignal) => Promise<StoredSession[]>) => Promise<StoredSession[]>;

/** What the table operations share with the store's hot path. */
export interface SharedParts {
  gate: OperationGate;
  resilience: Resilience;
  codec: SessionCodec;
  /** Where an unreadable row goes: the store's 'error' event or logger. */
  report: (error: unknown) => void;
  /** Publishes each operation (here: each cleanup batch) and writes the NODE_DEBUG lines. */
  tracer: OperationTracer;
}

/**
 * The operations on many sessions or on the table itself (listing, counting, clearing,
 * conditions, sync, migrations, the cleanup sweep): cold, through the model API or the
 * procedures. Each method is one operation, run within its deadline by the store.
 */
export class TableOperations {
  readonly #model: ModelStatic<Model>;
  readonly #db: Sequelize;
  readonly #access: SessionAccess;
  readonly #shared: SharedParts;
  readonly #sweeper: Sweeper;
  readonly #storedProcedures: boolean;

  constructor(
    model: ModelStatic<Model>,
    db: Sequelize,
    access: SessionAccess,
    shared: SharedParts,
    options: { pruneBatchSize: number; storedProcedures: boolean },
  ) {
    this.#model = model;
    this.#db = db;
    this.#access = access;
    this.#shared = shared;
    this.#storedProcedures = options.storedProcedures;
    const { resilience, tracer } = shared;
    const runner = resilience.runner(access.runner);
    this.#sweeper = new Sweeper(model, {
      batch: options.pruneBatchSize,
      // Each batch is an operation of its own, with its deadline and retries: a long sweep is fine.
      run: (statement, args) =>
        tracer.trace('prune', () => resilience.operation('prune', (signal) => runner.run(statement, args, signal))),
      call: access.sweep,
    });
  }

  /** Runs one call to the database once the store is usable, retried while it fails transiently. */
  async #call<T>(run: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    await this.#shared.gate.usable();
    return this.#shared.resilience.call(run, signal);
  }

  async all(signal?: AbortSignal): Promise<ListedSession[]> {
    return this.#listed(await this.#call(() => this.#access.queries.live(new Date()), signal));
  }

  length(signal?: AbortSignal): Promise<number> {
    return this.#call(() => this.#access.queries.count(new Date()), signal);
  }

  clear(signal?: AbortSignal): Promise<void> {
    return this.#call(() => this.#access.queries.clear(), signal);
  }

  async findWhere(where: WhereOptions, signal?: AbortSignal): Promise<ListedSession[]> {
    checkWhere('findWhere', where);
    return this.#listed(await this.#call(() => findLive(this.#model, new Date(), where), signal));
  }

  destroyWhere(where: WhereOptions, signal?: AbortSignal): Promise<number> {
    checkWhere('destroyWhere', where);
    if (!this.#access.tombstones) return this.#call(() => this.#model.destroy({ where }), signal);
    // Tombstones, each keeping its row's expiry, so that no save under way brings a session back.
    const live = { [Op.and]: [where, { data: { [Op.not]: null } }] };
    return this.#call(async () => (await this.#model.update({ data: null }, { where: live }))[0], signal);
  }

  /** Checks the options at once; the pages are read as the caller iterates. */
  iterate(options: IterateOptions, runPage: PageRunner): AsyncIterableIterator<ListedSession> {
    const { batchSize = 1000, where, rest = true } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_PRUNE_BATCH) {
      throw new TypeError(
        `${PREFIX} iterate's \`batchSize\` must be a whole number from 1 to ${MAX_PRUNE_BATCH}, received ${String(batchSize)}`,
      );
    }
    if (where !== undefined) checkWhere('iterate', where);
    if (typeof rest !== 'boolean')
      throw new TypeError(`${PREFIX} iterate's \`rest\` must be true or false, received ${String(rest)}`);
    return this.#pages(batchSize, where, rest, runPage);
  }

  async *#pages(
    limit: number,
    where: WhereOptions | undefined,
    rest: boolean,
    runPage: PageRunner,
  ): AsyncIterableIterator<ListedSession> {
    let after: string | undefined;
    for (;;) {
      const started = performance.now();
      const page = { now: new Date(), after, limit, where };
      const rows = await runPage((signal) => this.#call(() => findLivePage(this.#model, page), signal));
      if (rows.length > 0) after = rows[rows.length - 1]!.sid; // a corrupt row still moves the key on
      const sessions = await this.#listed(rows);
      const took = performance.now() - started;
      yield* sessions;
      if (rows.length < limit) return;
      // Rest as long as the page took (its query and its decoding): a listing of the whole table
      // takes at most half of the database's and the event loop's time from the requests served
      // meanwhile. The caller's own time per session counts as rest already.
      if (rest) await new Promise((resolve) => setTimeout(resolve, took));
    }
  }

  /**
   * Decodes listed rows; an unreadable one is reported and left out. Every 100 rows it lets the
   * event loop run, so that the requests a server is serving meanwhile do not wait for a whole page.
   */
  async #listed(rows: StoredSession[]): Promise<ListedSession[]> {
    const sessions: ListedSession[] = [];
    for (const [index, row] of rows.entries()) {
      if (index > 0 && index % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
      try {
        sessions.push({ ...(await this.#shared.codec.decode(row.sid, row.data)), id: row.sid });
      } catch (error) {
        this.#shared.report(error);
      }
    }
    return sessions;
  }

  async migrate(options: MigrateOptions): Promise<string[]> {
    await this.#shared.gate.usable();
    const procedures = options.procedures ?? this.#storedProcedures;
    return runMigrations(this.#db, sessionMigrations({ model: this.#model, procedures }), options);
  }

  async sync(options: SyncOptions | undefined, signal?: AbortSignal): Promise<ModelStatic<Model>> {
    const synced = await this.#call(() => this.#model.sync(options), signal);
    return synced as unknown as ModelStatic<Model>;
  }

  /** One sweep; `stop` (the timer's) ends it after the batch under way, as closing the store does. */
  async prune(stop?: AbortSignal): Promise<number> {
    const { gate } = this.#shared;
    await gate.usable();
    const started = performance.now();
    const deleted = await this.#sweeper.sweep(() => !gate.closed && !stop?.aborted);
    this.#shared.tracer.sweep(deleted, started);
    return deleted;
  }
}
