import type { Model, ModelStatic, Sequelize } from 'sequelize';
import type { SessionData } from 'express-session';
import type { Serializer } from './codec';
import { aeadCipherInfo, type EncryptionAdapter } from './encryption';

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
   * the cookie's by at most that much. `0` sends every touch, as connect-session-sequelize does
   * (a touch that would move the expiry by less than a second, the cookie's own resolution, writes
   * nothing either way).
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
   * Most rows one DELETE of a cleanup sweep removes. A sweep repeats such batches until the
   * expired rows are gone, so no single statement holds its locks for long.
   * @default 1000 (rows)
   */
  pruneBatchSize?: number;
  /**
   * Called with the error of every failed cleanup sweep, besides the store's `'error'` event (or
   * the `logger` when nobody listens). The next sweep runs as planned either way.
   * @example (error) => metrics.increment('session_cleanup_failed')
   */
  onCleanupError?: (error: Error) => void;
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
   * Turns on authenticated encryption of the data column. Give a list to rotate keys: the first
   * secret encrypts, any of them decrypts. Each secret is stretched into a key once, when the store
   * is built (scrypt, then HKDF-SHA-256); use long random strings all the same.
   * @default none: sessions are stored as plain JSON
   * @example [process.env.SESSION_KEY_NEW, process.env.SESSION_KEY_OLD]
   */
  secret?: string | readonly string[];
  /**
   * The authenticated (AEAD) cipher used with `secret`: any GCM, CCM or OCB cipher Node offers, or
   * 'chacha20-poly1305'. A cipher without authentication is refused. Changing it makes the rows
   * written before unreadable, as a new secret would.
   * @default 'aes-256-gcm'
   */
  algorithm?: string;
  /**
   * Your own encryption instead of `secret`, e.g. through a KMS: `encrypt(text, sid)` and
   * `decrypt(text, sid)`, sync or async, where `sid` is the row key to bind as associated data.
   * @default none
   */
  encryption?: EncryptionAdapter;
  /**
   * Turns a session into text and back.
   * @default JSON (JSON.stringify / JSON.parse), as connect-session-sequelize stores it
   */
  serializer?: Serializer;
  /**
   * With `secret` or `encryption`: read a row that is not encrypted as no session (plus an
   * `'error'`). Leave it off while a plaintext table is being encrypted: such rows are read, then
   * encrypted on their next save.
   * @default false
   */
  disablePlaintext?: boolean;
  /**
   * Keys each row by the HMAC-SHA-256 of its session id (hex, 64 characters), keyed by this secret,
   * instead of the id itself: a table dump then holds no usable cookie value. Changing it makes every
   * existing session unreachable; `all()` lists each session's `id` as that hash.
   * @default none: rows are keyed by the session id
   */
  sidSecret?: string;
  /**
   * Largest stored session, in bytes of the stored text (UTF-8, after encryption); a bigger one is
   * a RangeError on `set`. The data column's own size is always enforced too.
   * @default no limit but the column's
   * @example 64 * 1024
   */
  maxSize?: number;
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
  /**
   * How many times a statement that failed transiently is tried again: a lost or refused
   * connection, a deadlock, a lock wait timeout, a Galera certification conflict, a serialization
   * failure, SQLITE_BUSY. The pauses grow exponentially (100 ms, 200 ms, 400 ms, … up to 2 s, each
   * jittered). Any other error fails at once. `0` never retries.
   * @default 3
   */
  retries?: number;
  /**
   * Milliseconds an operation may take in all, retries and the wait for a pooled connection
   * included; past it the operation fails with an `OperationTimeoutError` and a statement still
   * running is abandoned (its connection is closed and replaced). `0` sets no bound.
   * @default 10000 (10 seconds)
   */
  operationTimeout?: number;
  /**
   * Do not emit `'disconnect'` / `'connect'` when the database becomes unreachable and comes back.
   * With the events, express-session serves requests without a session while the database is
   * away; without them, each such request fails with the database error.
   * @default false
   */
  disableConnectionEvents?: boolean;
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
  pruneBatchSize: number;
  onCleanupError: ((error: Error) => void) | undefined;
  expiration: number;
  logger: Logger | false;
  secret: readonly string[] | undefined;
  algorithm: string;
  encryption: EncryptionAdapter | undefined;
  serializer: Serializer | undefined;
  disablePlaintext: boolean;
  sidSecret: string | undefined;
  maxSize: number;
  createTable: boolean;
  storedProcedures: boolean;
  dataType: 'text' | 'json';
  retries: number;
  operationTimeout: number;
  disableConnectionEvents: boolean;
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
  'pruneBatchSize',
  'onCleanupError',
  'expiration',
  'logger',
  'secret',
  'algorithm',
  'encryption',
  'serializer',
  'disablePlaintext',
  'sidSecret',
  'maxSize',
  'createTable',
  'storedProcedures',
  'dataType',
  'retries',
  'operationTimeout',
  'disableConnectionEvents',
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
  throw new TypeError(`sequelize-session-store: option \`${name}\` must be ${expected}, received ${show(value)}`);
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

/** Largest `pruneBatchSize`; beyond it one batch would be a long lock again. */
export const MAX_PRUNE_BATCH = 1_000_000;

function batchSize(value: unknown): number {
  if (value === undefined) return 1000;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_PRUNE_BATCH) {
    fail('pruneBatchSize', `a whole number of rows from 1 to ${MAX_PRUNE_BATCH}`, value);
  }
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

