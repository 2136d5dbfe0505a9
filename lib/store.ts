import type { Model, ModelStatic, Sequelize, SyncOptions, WhereOptions } from 'sequelize';
import type { SessionData } from 'express-session';
import { sessionAccess } from './access';
import { settle, type Callback } from './callback';
import { CleanupTimer } from './cleanup/cleanup-timer';
import type { Runner } from './driver/runner';
import { PREFIX, reportError } from './messages';
import { explainMissingTable } from './missing-table';
import { bindSessionModel } from './model-binding';
import { OperationTracer } from './observability/tracing';
import { modelPathFor, type ModelPath } from './model-path';
import { OperationGate, openEmbeddedDatabase } from './operation-gate';
import type { ResolvedOptions, SequelizeStoreOptions } from './options';
import { resolveOptions } from './options/resolve';
import { SavedRows } from './saves';
import { weakSecretWarning } from './options/security';
import { Resilience } from './resilience/resilience';
import { checkWrittenSize, createCodec, type SessionCodec } from './session/codec';
import { tombstoneExpiry, TouchThrottle } from './session/expiry';
import { ExpiryClock } from './session/expiry-clock';
import { checkSession, rowFields } from './session/row-fields';
import { SessionIds } from './session/session-ids';
import { checkDataFits, ColumnLimitsProbe } from './sql/column-limits';
import { dateParameter, type DateParameter } from './sql/dates';
import { isMySqlFamily } from './sql/dialect';
import type { HotStatements } from './sql/hot-statements';
import { tableNameOf } from './sql/session-table';
import { touchArgs } from './sql/touch-args';
import { sessionWriter, type SessionWriter } from './group-commit/session-writer';
import { TableOperations } from './table-operations';
import type {
  IterateOptions,
  ListedSession,
  MigrateOptions,
  SequelizeStore,
  SequelizeStoreClass,
  StoreBase,
} from './types';

