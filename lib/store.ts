import { Sequelize, type Model, type ModelStatic, type SyncOptions, type WhereOptions } from 'sequelize';
import type { SessionData } from 'express-session';
import { settle, type Callback } from './callback';
import { createCodec } from './session/codec';
import { dateParameter } from './sql/dates';
import { TouchThrottle } from './session/expiry';
import { resolveOptions, type ResolvedOptions, type SequelizeStoreOptions } from './resolve-options';
import { Pruner } from './cleanup/cleanup-timer';
import { Sweeper } from './cleanup/sweeper';
import { Resilience } from './resilience/resilience';
import { SessionIds } from './session/session-ids';
import { bindSessionModel } from './model-binding';
import type { ListedSession, MigrateOptions, SequelizeStore, SequelizeStoreClass, StoreBase } from './types';
import { sessionAccess } from './access';
import { OperationGate } from './operation-gate';
import { SessionRows } from './session-rows';
import { PREFIX } from './messages';

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
    readonly #rows: SessionRows;
    readonly #pruner: Pruner;

    constructor(options?: SequelizeStoreOptions) {
      super();
      const resolved = resolveOptions(options);
      this.#options = resolved;
      const table = resolved.table;
      this.#ownsDb = !resolved.db && typeof table !== 'function';
      this.db =
        resolved.db ?? (typeof table === 'function' ? table.sequelize! : openEmbeddedDatabase(resolved.sqlitePath));
      this.sessionModel = bindSessionModel(this.db, resolved);
      const date = dateParameter(this.sessionModel);
      const access = sessionAccess(this.sessionModel, resolved.storedProcedures, date);
      const resilience = new Resilience(this.db, resolved, (event) => this.emit(event));
      this.#resilience = resilience;
      const runner = resilience.runner(access.runner);
      const throttle = new TouchThrottle(resolved.touchAfter * 1000);
      const codec = createCodec(resolved);
      const ids = new SessionIds(resolved.sidSecret, this.db.getDialect());
      this.#gate = new OperationGate(this.sessionModel, this.#ownsDb ? this.db : undefined, resolved.createTable);
      const sweeper = new Sweeper(this.sessionModel, {
        batch: resolved.pruneBatchSize,
        // Each batch is an operation of its own, with its deadline and retries: a long sweep is fine.
        run: (statement, params) => resilience.operation('prune', (signal) => runner.run(statement, params, signal)),
        call: access.prune,
      });
      this.#rows = new SessionRows({
        model: this.sessionModel,
        db: this.db,
        options: resolved,
        access,
        runner,
        resilience,
        date,
        codec,
        ids,
        throttle,
        gate: this.#gate,
        sweeper,
        report: (error) => this.#report(error),
      });
      this.#pruner = new Pruner(
        (signal) => this.#rows.prune(signal),
        resolved.checkExpirationInterval,
        (error) => this.#report(error),
        resolved.onCleanupError,
      );
      this.#pruner.start();
    }

    /** Reports an error no caller is waiting for, without ever throwing it into the void. */
    #report(error: unknown): void {
      const err = error instanceof Error ? error : new Error(String(error));
      if (this.listenerCount('error') > 0) this.emit('error', err);
      else if (this.#options.logger)
        this.#options.logger.warn(err.message.startsWith(PREFIX) ? err.message : `${PREFIX} ${err.message}`);
    }

    get(sid: string, callback?: Callback<SessionData | null>): Promise<SessionData | null> {
      return settle(
        this.#resilience.operation('get', (signal) => this.#rows.get(sid, signal)),
        callback,
      );
    }

    set(sid: string, session: SessionData, callback?: Callback): Promise<void> {
      return settle(
        this.#resilience.operation('set', (signal) => this.#rows.set(sid, session, signal)),
        callback,
      );
    }

    override touch(sid: string, session: SessionData, callback?: Callback): Promise<void> {
      return settle(
        this.#resilience.operation('touch', (signal) => this.#rows.touch(sid, session, signal)),
        callback,
      );
    }

    destroy(sid: string, callback?: Callback): Promise<void> {
      return settle(
        this.#resilience.operation('destroy', (signal) => this.#rows.destroy(sid, signal)),
        callback,
      );
    }

    override all(callback?: Callback<ListedSession[]>): Promise<ListedSession[]> {
      return settle(
        this.#resilience.operation('all', (signal) => this.#rows.all(signal)),
        callback,
      );
    }

    override length(callback?: Callback<number>): Promise<number> {
      return settle(
        this.#resilience.operation('length', (signal) => this.#rows.length(signal)),
        callback,
      );
    }

    override clear(callback?: Callback): Promise<void> {
      return settle(
        this.#resilience.operation('clear', (signal) => this.#rows.clear(signal)),
        callback,
      );
    }

    findWhere(where: WhereOptions, callback?: Callback<ListedSession[]>): Promise<ListedSession[]> {
      return settle(
        this.#resilience.operation('findWhere', (signal) => this.#rows.findWhere(where, signal)),
        callback,
      );
    }

    destroyWhere(where: WhereOptions, callback?: Callback<number>): Promise<number> {
      return settle(
        this.#resilience.operation('destroyWhere', (signal) => this.#rows.destroyWhere(where, signal)),
        callback,
      );
    }

    migrate(options?: MigrateOptions, callback?: Callback<string[]>): Promise<string[]> {
      return settle(this.#rows.migrate(options ?? {}), callback);
    }

    sync(options?: SyncOptions): Promise<ModelStatic<Model>> {
      return this.#resilience.operation('sync', (signal) => this.#rows.sync(options, signal));
    }

    prune(callback?: Callback<number>): Promise<number> {
      return settle(this.#rows.prune(), callback);
    }

    clearExpiredSessions(callback?: Callback<number>): Promise<number> {
      return this.prune(callback);
    }

    startExpiringSessions(): void {
      if (!this.#gate.closed) this.#pruner.start();
    }

    stopExpiringSessions(): void {
      this.#pruner.stop();
    }

    close(callback?: Callback): Promise<void> {
      return settle(this.#close(), callback);
    }

    async #close(): Promise<void> {
      if (this.#gate.closed) return;
      this.#gate.close();
      this.#pruner.stop();
      await this.#pruner.idle(); // the sweep ends after its current batch
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