function hasMethods(value: unknown, names: readonly string[]): boolean {
  const object = value as Record<string, unknown> | null;
  return typeof object === 'object' && object !== null && names.every((name) => typeof object[name] === 'function');
}

type SecurityOptions = Pick<
  ResolvedOptions,
  'secret' | 'algorithm' | 'encryption' | 'serializer' | 'disablePlaintext' | 'sidSecret' | 'maxSize'
>;

/** The options of encryption at rest, hashed session ids and size limits. */
function security(options: Record<string, unknown>): SecurityOptions {
  const { secret, algorithm, encryption, serializer, disablePlaintext, sidSecret, maxSize } = options;
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (
    secrets !== undefined &&
    (!Array.isArray(secrets) || secrets.length === 0 || !secrets.every((s) => typeof s === 'string' && s !== ''))
  ) {
    fail('secret', 'a non-empty string or a non-empty array of them', secret);
  }
  if (algorithm !== undefined) {
    if (secrets === undefined) fail('algorithm', 'used with `secret`', algorithm);
    if (typeof algorithm !== 'string' || !aeadCipherInfo(algorithm)) {
      const expected = "an authenticated (AEAD) cipher Node offers, such as 'aes-256-gcm' or 'chacha20-poly1305'";
      fail('algorithm', expected, algorithm);
    }
  }
  if (encryption !== undefined) {
    if (!hasMethods(encryption, ['encrypt', 'decrypt'])) {
      fail('encryption', 'an object with encrypt and decrypt methods', encryption);
    }
    if (secrets !== undefined) fail('encryption', 'used without `secret` (choose one)', encryption);
  }
  if (serializer !== undefined && !hasMethods(serializer, ['stringify', 'parse'])) {
    fail('serializer', 'an object with stringify and parse methods', serializer);
  }
  if (disablePlaintext !== undefined) {
    if (typeof disablePlaintext !== 'boolean') fail('disablePlaintext', 'a boolean', disablePlaintext);
    if (disablePlaintext && secrets === undefined && encryption === undefined) {
      fail('disablePlaintext', 'used with `secret` or `encryption`', disablePlaintext);
    }
  }
  if (sidSecret !== undefined && (typeof sidSecret !== 'string' || sidSecret === '')) {
    fail('sidSecret', 'a non-empty string', sidSecret);
  }
  if (maxSize !== undefined && (typeof maxSize !== 'number' || !Number.isSafeInteger(maxSize) || maxSize <= 0)) {
    fail('maxSize', 'a positive whole number of bytes', maxSize);
  }
  return {
    secret: secrets as readonly string[] | undefined,
    algorithm: algorithm ?? 'aes-256-gcm',
    encryption: encryption as EncryptionAdapter | undefined,
    serializer: serializer as Serializer | undefined,
    disablePlaintext: disablePlaintext ?? false,
    sidSecret,
    maxSize: maxSize ?? Infinity,
  };
}

function flag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') fail(name, 'a boolean', value);
  return value;
}

function dataType(value: unknown, options: Record<string, unknown>): 'text' | 'json' {
  if (value === undefined) return 'text';
  if (value !== 'text' && value !== 'json') fail('dataType', '"text" or "json"', value);
  if (options.table !== undefined) {
    fail('dataType', 'left out with `table` (your model declares its data column)', value);
  }
  // Ciphertext, or another serializer's text, is not JSON: a JSON column would refuse it.
  if (value === 'json' && ['secret', 'encryption', 'serializer'].some((name) => options[name] !== undefined)) {
    fail('dataType', '"text" with `secret`, `encryption` or `serializer`', value);
  }
  return value;
}

function storedProcedures(value: unknown, db: Sequelize | undefined, table: unknown): boolean {
  const wanted = flag('storedProcedures', value);
  const on = db ?? (isModel(table) ? table.sequelize : undefined);
  const dialect = on ? on.getDialect() : 'the embedded sqlite';
  // The procedure runner speaks mysql2; Sequelize's 'mariadb' dialect uses another driver.
  if (wanted && dialect !== 'mysql')
    fail('storedProcedures', `false on ${dialect} (it needs the mysql dialect)`, value);
  return wanted;
}

function retries(value: unknown): number {
  if (value === undefined) return 3;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100) {
    fail('retries', 'a whole number from 0 to 100', value);
  }
  return value;
}

function operationTimeout(value: unknown): number {
  if (value === undefined) return 10_000;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_TIMER_MS) {
    fail('operationTimeout', `a number of milliseconds from 0 (no bound) to ${MAX_TIMER_MS}`, value);
  }
  return value;
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

  const onCleanupError = options.onCleanupError;
  if (onCleanupError !== undefined && typeof onCleanupError !== 'function') {
    fail('onCleanupError', 'a function', onCleanupError);
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
    pruneBatchSize: batchSize(options.pruneBatchSize),
    onCleanupError: onCleanupError as ResolvedOptions['onCleanupError'],
    expiration: positiveDuration('expiration', options.expiration, 24 * 60 * 60 * 1000),
    logger: logger(options.logger),
    ...security(options),
    createTable: flag('createTable', options.createTable),
    storedProcedures: storedProcedures(options.storedProcedures, db, table),
    dataType: dataType(options.dataType, options),
    retries: retries(options.retries),
    operationTimeout: operationTimeout(options.operationTimeout),
    disableConnectionEvents: flag('disableConnectionEvents', options.disableConnectionEvents),
  };
}
