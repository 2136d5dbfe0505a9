import type { Model, ModelStatic, Sequelize } from 'sequelize';
import type { Serializer } from './session/codec';
import { aeadCipherInfo, type EncryptionAdapter } from './session/encryption';
import type { Logger, ResolvedOptions } from './options';

export type { DefaultFields, Logger, ResolvedOptions, SequelizeStoreOptions } from './options';

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
