import { Sequelize, type Model, type ModelStatic, type SyncOptions, type WhereOptions } from 'sequelize';
import type { SessionData } from 'express-session';
import { sessionAccess } from './access';
import { settle, type Callback } from './callback';
import { CleanupTimer } from './cleanup/cleanup-timer';
import type { Runner } from './driver/runner';
import { PREFIX } from './messages';
import { explainMissingTable } from './missing-table';
import { bindSessionModel } from './model-binding';
import { OperationTracer } from './observability/tracing';
import { OperationGate } from './operation-gate';
import type { ResolvedOptions, SequelizeStoreOptions } from './options';
import { resolveOptions } from './resolve-options';
import { Resilience } from './resilience/resilience';
import { checkWrittenSize, createCodec, type SessionCodec } from './session/codec';
import { expiryOf, TouchThrottle } from './session/expiry';
import { checkSession, columnValues, rowFields } from './session/row-fields';
import { SessionIds } from './session/session-ids';
import { checkDataFits, ColumnLimitsProbe } from './sql/column-limits';
import { dateParameter, type DateParameter } from './sql/dates';
import { isMySqlFamily } from './sql/dialect';
import type { HotStatements } from './sql/hot-statements';
import { tableNameOf } from './sql/session-table';
import { TableOperations } from './table-operations';
import type {
  IterateOptions,
  ListedSession,
  MigrateOptions,
  SequelizeStore,
  SequelizeStoreClass,
  StoreBase,
} from './types';

/** A touch that moves the stored expiry by less than this writes nothing (see the touch statement). */
const TOUCH_RESOLUTION_MS = 1000;

/** Opens the embedded SQLite database used when no `db` is given. */
function openEmbeddedDatabase(path: string): Sequelize {
  try {
    return new Sequelize({ dialect: 'sqlite', storage: path, logging: false });
  } catch (error) {
    throw new Error(
      `${PREFIX} with no \`db\` option the store keeps sessions in SQLite and needs the sqlite3 package ` +
        `(npm install sqlite3), or pass your own Sequelize instance as \`db\`: ${(error as Error).message}`,
    );
  }
}

