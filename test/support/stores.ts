import session from 'express-session';
import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';
import sequelizeSessionStore = require('../../lib');
import { sidTag } from '../../lib/messages';
import { openDb, uniqueTable, type Backend } from './backends';

export const SequelizeStore = sequelizeSessionStore(session.Store);
export type Store = sequelizeSessionStore.SequelizeStore;
export type StoreOptions = sequelizeSessionStore.SequelizeStoreOptions;

/** A session as express-session would hand it over, expiring `ms` from now. */
export function sessionData(ms = 60_000, extra: Record<string, unknown> = {}): session.SessionData {
  return {
    cookie: { originalMaxAge: ms, expires: new Date(Date.now() + ms), httpOnly: true, path: '/' },
    ...extra,
  };
}

export interface BackendContext {
  readonly db: Sequelize;
  /** A store on a table of its own, created and dropped by the context; no cleanup timer unless asked. */
  store(options?: StoreOptions): Promise<Store>;
  /** Drops a table when the file ends. */
  dropLater(model: ModelStatic<Model>): void;
  /** Drops a table, by name, when the file ends. */
  dropTableLater(table: string): void;
  /** Runs `cleanup` when the file ends, while the database is still open (latest first). */
  atEnd(cleanup: () => Promise<void>): void;
}

/** Opens the backend for one describe block and removes everything its tests made. */
export function useBackend(backend: Backend): BackendContext {
  let db: Sequelize | undefined;
  const stores: Store[] = [];
  const models: ModelStatic<Model>[] = [];
  const tables: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(() => {
    db = openDb(backend);
  });

  afterAll(async () => {
    for (const store of stores) store.stopExpiringSessions();
    for (const cleanup of cleanups.reverse()) await cleanup();
    for (const model of models) await model.drop().catch(() => {});
    for (const table of tables) await db?.getQueryInterface().dropTable(table);
    await db?.close();
  });

  return {
    get db(): Sequelize {
      if (!db) throw new Error('the backend is opened in beforeAll');
      return db;
    },
    async store(options: StoreOptions = {}): Promise<Store> {
      const table = uniqueTable();
      const store = new SequelizeStore({
        db: this.db,
        tableName: table,
        modelKey: table,
        checkExpirationInterval: 0,
        ...options,
      });
      stores.push(store);
      models.push(store.sessionModel);
      await store.sync();
      return store;
    },
    dropLater(model: ModelStatic<Model>): void {
      models.push(model);
    },
    dropTableLater(table: string): void {
      tables.push(table);
    },
    atEnd(cleanup: () => Promise<void>): void {
      cleanups.push(cleanup);
    },
  };
}

/** A fresh table as connect-session-sequelize 8 defines it (sid VARCHAR(36), data TEXT), dropped at the end. */
export async function connectSessionSequelizeTable(ctx: BackendContext): Promise<ModelStatic<Model>> {
  const table = uniqueTable('css');
  const model = ctx.db.define(
    table,
    {
      sid: { type: DataTypes.STRING(36), primaryKey: true },
      expires: DataTypes.DATE,
      data: DataTypes.TEXT,
    },
    { tableName: table },
  );
  await model.sync();
  ctx.dropLater(model);
  return model;
}

/** Options that put another store on the same table as `store`. */
export function sameTable(store: Store): { tableName: string; modelKey: string } {
  return { tableName: store.sessionModel.getTableName() as string, modelKey: store.sessionModel.name };
}

/** How the store's messages name a session (a short hash, never the id). */
export const tagOf = sidTag;

/** Collects what a store reports through its 'error' event. */
export function errorsOf(store: Store): Error[] {
  const errors: Error[] = [];
  store.on('error', (error: Error) => errors.push(error));
  return errors;
}

/** The raw rows of a store's table, by sid. */
export async function rowsOf(store: Store): Promise<Record<string, Record<string, unknown>>> {
  const rows = (await store.sessionModel.findAll({ raw: true })) as unknown as Record<string, unknown>[];
  return Object.fromEntries(rows.map((row) => [String(row.sid), row]));
}

/** The rows of live sessions (not tombstones: a destroyed session keeps its row with data NULL), by sid. */
export async function liveRowsOf(store: Store): Promise<Record<string, Record<string, unknown>>> {
  const rows = await rowsOf(store);
  return Object.fromEntries(Object.entries(rows).filter(([, row]) => row.data !== null));
}

declare module 'express-session' {
  // The tests store arbitrary fields in sessions.
  interface SessionData {
    [key: string]: unknown;
  }
}
