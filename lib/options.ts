import type { Model, ModelStatic, Sequelize } from 'sequelize';
import type { SessionData } from 'express-session';

/** The columns every session row has, as handed to `extendDefaultFields`. */
export interface DefaultFields {
  /** The serialized session, exactly as it will be stored. */
  data: string;
  /** When the session expires. */
  expires: Date;
}

/** Reports problems that no caller is waiting for (a failed sweep, a corrupt row). */
export interface Logger {
  warn(message: string): void;
}

export interface SequelizeStoreOptions {
  /**
   * The Sequelize instance that holds the sessions table.
   * When omitted, the store opens its own embedded SQLite file (see `sqlitePath`), creates the
   * table itself and closes the file on `close()`. Requires the `sqlite3` package.
   * @default an embedded SQLite database
   */
  db?: Sequelize;
  /**
   * File of the embedded SQLite database, used only when `db` is omitted.
   * @default './sessions.sqlite'
   */
  sqlitePath?: string;
  /**
   * Your own session model (or the name under which it is defined on `db`), for extra columns.
   * It must have the attributes `sid`, `data` and `expires`; their `field` may name any column.
   * @default the built-in model, defined as `modelKey` on `tableName`
   */
  table?: string | ModelStatic<Model>;
  /**
   * Name of the built-in model on `db` (`db.models[modelKey]`).
   * @default 'Session'
   */
  modelKey?: string;
  /**
   * Table of the built-in model.
   * @default 'Sessions'
   */
  tableName?: string;
  /**
   * Fills extra columns of your own model. Called on every `set` with the default fields and the
   * session; returns the attribute values to write (it may also override `data` or `expires`).
   * @example (defaults, session) => ({ ...defaults, userId: session.userId ?? null })
   */
  extendDefaultFields?: (defaults: DefaultFields, session: SessionData) => Record<string, unknown>;
  /**
   * Never refresh the expiry of an unchanged session (`touch` becomes a no-op).
   * @default false
   */
  disableTouch?: boolean;
  /**
   * Seconds during which an unchanged session is not touched again: `touch` skips the write when
   * the stored expiry was refreshed less than `touchAfter` seconds ago, so the stored expiry lags
   * the cookie's by at most that much. `0` writes every touch, as connect-session-sequelize does.
   * @default 0
   * @example 300 // at most one expiry write per session every 5 minutes
   */
  touchAfter?: number;
  /**
   * Milliseconds between two sweeps that delete expired sessions. `0`, a negative number or
   * `false` turns the timer off (clean up yourself with `prune()`). The timer never keeps the
   * process alive.
   * @default 900000 (15 minutes)
   */
  checkExpirationInterval?: number | false;
  /**
   * Lifetime in milliseconds of a session whose cookie has no expiry (a browser-session cookie).
   * @default 86400000 (24 hours)
   */
  expiration?: number;
  /**
   * Where errors that no caller waits for go when the store has no `'error'` listener.
   * `false` silences them.
   * @default console
   */
  logger?: Logger | false;
  /**
   * Create the table at start-up if it is missing (`CREATE TABLE IF NOT EXISTS` and its index,
   * through the model). Every operation waits for that one creation; stores sharing a model share
   * it; a creation that fails is tried again by the next operation. Leave it off when the
   * application's database user may not create tables: run `migrate` instead.
   * @default false
   */
  createTable?: boolean;
  /**
   * Run every operation (get, set, touch, destroy, length, all, clear, prune) as a CALL of the
   * shipped stored procedures, so the database user needs only EXECUTE on them. MySQL or MariaDB
   * through mysql2 (Sequelize's `mysql` dialect); install the procedures with
   * `migrate({ procedures: true })` or the `sql/*-procedures.sql` files.
   * @default false
   */
  storedProcedures?: boolean;
  /**
   * Type of the built-in model's data column: `'text'` (LONGTEXT on MySQL/MariaDB, TEXT elsewhere)
   * or `'json'` (JSON on MySQL/MariaDB and SQLite, JSONB on PostgreSQL). Sessions read back the same
   * either way. With your own model (`table`), its data attribute decides.
   * @default 'text'
   */
  dataType?: 'text' | 'json';
}

/** The options after defaults and validation: what the store runs on. */
export interface ResolvedOptions {
  db: Sequelize | undefined;
  sqlitePath: string;
  table: string | ModelStatic<Model> | undefined;
  modelKey: string;
  tableName: string;
  extendDefaultFields: SequelizeStoreOptions['extendDefaultFields'];
  disableTouch: boolean;
  touchAfter: number;
  checkExpirationInterval: number;
  expiration: number;
  logger: Logger | false;
  createTable: boolean;
  storedProcedures: boolean;
  dataType: 'text' | 'json';
}

