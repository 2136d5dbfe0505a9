import type { Model, ModelStatic, Sequelize, SyncOptions, WhereOptions } from 'sequelize';
import type { SessionData, Store } from 'express-session';
import type { Callback } from './callback';
import type { ResolvedOptions, SequelizeStoreOptions } from './options';

/** A live session as listed by `all()`: its data plus `id`, the session id. */
export type ListedSession = SessionData & { id: string };

/** Options of `store.migrate()`. */
export interface MigrateOptions {
  /**
   * Revert the last migration applied instead of applying the pending ones. Reverting the first
   * one drops the table and its sessions.
   * @default false
   */
  down?: boolean;
  /**
   * Also install (or, with `down`, consider) the stored procedures of stored-procedure mode.
   * MySQL/MariaDB only.
   * @default the store's `storedProcedures` option
   */
  procedures?: boolean;
  /**
   * The table where the migrations applied are recorded, apart from your app's `SequelizeMeta`.
   * @default 'SequelizeSessionStoreMeta'
   */
  ledgerTable?: string;
}

/** Options of `store.iterate()`. */
export interface IterateOptions {
  /**
   * Sessions read per query; one page is held in memory at a time.
   * @default 1000
   */
  batchSize?: number;
  /**
   * Only the sessions matching these conditions, as `findWhere` takes them (any attribute of the model).
   * @example { userId: 42 }
   */
  where?: WhereOptions;
  /**
   * Between pages, rest as long as the page took, so that a long listing in a live server leaves
   * the database and the event loop to the requests at least half the time; `false` reads flat out
   * (a batch job with nothing else to serve).
   * @default true
   */
  rest?: boolean;
}

/**
 * The store. Every operation takes an optional Node-style callback and also returns a promise;
 * the callback is called exactly once, on a later tick.
 *
 * Events: `'error'` for problems no caller waits for (a failed cleanup sweep, an unreadable row),
 * emitted only when a listener is attached; otherwise they go to the `logger` option.
 * `'disconnect'` when the database has become unreachable and `'connect'` when it is back
 * (express-session listens for both; see the `disableConnectionEvents` option).
 */
export interface SequelizeStore extends Store {
  /** The bound Session model (the built-in one, or yours from `table`). */
  readonly sessionModel: ModelStatic<Model>;
  /** The Sequelize instance the sessions live in. */
  readonly db: Sequelize;
  /**
   * The options the store runs on, every default filled in. As in connect-session-sequelize,
   * `store.options.disableTouch` may be changed at run time and takes effect at the next touch.
   */
  readonly options: ResolvedOptions;
  /** connect-session-sequelize's cleanup timer handle: null once `stopExpiringSessions()` ran. */
  readonly _expirationInterval: NodeJS.Timeout | null;

  /** The live session with this id, or null: an expired session is never returned. */
  get(sid: string, callback?: Callback<SessionData | null>): Promise<SessionData | null>;
  /**
   * Saves a session in one atomic upsert; resolves to the saved row as an instance of the session
   * model, as stored (connect-session-sequelize hands it back too).
   */
  set(sid: string, session: SessionData, callback?: Callback<Model>): Promise<Model>;
  /** Refreshes the expiry of an unchanged session without rewriting its data. */
  touch(sid: string, session: SessionData, callback?: Callback): Promise<void>;
  /** Deletes a session; succeeds when there is none. */
  destroy(sid: string, callback?: Callback): Promise<void>;
  /** Every live session, each with its `id`. */
  all(callback?: Callback<ListedSession[]>): Promise<ListedSession[]>;
  /** How many live sessions there are. */
  length(callback?: Callback<number>): Promise<number>;
  /** Deletes every session in this store's table (and only there). */
  clear(callback?: Callback): Promise<void>;

  /**
   * The live sessions matching `where`, conditions on any attributes of the model (your extra
   * columns included), each with its `id`.
   * @example store.findWhere({ userId: 42 }) // every device where user 42 is logged in
   */
  findWhere(where: WhereOptions, callback?: Callback<ListedSession[]>): Promise<ListedSession[]>;
  /**
   * The live sessions, each with its `id` as `all()` gives them, in sid order, read page by page
   * (keyset-paged: `batchSize` sessions per query, one page in memory at a time). Each page is an
   * operation of its own, with its deadline and retries. An unreadable row is reported and skipped.
   * @example for await (const session of store.iterate({ where: { userId: 42 } })) console.log(session.id)
   */
  iterate(options?: IterateOptions): AsyncIterableIterator<ListedSession>;
  /**
   * Deletes every session matching `where`, live or expired; resolves to how many. An empty
   * condition is refused: `clear()` deletes everything.
   * @example store.destroyWhere({ userId: 42 }) // log user 42 out everywhere
   */
  destroyWhere(where: WhereOptions, callback?: Callback<number>): Promise<number>;
  /**
   * Runs the shipped migrations on the store's table (create it with its index, upgrade a
   * connect-session-sequelize table in place, and with `procedures` install the stored
   * procedures); resolves to the names of the migrations applied (or reverted). Already applied
   * ones are skipped, so running it again does nothing.
   */
  migrate(options?: MigrateOptions, callback?: Callback<string[]>): Promise<string[]>;
  /** Creates the sessions table if it is missing (Sequelize `Model.sync`). */
  sync(options?: SyncOptions): Promise<ModelStatic<Model>>;
  /** Deletes the expired sessions now, in batches of `pruneBatchSize`; resolves to how many were deleted. */
  prune(callback?: Callback<number>): Promise<number>;
  /** connect-session-sequelize's name for `prune`. */
  clearExpiredSessions(callback?: Callback<number>): Promise<number>;
  /** Starts the cleanup timer (the store starts it itself when `checkExpirationInterval` > 0). */
  startExpiringSessions(): void;
  /** Stops the cleanup timer. */
  stopExpiringSessions(): void;
  /**
   * Stops the cleanup timer and closes what the store opened itself (the embedded SQLite
   * database); a `db` you passed in stays open. Later operations fail.
   */
  close(callback?: Callback): Promise<void>;

  /** A problem no caller waits for (a failed cleanup sweep, an unreadable row); without a listener it goes to `logger`. */
  on(event: 'error', listener: (error: Error) => void): this;
  /** `'disconnect'`: the database became unreachable; `'connect'`: it is back. */
  on(event: 'connect' | 'disconnect', listener: () => void): this;
  on(event: string | symbol, listener: (...args: unknown[]) => void): this;
  /** A problem no caller waits for (a failed cleanup sweep, an unreadable row); without a listener it goes to `logger`. */
  once(event: 'error', listener: (error: Error) => void): this;
  /** `'disconnect'`: the database became unreachable; `'connect'`: it is back. */
  once(event: 'connect' | 'disconnect', listener: () => void): this;
  once(event: string | symbol, listener: (...args: unknown[]) => void): this;
}

/** The class returned by the factory. */
export interface SequelizeStoreClass {
  new (options?: SequelizeStoreOptions): SequelizeStore;
  readonly prototype: SequelizeStore;
}

/** express-session's `Store` (or Connect's), which the store extends. */
export type StoreBase = abstract new () => Store;

/**
 * What the declarations of `@fastify/session` say `fastifySession.Store` is: an object with the
 * methods of a store, though the value is its store class. Accepted so that
 * `require('sequelize-session-store')(fastifySession.Store)` compiles; the value must still be a class.
 */
export interface FastifySessionStoreExport {
  get(...args: never[]): unknown;
  set(...args: never[]): unknown;
  destroy(...args: never[]): unknown;
}