/** Builds the store class on top of the given express-session (or Connect) `Store`. */
export function createStoreClass(Base: StoreBase): SequelizeStoreClass {
  class Store extends Base implements SequelizeStore {
    readonly sessionModel: ModelStatic<Model>;
    readonly db: Sequelize;
    /** The options the store runs on, resolved; `disableTouch` may be changed here at run time. */
    readonly options: ResolvedOptions;
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
    readonly #expiries = new ExpiryClock();
    readonly #limits: ColumnLimitsProbe;
    readonly #table: TableOperations;
    readonly #cleanup: CleanupTimer;
    readonly #tracer: OperationTracer;
    readonly #saved: SavedRows;
    /** Writes touches and saves, by group commit with `groupCommit`. */
    readonly #writer: SessionWriter;
    /** The model API, for a model with Sequelize behaviour or without a unique sid; `full`: for every operation. */
    readonly #modelPath: ModelPath | undefined;
    readonly #fullModelPath: ModelPath | undefined;

    constructor(options?: SequelizeStoreOptions) {
      super();
      const resolved = (this.options = resolveOptions(options));
      const { table } = resolved;
      this.#ownsDb = !resolved.db && typeof table !== 'function';
      this.db =
        resolved.db ?? (typeof table === 'function' ? table.sequelize! : openEmbeddedDatabase(resolved.sqlitePath));
      const model = (this.sessionModel = bindSessionModel(this.db, resolved));
      this.#date = dateParameter(model);
      this.#modelPath = modelPathFor(model, resolved);
      this.#fullModelPath = this.#modelPath?.full ? this.#modelPath : undefined;
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
      const { groupCommit, storedProcedures } = resolved;
      const writer = { ...access, db: this.db, model, runner: this.#runner, date: this.#date };
      this.#writer = sessionWriter({ ...writer, groupCommit, storedProcedures, tombstones: access.tombstones });
      this.#ids = new SessionIds(resolved.sidSecret, isMySqlFamily(this.db.getDialect()));
      this.#codec = createCodec(resolved);
      const weak = weakSecretWarning(resolved.secret);
      if (weak && resolved.logger) resolved.logger.warn(weak);
      this.#throttle = new TouchThrottle(resolved.touchAfter * 1000);
      this.#limits = new ColumnLimitsProbe(model);
      this.#saved = new SavedRows(model, access, this.#runner, this.#resilience, this.#date, this.#writer);
      const embedded = this.#ownsDb ? { db: this.db, file: resolved.sqlitePath } : undefined;
      this.#gate = new OperationGate(model, embedded, resolved.createTable);
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

    /** connect-session-sequelize's name for the cleanup timer: its handle, or null when none is armed. */
    get _expirationInterval(): NodeJS.Timeout | null {
      return this.#cleanup.handle;
    }

    /** Reports an error no caller is waiting for, without ever throwing it into the void. */
    #report(error: unknown): void {
      reportError(this, this.options.logger, error);
    }

    /** Runs one public operation within its deadline and hands the outcome to the callback, if any. */
    #operation<T>(name: string, callback: Callback<T> | undefined, work: (signal?: AbortSignal) => Promise<T>) {
      return this.#sessionOperation(name, undefined, callback, work);
    }

    /** The same for an operation on one session: a trace, when anyone listens, shows its row key. */
    #sessionOperation<T>(
      name: string,
      sid: string | undefined,
      callback: Callback<T> | undefined,
      work: (signal?: AbortSignal) => Promise<T>,
    ): Promise<T> {
      const run = (): Promise<T> => this.#resilience.operation(name, work);
      if (!this.#tracer.active) return settle(run(), callback);
      const key = sid === undefined ? undefined : (): string | undefined => this.#ids.keyOrNone(sid);
      return settle(this.#tracer.trace(name, run, key), callback);
    }

    get(sid: string, callback?: Callback<SessionData | null>): Promise<SessionData | null> {
      return this.#sessionOperation('get', sid, callback, async (signal) => {
        const key = this.#ids.key(sid);
        const waiting = this.#gate.usable();
        if (waiting) await waiting; // the hot path skips an await when nothing is pending
        const throttled = this.#throttle.enabled;
        const statement = throttled ? this.#statements.getWithExpiry : this.#statements.get;
        const path = this.#fullModelPath;
        const row = path
          ? await this.#resilience.call(() => path.get(key, new Date()), signal)
          : await this.#runner.first(statement, { key, now: this.#date(new Date()) }, signal);
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

    set(sid: string, session: SessionData, callback?: Callback<Model>): Promise<Model> {
      return this.#sessionOperation('set', sid, callback, async (signal) => {
        const key = this.#ids.key(sid);
        checkSession(key, session);
        const encoded = this.#codec.encode(key, session);
        const data = typeof encoded === 'string' ? encoded : await encoded;
        const expires = this.#expiries.expiryOf(key, session, this.options.expiration, this.options.ttl);
        const fields = rowFields({ data, expires }, session, this.options.extendDefaultFields);
        if (fields.data !== data) checkWrittenSize(key, fields.data, this.options.maxSize);
        const waiting = this.#gate.usable();
        if (waiting) await waiting;
        const limits = await this.#limits.get();
        this.#ids.checkStorable(key, limits.sidChars);
        checkDataFits(key, fields.data, limits);
        this.#throttle.forget(key);
        const path = this.#modelPath;
        if (path) return this.#resilience.call(() => path.save(key, fields), signal);
        return this.#saved.save(key, fields, signal, session);
      });
    }

    override touch(sid: string, session: SessionData, callback?: Callback): Promise<void> {
      return this.#sessionOperation('touch', sid, callback, async (signal) => {
        const key = this.#ids.key(sid);
        checkSession(key, session);
        if (this.options.disableTouch) return;
        const expiresAt = this.#expiries.expiryOf(key, session, this.options.expiration, this.options.ttl);
        if (this.#throttle.enabled && this.#throttle.canSkip(key, expiresAt)) return;
        const waiting = this.#gate.usable();
        if (waiting) await waiting;
        const path = this.#fullModelPath;
        if (path) return this.#resilience.call(() => path.touch(key, expiresAt, new Date()), signal);
        const args = touchArgs(key, expiresAt, this.#date);
        // The one-second rule is for what a browser keeps: a session without a cookie (a direct
        // call, as in connect-session-sequelize's suite) has its expiry written whatever it moves.
        if (session.cookie) await this.#writer.touch(args, signal);
        else await this.#runner.run(this.#statements.touchAlways, args, signal);
      });
    }

    destroy(sid: string, callback?: Callback): Promise<void> {
      return this.#sessionOperation('destroy', sid, callback, async (signal) => {
        const key = this.#ids.key(sid);
        this.#throttle.forget(key);
        const waiting = this.#gate.usable();
        if (waiting) await waiting;
        const path = this.#fullModelPath;
        if (path) return this.#resilience.call(() => path.destroy(key), signal);
        // No row has a key no save can write; and its tombstone would not fit, or would share a row.
        if (!this.#ids.storable(key, (await this.#limits.get()).sidChars)) return;
        const now = new Date();
        const stamp = this.#date(now);
        const expires = this.#date(tombstoneExpiry(now, this.options.expiration, this.options.ttl));
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
      const syncing = this.#resilience.operation('sync', (signal) => this.#table.sync(options, signal));
      return syncing.finally(() => this.#limits.forget()); // the table may be there, or wider, now
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
