import { Sequelize, type Model, type ModelStatic, type SyncOptions, type WhereOptions } from 'sequelize';
import type { SessionData } from 'express-session';
import { settle, type Callback } from './callback';
import { createCodec, type SessionCodec } from './codec';
import { dateParameter, type DateParameter } from './dates';
import { expiryOf, TouchThrottle } from './expiry';
import { declaredLimits, probeLimits, type ColumnLimits } from './limits';
import { resolveOptions, type ResolvedOptions, type SequelizeStoreOptions } from './options';
import { Pruner } from './pruner';
import { Sweeper } from './sweeper';
import { Resilience } from './resilience';
import { SessionIds } from './session-ids';
import { bindSessionModel } from './model-binding';
import type { Runner } from './runner';
import type { HotStatements, SessionTable } from './sql';
import type { ListedSession, MigrateOptions, SequelizeStore, SequelizeStoreClass, StoreBase } from './types';
import { sessionAccess } from './access';
import { runMigrations, sessionMigrations } from './migrations';
import { checkWhere, findLive, type SessionQueries, type StoredSession } from './queries';
import { createTableOnce } from './table-creation';

const PREFIX = 'sequelize-session-store:';
/** A touch that moves the stored expiry by less than this writes nothing (see the touch statement). */
const TOUCH_RESOLUTION_MS = 1000;

function checkSession(sid: string, session: unknown): asserts session is SessionData {
  if (typeof session !== 'object' || session === null || Array.isArray(session)) {
    throw new TypeError(`${PREFIX} session ${JSON.stringify(sid)} must be an object`);
  }
}