const KNOWN_OPTIONS = new Set<string>([
  'db',
  'sqlitePath',
  'table',
  'modelKey',
  'tableName',
  'extendDefaultFields',
  'disableTouch',
  'touchAfter',
  'checkExpirationInterval',
  'expiration',
  'logger',
  'createTable',
  'storedProcedures',
  'dataType',
]);

/** Largest delay a Node timer accepts; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return 'an array';
  return `an object (${value.constructor?.name ?? 'no prototype'})`;
}

function fail(name: string, expected: string, value: unknown): never {
  throw new TypeError(
    `sequelize-session-store: option \`${name}\` must be ${expected}, received ${show(value)}`,
  );
}

function isSequelize(value: unknown): value is Sequelize {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Sequelize).define === 'function' &&
    typeof (value as Sequelize).query === 'function' &&
    typeof (value as Sequelize).getDialect === 'function'
  );
}

function isModel(value: unknown): value is ModelStatic<Model> {
  return typeof value === 'function' && typeof (value as ModelStatic<Model>).getTableName === 'function';
}

function nonEmptyString(name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '') fail(name, 'a non-empty string', value);
  return value;
}

function positiveDuration(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS * 1000) {
    fail(name, 'a positive number of milliseconds', value);
  }
  return value;
}

function seconds(name: string, value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    fail(name, 'a number of seconds, 0 or more', value);
  }
  return value;
}

function interval(value: unknown): number {
  if (value === undefined) return 15 * 60 * 1000;
  // connect-session-sequelize users turn the timer off with 0 or -1.
  if (value === false || value === null) return 0;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    fail('checkExpirationInterval', 'a number of milliseconds or false', value);
  }
  if (value <= 0) return 0;
  if (value > MAX_TIMER_MS) fail('checkExpirationInterval', `at most ${MAX_TIMER_MS} ms`, value);
  return value;
}

function logger(value: unknown): Logger | false {
  if (value === undefined) return console;
  if (value === false) return false;
  if (typeof value !== 'object' || value === null || typeof (value as Logger).warn !== 'function') {
    fail('logger', 'an object with a warn(message) method, or false', value);
  }
  return value as Logger;
}

function flag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') fail(name, 'a boolean', value);
  return value;
}

function dataType(value: unknown, table: unknown): 'text' | 'json' {
  if (value === undefined) return 'text';
  if (value !== 'text' && value !== 'json') fail('dataType', '"text" or "json"', value);
  if (table !== undefined) fail('dataType', 'left out with `table` (your model declares its data column)', value);
  return value;
}

function storedProcedures(value: unknown, db: Sequelize | undefined, table: unknown): boolean {
  const wanted = flag('storedProcedures', value);
  const on = db ?? (isModel(table) ? table.sequelize : undefined);
  const dialect = on ? on.getDialect() : 'the embedded sqlite';
  // The procedure runner speaks mysql2; Sequelize's 'mariadb' dialect uses another driver.
  if (wanted && dialect !== 'mysql') fail('storedProcedures', `false on ${dialect} (it needs the mysql dialect)`, value);
  return wanted;
}

/** Validates the public options once and fills in every default. */
export function resolveOptions(input: unknown): ResolvedOptions {
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new TypeError(`sequelize-session-store: options must be an object, received ${show(input)}`);
  }
  const options = input as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw new TypeError(`sequelize-session-store: unknown option \`${key}\``);
    }
  }

  const db = options.db;
  if (db !== undefined && !isSequelize(db)) fail('db', 'a Sequelize instance', db);

  const table = options.table;
  if (table !== undefined && !isModel(table) && (typeof table !== 'string' || table === '')) {
    fail('table', 'a Sequelize model or the name of one', table);
  }
  if (typeof table === 'string' && db === undefined) {
    fail('table', 'a model (a model name needs the `db` it is defined on)', table);
  }

  const extend = options.extendDefaultFields;
  if (extend !== undefined && typeof extend !== 'function') fail('extendDefaultFields', 'a function', extend);

  const disableTouch = options.disableTouch;
  if (disableTouch !== undefined && typeof disableTouch !== 'boolean') {
    fail('disableTouch', 'a boolean', disableTouch);
  }

  return {
    db,
    sqlitePath: nonEmptyString('sqlitePath', options.sqlitePath, './sessions.sqlite'),
    table,
    modelKey: nonEmptyString('modelKey', options.modelKey, 'Session'),
    tableName: nonEmptyString('tableName', options.tableName, 'Sessions'),
    extendDefaultFields: extend as ResolvedOptions['extendDefaultFields'],
    disableTouch: disableTouch ?? false,
    touchAfter: seconds('touchAfter', options.touchAfter),
    checkExpirationInterval: interval(options.checkExpirationInterval),
    expiration: positiveDuration('expiration', options.expiration, 24 * 60 * 60 * 1000),
    logger: logger(options.logger),
    createTable: flag('createTable', options.createTable),
    storedProcedures: storedProcedures(options.storedProcedures, db, table),
    dataType: dataType(options.dataType, table),
  };
}