/** Builds the store class on top of the given express-session (or Connect) `Store`. */
export function createStoreClass(Base: StoreBase): SequelizeStoreClass {
  class Store extends Base implements SequelizeStore {
    readonly sessionModel: ModelStatic<Model>;
    readonly db: Sequelize;
    readonly #options: ResolvedOptions;
    readonly #ownsDb: boolean;
    readonly #resilience: Resilience;
    readonly #gate: OperationGate;
    readonly #statements: HotStatements;
    /** Runs the hot statements, each retried while it fails transiently. */
    readonly #runner: Runner;
    readonly #date: (value: Date) => DateParameter;
    readonly #ids: SessionIds;
    readonly #codec: SessionCodec;
    readonly #throttle: TouchThrottle;
    readonly #limits: ColumnLimitsProbe;
    readonly #table: TableOperations;
    readonly #cleanup: CleanupTimer;
    readonly #tracer: OperationTracer;

    constructor(options?: SequelizeStoreOptions) {
      super();
      const resolved = resolveOptions(options);
      this.#options = resolved;
      const { table } = resolved;
      this.#ownsDb = !resolved.db && typeof table !== 'function';
      this.db =
        resolved.db ?? (typeof table === 'function' ? table.sequelize! : openEmbeddedDatabase(resolved.sqlitePath));
      const model = bindSessionModel(this.db, resolved);
      this.sessionModel = model;
      this.#date = dateParameter(model);
      const warn = (message: string): void => this.#report(new Error(`${PREFIX} ${message}`));
      // Facts worth a line in the log that are no error: an 'error' listener does not hear them.
      const notice = (message: string): void => void (resolved.logger && resolved.logger.warn(`${PREFIX} ${message}`));
      const access = sessionAccess(model, resolved.storedProcedures, this.#date, warn, notice);
      const { tableName } = model;
      this.#resilience = new Resilience(
        this.db,
        resolved,
        (event) => this.emit(event),
        (error) => explainMissingTable(error, tableName),
      );
      this.#runner = this.#resilience.runner(access.runner);
      this.#statements = access.statements;
      this.#ids = new SessionIds(resolved.sidSecret, isMySqlFamily(this.db.getDialect()));
      this.#codec = createCodec(resolved);
      this.#throttle = new TouchThrottle(resolved.touchAfter * 1000);
      this.#limits = new ColumnLimitsProbe(model);
      this.#gate = new OperationGate(model, this.#ownsDb ? this.db : undefined, resolved.createTable);
      this.#tracer = new OperationTracer(tableNameOf(model));
      const shared = {
        tracer: this.#tracer,
        gate: this.#gate,
        resilience: this.#resilience,
        codec: this.#codec,
        report: (error: unknown) => this.#report(error),
      };
      this.#table = new TableOperations(model, this.db, access, shared, resolved);
      this.#cleanup = new CleanupTimer(
        (signal) => this.#table.prune(signal),
        resolved.checkExpirationInterval,
        (error) => this.#report(error),
        resolved.onCleanupError,
      );
      this.#cleanup.start();
    }

    /** Reports an error no caller is waiting for, without ever throwing it into the void. */
    #report(error: unknown): void {
      const err = error instanceof Error ? error : new Error(String(error));
      if (this.listenerCount('error') > 0) this.emit('error', err);
      else if (this.#options.logger)
        this.#options.logger.warn(err.message.startsWith(PREFIX) ? err.message : `${PREFIX} ${err.message}`);
    }

    /** Runs one public operation within its deadline and hands the outcome to the callback, if any. */
    #operation<T>(name: string, callback: Callback<T> | undefined, work: (signal?: AbortSignal) => Promise<T>) {
      if (!this.#tracer.active) return settle(this.#resilience.operation(name, work), callback);
      return settle(
        this.#tracer.trace(name, () => this.#resilience.operation(name, work)),
        callback,
      );
    }

    /** An operation on one session: a trace shows its row key. */
    #sessionOperation<T>(
      name: string,
      sid: string,
      callback: Callback<T> | undefined,
      work: (signal?: AbortSignal) => Promise<T>,
    ) {
      if (!this.#tracer.active) return settle(this.#resilience.operation(name, work), callback);
      const key = (): string | undefined => this.#traceKey(sid);
      return settle(
        this.#tracer.trace(name, () => this.#resilience.operation(name, work), key),
        callback,
      );
    }

    /** The row key a trace shows; an id no row can have shows none (the operation says why). */
    #traceKey(sid: string): string | undefined {
      try {
        return this.#ids.key(sid);
      } catch {
        return undefined;
      }
    }

    get(sid: string, callback?: Callback<SessionData | null>): Promise<SessionData | null> {
      return this.#sessionOperation('get', sid, callback, async (signal) => {
        const key = this.#ids.key(sid);
        const waiting = this.#gate.usable();
        if (waiting) await waiting; // the hot path skips an await when nothing is pending
        const throttled = this.#throttle.enabled;
        const statement = throttled ? this.#statements.getWithExpiry : this.#statements.get;
        const row = await this.#runner.first(statement, { key, now: this.#date(new Date()) }, signal);
        if (!row) return null;
        try {
          const decoded = this.#codec.decode(key, row.data);
          const session = decoded instanceof Promise ? await decoded : decoded; // no await without a cipher
          if (throttled) this.#throttle.remember(key, row.expires);
          return session;
        } catch (error) {
          this.#report(error);
          return null;
        }
      });
    }

    set(sid: string, session: SessionData, callback?: Callback): Promise<void> {
      return this.#sessionOperation('set', sid, callback, async (signal) => {
        const key = this.#ids.key(sid);
        checkSession(key, session);
        const encoded = this.#codec.encode(key, session);
        const data = typeof encoded === 'string' ? encoded : await encoded;
        const expires = expiryOf(session, this.#options.expiration, this.#options.ttl);
        const fields = rowFields({ data, expires }, session, this.#options.extendDefaultFields);
        if (fields.data !== data) checkWrittenSize(key, fields.data, this.#options.maxSize);
        const waiting = this.#gate.usable();
        if (waiting) await waiting;
        const limits = await this.#limits.get();
        this.#ids.checkStorable(key, limits.sidChars);
        checkDataFits(key, fields.data, limits);
        const statement = this.#statements.upsert(Object.keys(fields));
        this.#throttle.forget(key);
        if (!statement) {
          await this.#resilience.call(() => this.sessionModel.upsert({ sid: key, ...fields }), signal);
          return;
        }
        const now = this.#date(new Date());
        const values = columnValues(fields, this.#date);
        await this.#runner.run(statement, { key, values, createdAt: now, updatedAt: now }, signal);
      });
    }

    override touch(sid: string, session: SessionData, callback?: Callback): Promise<void> {
      return this.#sessionOperation('touch', sid, callback, async (signal) => {
        const key = this.#ids.key(sid);
        checkSession(key, session);
        if (this.#options.disableTouch) return;
        const expiresAt = expiryOf(session, this.#options.expiration, this.#options.ttl);
        if (this.#throttle.enabled && this.#throttle.canSkip(key, expiresAt)) return;
        const waiting = this.#gate.usable();
        if (waiting) await waiting;
        const now = this.#date(new Date());
        const at = expiresAt.getTime();
        await this.#runner.run(
          this.#statements.touch,
          {
            key,
            expires: this.#date(expiresAt),
            updatedAt: now,
            now,
            earliest: this.#date(new Date(at - TOUCH_RESOLUTION_MS)),
            latest: this.#date(new Date(at + TOUCH_RESOLUTION_MS)),
          },
          signal,
        );
      });
    }

    destroy(sid: string, callback?: Callback): Promise<void> {
      return this.#sessionOperation('destroy', sid, callback, async (signal) => {
        const key = this.#ids.key(sid);
        this.#throttle.forget(key);
        const waiting = this.#gate.usable();
        if (waiting) await waiting;
        // No row has a key no save can write; and its tombstone would not fit, or would share a row.
        if (!this.#ids.storable(key, (await this.#limits.get()).sidChars)) return;
        const now = Date.now();
        // The tombstone outlives any save under way: as long as a new session could live.
        const { expiration, ttl } = this.#options;
        const lifetime = typeof ttl === 'number' ? Math.max(ttl, expiration) : expiration;
        const stamp = this.#date(new Date(now));
        const expires = this.#date(new Date(now + lifetime));
        await this.#runner.run(this.#statements.destroy, { key, expires, createdAt: stamp, updatedAt: stamp }, signal);
      });
    }

    override all(callback?: Callback<ListedSession[]>): Promise<ListedSession[]> {
      return this.#operation('all', callback, (signal) => this.#table.all(signal));
    }

    override length(callback?: Callback<number>): Promise<number> {
      return this.#operation('length', callback, (signal) => this.#table.length(signal));
    }

    override clear(callback?: Callback): Promise<void> {
      return this.#operation('clear', callback, (signal) => this.#table.clear(signal));
    }

    findWhere(where: WhereOptions, callback?: Callback<ListedSession[]>): Promise<ListedSession[]> {
      return this.#operation('findWhere', callback, (signal) => this.#table.findWhere(where, signal));
    }

    iterate(options?: IterateOptions): AsyncIterableIterator<ListedSession> {
      return this.#table.iterate(options ?? {}, (read) => this.#operation('iterate', undefined, read));
    }

    destroyWhere(where: WhereOptions, callback?: Callback<number>): Promise<number> {
      return this.#operation('destroyWhere', callback, (signal) => this.#table.destroyWhere(where, signal));
    }

    migrate(options?: MigrateOptions, callback?: Callback<string[]>): Promise<string[]> {
      const migrating = this.#table.migrate(options ?? {}).finally(() => this.#limits.forget()); // wider columns
      return settle(migrating, callback);
    }

    sync(options?: SyncOptions): Promise<ModelStatic<Model>> {
      return this.#resilience.operation('sync', async (signal) => {
        const synced = await this.#table.sync(options, signal);
        this.#limits.forget();
        return synced;
      });
    }

    prune(callback?: Callback<number>): Promise<number> {
      return settle(this.#table.prune(), callback);
    }

    clearExpiredSessions(callback?: Callback<number>): Promise<number> {
      return this.prune(callback);
    }

    startExpiringSessions(): void {
      if (!this.#gate.closed) this.#cleanup.start();
    }

    stopExpiringSessions(): void {
      this.#cleanup.stop();
    }

    close(callback?: Callback): Promise<void> {
      return settle(this.#close(), callback);
    }

    async #close(): Promise<void> {
      if (this.#gate.closed) return;
      this.#gate.close();
      this.#cleanup.stop();
      await this.#cleanup.idle(); // the sweep ends after its current batch
      this.#resilience.stop();
      if (this.#ownsDb) {
        await this.#gate.settled();
        await this.db.close();
      }
    }
  }
  Object.defineProperty(Store, 'name', { value: 'SequelizeStore' });
  return Store;
}