/** A value for a replacement: plain objects and arrays go to JSON columns as JSON text. */
function columnValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'object' && value !== null && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    return JSON.stringify(value);
  }
  return value;
}

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
    readonly #table: SessionTable;
    readonly #sql: HotStatements;
    readonly #runner: Runner;
    readonly #resilience: Resilience;
    readonly #queries: SessionQueries;
    readonly #date: (value: Date) => DateParameter;
    readonly #throttle: TouchThrottle;
    readonly #pruner: Pruner;
    readonly #sweeper: Sweeper;
    readonly #codec: SessionCodec;
    readonly #ids: SessionIds;
    #ready: Promise<void> | undefined;
    #limits: Promise<ColumnLimits> | undefined;
    #closed = false;
    #createAgain = false;

    constructor(options?: SequelizeStoreOptions) {
      super();
      const resolved = resolveOptions(options);
      this.#options = resolved;
      const table = resolved.table;
      this.#ownsDb = !resolved.db && typeof table !== 'function';
      this.db =
        resolved.db ?? (typeof table === 'function' ? table.sequelize! : openEmbeddedDatabase(resolved.sqlitePath));
      this.sessionModel = bindSessionModel(this.db, resolved);
      this.#date = dateParameter(this.sessionModel);
      const access = sessionAccess(this.sessionModel, resolved.storedProcedures, this.#date);
      this.#table = access.table;
      this.#sql = access.statements;
      this.#resilience = new Resilience(this.db, resolved, (event) => this.emit(event));
      this.#runner = this.#resilience.runner(access.runner);
      this.#queries = access.queries;
      this.#throttle = new TouchThrottle(resolved.touchAfter * 1000);
      this.#codec = createCodec(resolved);
      this.#ids = new SessionIds(resolved.sidSecret, this.db.getDialect());
      if (this.#ownsDb) {
        const ready = this.#prepareEmbeddedDatabase();
        ready.catch(() => {}); // every operation awaits it and reports its error
        this.#ready = ready;
      }
      if (resolved.createTable && !this.#ownsDb) this.#ready = this.#createTable();
      this.#sweeper = new Sweeper(this.sessionModel, {
        batch: resolved.pruneBatchSize,
        // Each batch is an operation of its own, with its deadline and retries: a long sweep is fine.
        run: (statement, params) =>
          this.#resilience.operation('prune', (signal) => this.#runner.run(statement, params, signal)),
        call: access.prune,
      });
      this.#pruner = new Pruner(
        (signal) => this.#prune(signal),
        resolved.checkExpirationInterval,
        (error) => this.#report(error),
        resolved.onCleanupError,
      );
      this.#pruner.start();
    }

    async #prepareEmbeddedDatabase(): Promise<void> {
      // WAL lets readers and the writer work at once; the busy timeout waits out a writer
      // in another process instead of failing at once with SQLITE_BUSY.
      await this.db.query('PRAGMA busy_timeout = 5000');
      await this.db.query('PRAGMA journal_mode = WAL');
      await this.sessionModel.sync();
      this.#ready = undefined;
    }

    /** `createTable`: one creation, which every operation waits for (and other stores on the model share). */
    #createTable(): Promise<void> {
      const creating: Promise<void> = createTableOnce(this.sessionModel).then(
        () => {
          if (this.#ready === creating) this.#ready = undefined;
        },
        (error: unknown) => {
          // The operations waiting now fail with the error; the next one tries again.
          if (this.#ready === creating) this.#ready = undefined;
          this.#createAgain = true;
          throw error;
        },
      );
      creating.catch(() => {}); // every operation awaits it and reports its error
      return creating;
    }

    /** Reports an error no caller is waiting for, without ever throwing it into the void. */
    #report(error: unknown): void {
      const err = error instanceof Error ? error : new Error(String(error));
      if (this.listenerCount('error') > 0) this.emit('error', err);
      else if (this.#options.logger)
        this.#options.logger.warn(err.message.startsWith(PREFIX) ? err.message : `${PREFIX} ${err.message}`);
    }

    /**
     * Throws once the store is closed; else what an operation must wait for first (the embedded
     * database or createTable), or undefined: the hot path then awaits nothing.
     */
    #usable(): Promise<void> | undefined {
      if (this.#closed) throw new Error(`${PREFIX} the store is closed`);
      if (this.#createAgain && !this.#ready) {
        this.#createAgain = false;
        this.#ready = this.#createTable();
      }
      return this.#ready;
    }

    #limitsFor(): Promise<ColumnLimits> {
      if (!this.#limits) {
        const probing = probeLimits(this.sessionModel).catch(() => {
          // The table may not exist yet; trust the model this time and look again next time.
          this.#limits = undefined;
          return declaredLimits(this.sessionModel);
        });
        this.#limits = probing;
      }
      return this.#limits;
    }

    get(sid: string, callback?: Callback<SessionData | null>): Promise<SessionData | null> {
      return settle(
        this.#resilience.operation('get', (signal) => this.#get(sid, signal)),
        callback,
      );
    }

    async #get(sid: string, signal?: AbortSignal): Promise<SessionData | null> {
      const key = this.#ids.key(sid);
      const waiting = this.#usable();
      if (waiting) await waiting; // the hot path skips an await when nothing is pending
      const throttled = this.#throttle.enabled;
      const row = await this.#runner.first(
        throttled ? this.#sql.getWithExpiry : this.#sql.get,
        [key, this.#date(new Date())],
        signal,
      );
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
    }

    set(sid: string, session: SessionData, callback?: Callback): Promise<void> {
      return settle(
        this.#resilience.operation('set', (signal) => this.#set(sid, session, signal)),
        callback,
      );
    }

    async #set(sid: string, session: SessionData, signal?: AbortSignal): Promise<void> {
      const key = this.#ids.key(sid);
      checkSession(key, session);
      const encoded = this.#codec.encode(key, session);
      const data = typeof encoded === 'string' ? encoded : await encoded;
      const expires = expiryOf(session, this.#options.expiration);
      let fields: Record<string, unknown> = { data, expires };
      const extend = this.#options.extendDefaultFields;
      if (extend) {
        const extended: unknown = extend({ data, expires }, session);
        if (typeof extended !== 'object' || extended === null || Array.isArray(extended)) {
          throw new TypeError(`${PREFIX} extendDefaultFields must return an object of attribute values`);
        }
        // data and expires are always written, even when the function leaves them out.
        fields = { ...fields, ...extended };
        if (Object.hasOwn(fields, 'sid')) delete fields.sid;
      }
      const waiting = this.#usable();
      if (waiting) await waiting;
      const limits = await this.#limitsFor();
      this.#checkFits(key, fields.data, limits);

      const attributes = Object.keys(fields);
      const statement = this.#sql.upsert(attributes);
      this.#throttle.forget(key);
      if (!statement) {
        await this.#resilience.call(() => this.sessionModel.upsert({ sid: key, ...fields }), signal);
        return;
      }
      const now = this.#date(new Date());
      const params: unknown[] = [key];
      for (const attribute of attributes) {
        const value = fields[attribute];
        params.push(attribute === 'expires' && value instanceof Date ? this.#date(value) : columnValue(value));
      }
      if (this.#table.createdAt) params.push(now);
      if (this.#table.updatedAt) params.push(now);
      await this.#runner.run(statement, params, signal);
    }

    #checkFits(sid: string, data: unknown, limits: ColumnLimits): void {
      this.#ids.checkStorable(sid, limits.sidChars);
      if (typeof data !== 'string') return;
      if (data.length > limits.dataChars) {
        throw new RangeError(
          `${PREFIX} session ${JSON.stringify(sid)} is ${data.length} characters; its data column holds ${limits.dataChars}`,
        );
      }
      // A UTF-8 character takes at most 4 bytes: only a long text needs counting.
      if (data.length * 4 > limits.dataBytes) {
        const bytes = Buffer.byteLength(data);
        if (bytes > limits.dataBytes) {
          throw new RangeError(
            `${PREFIX} session ${JSON.stringify(sid)} is ${bytes} bytes; its data column holds ${limits.dataBytes}`,
          );
        }
      }
    }

    override touch(sid: string, session: SessionData, callback?: Callback): Promise<void> {
      return settle(
        this.#resilience.operation('touch', (signal) => this.#touch(sid, session, signal)),
        callback,
      );
    }

    async #touch(sid: string, session: SessionData, signal?: AbortSignal): Promise<void> {
      const key = this.#ids.key(sid);
      checkSession(key, session);
      if (this.#options.disableTouch) return;
      const expiresAt = expiryOf(session, this.#options.expiration);
      if (this.#throttle.enabled && this.#throttle.canSkip(key, expiresAt)) return;
      const waiting = this.#usable();
      if (waiting) await waiting;
      const expires = this.#date(expiresAt);
      const now = this.#date(new Date());
      const at = expiresAt.getTime();
      const near = [this.#date(new Date(at - TOUCH_RESOLUTION_MS)), this.#date(new Date(at + TOUCH_RESOLUTION_MS))];
      const params = this.#table.updatedAt ? [expires, now, key, now, ...near] : [expires, key, now, ...near];
      await this.#runner.run(this.#sql.touch, params, signal);
    }

    destroy(sid: string, callback?: Callback): Promise<void> {
      return settle(
        this.#resilience.operation('destroy', (signal) => this.#destroy(sid, signal)),
        callback,
      );
    }

    async #destroy(sid: string, signal?: AbortSignal): Promise<void> {
      const key = this.#ids.key(sid);
      this.#throttle.forget(key);
      const waiting = this.#usable();
      if (waiting) await waiting;
      await this.#runner.run(this.#sql.destroy, [key], signal);
    }

    override all(callback?: Callback<ListedSession[]>): Promise<ListedSession[]> {
      return settle(
        this.#resilience.operation('all', (signal) => this.#all(signal)),
        callback,
      );
    }

    async #all(signal?: AbortSignal): Promise<ListedSession[]> {
      await this.#usable();
      return this.#listed(await this.#resilience.call(() => this.#queries.live(new Date()), signal));
    }

    /** Decodes listed rows; an unreadable one is reported and left out. */
    async #listed(rows: StoredSession[]): Promise<ListedSession[]> {
      const sessions: ListedSession[] = [];
      for (const row of rows) {
        try {
          sessions.push({ ...(await this.#codec.decode(row.sid, row.data)), id: row.sid });
        } catch (error) {
          this.#report(error);
        }
      }
      return sessions;
    }

    override length(callback?: Callback<number>): Promise<number> {
      return settle(
        this.#resilience.operation('length', (signal) => this.#length(signal)),
        callback,
      );
    }

    async #length(signal?: AbortSignal): Promise<number> {
      await this.#usable();
      return this.#resilience.call(() => this.#queries.count(new Date()), signal);
    }

    override clear(callback?: Callback): Promise<void> {
      return settle(
        this.#resilience.operation('clear', (signal) => this.#clear(signal)),
        callback,
      );
    }

    async #clear(signal?: AbortSignal): Promise<void> {
      await this.#usable();
      await this.#resilience.call(() => this.#queries.clear(), signal);
    }

    findWhere(where: WhereOptions, callback?: Callback<ListedSession[]>): Promise<ListedSession[]> {
      return settle(
        this.#resilience.operation('findWhere', (signal) => this.#findWhere(where, signal)),
        callback,
      );
    }

    async #findWhere(where: WhereOptions, signal?: AbortSignal): Promise<ListedSession[]> {
      checkWhere('findWhere', where);
      await this.#usable();
      return this.#listed(await this.#resilience.call(() => findLive(this.sessionModel, new Date(), where), signal));
    }

    destroyWhere(where: WhereOptions, callback?: Callback<number>): Promise<number> {
      return settle(
        this.#resilience.operation('destroyWhere', (signal) => this.#destroyWhere(where, signal)),
        callback,
      );
    }

    async #destroyWhere(where: WhereOptions, signal?: AbortSignal): Promise<number> {
      checkWhere('destroyWhere', where);
      await this.#usable();
      return this.#resilience.call(() => this.sessionModel.destroy({ where }), signal);
    }

    migrate(options?: MigrateOptions, callback?: Callback<string[]>): Promise<string[]> {
      return settle(this.#migrate(options ?? {}), callback);
    }

    async #migrate(options: MigrateOptions): Promise<string[]> {
      await this.#usable();
      const procedures = options.procedures ?? this.#options.storedProcedures;
      const done = await runMigrations(this.db, sessionMigrations({ model: this.sessionModel, procedures }), options);
      this.#limits = undefined; // the columns may be wider now
      return done;
    }

    sync(options?: SyncOptions): Promise<ModelStatic<Model>> {
      return this.#resilience.operation('sync', (signal) => this.#sync(options, signal));
    }

    async #sync(options: SyncOptions | undefined, signal?: AbortSignal): Promise<ModelStatic<Model>> {
      await this.#usable();
      const synced = await this.#resilience.call(() => this.sessionModel.sync(options), signal);
      this.#limits = undefined;
      return synced as unknown as ModelStatic<Model>;
    }

    prune(callback?: Callback<number>): Promise<number> {
      return settle(this.#prune(), callback);
    }

    clearExpiredSessions(callback?: Callback<number>): Promise<number> {
      return this.prune(callback);
    }

    /** One sweep; `stop` (the timer's) ends it after the batch under way, as closing the store does. */
    async #prune(stop?: AbortSignal): Promise<number> {
      await this.#usable();
      return this.#sweeper.sweep(() => !this.#closed && !stop?.aborted);
    }

    startExpiringSessions(): void {
      if (!this.#closed) this.#pruner.start();
    }

    stopExpiringSessions(): void {
      this.#pruner.stop();
    }

    close(callback?: Callback): Promise<void> {
      return settle(this.#close(), callback);
    }

    async #close(): Promise<void> {
      if (this.#closed) return;
      this.#closed = true;
      this.#pruner.stop();
      await this.#pruner.idle(); // the sweep ends after its current batch
      this.#resilience.stop();
      if (this.#ownsDb) {
        await this.#ready?.catch(() => {});
        await this.db.close();
      }
    }
  }
  Object.defineProperty(Store, 'name', { value: 'SequelizeStore' });
  return Store;
}
