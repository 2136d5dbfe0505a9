import path from 'node:path';
import type { Model, ModelStatic, Sequelize } from 'sequelize';
import type { Serializer } from './session/codec';
import { aeadCipherInfo, type EncryptionAdapter } from './session/encryption';
import type { Logger, ResolvedOptions } from './options';
import { MAX_TIMER_MS } from './cleanup/cleanup-timer';
import { PREFIX } from './messages';
import { hasControlCharacter } from './sql/names';

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return 'an array';
  return `an object (${value.constructor?.name ?? 'no prototype'})`;
}

function fail(name: string, expected: string, value: unknown): never {
  throw new TypeError(`${PREFIX} option \`${name}\` must be ${expected}, received ${show(value)}`);
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

/** A name that enters generated SQL. */
function plainName(name: string, value: unknown, fallback: string): string {
  const text = nonEmptyString(name, value, fallback);
  if (hasControlCharacter(text)) fail(name, 'a name without control characters', value);
  return text;
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

function secrets(value: unknown): readonly string[] | undefined {
  const list = typeof value === 'string' ? [value] : value;
  if (
    list !== undefined &&
    (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === 'string' && s !== ''))
  ) {
    fail('secret', 'a non-empty string or a non-empty array of them', value);
  }
  return list as readonly string[] | undefined;
}

function secretSalt(value: unknown, options: Options): string | undefined {
  if (value === undefined) return undefined;
  if (options.secret === undefined) fail('secretSalt', 'used with `secret`', value);
  return nonEmptyString('secretSalt', value, '');
}

function algorithm(value: unknown, options: Options): string {
  if (value === undefined) return 'aes-256-gcm';
  if (options.secret === undefined) fail('algorithm', 'used with `secret`', value);
  if (typeof value !== 'string' || !aeadCipherInfo(value)) {
    const expected = "an authenticated (AEAD) cipher Node offers, such as 'aes-256-gcm' or 'chacha20-poly1305'";
    fail('algorithm', expected, value);
  }
  return value;
}

function encryption(value: unknown, options: Options): EncryptionAdapter | undefined {
  if (value === undefined) return undefined;
  if (!hasMethods(value, ['encrypt', 'decrypt']))
    fail('encryption', 'an object with encrypt and decrypt methods', value);
  if (options.secret !== undefined) fail('encryption', 'used without `secret` (choose one)', value);
  return value as EncryptionAdapter;
}

function serializer(value: unknown): Serializer | undefined {
  if (value !== undefined && !hasMethods(value, ['stringify', 'parse'])) {
    fail('serializer', 'an object with stringify and parse methods', value);
  }
  return value as Serializer | undefined;
}

function withCipher(name: string, value: unknown, options: Options): boolean {
  const on = flag(name, value);
  if (on && options.secret === undefined && options.encryption === undefined) {
    fail(name, 'used with `secret` or `encryption`', value);
  }
  return on;
}

/** Whether a row that is not encrypted may be read: an explicit choice, for a migration window only. */
function allowPlaintext(value: unknown, options: Options): boolean {
  const on = withCipher('allowPlaintext', value, options);
  if (on && options.disablePlaintext === true) fail('allowPlaintext', 'left out with `disablePlaintext: true`', value);
  return on;
}

/**
 * The old spelling, still accepted. Refusing plaintext is now the default, so `true` changes
 * nothing and `false` does not reopen the downgrade: only `allowPlaintext` does.
 */
function disablePlaintext(value: unknown, options: Options): boolean {
  withCipher('disablePlaintext', value, options);
  return options.allowPlaintext !== true;
}

function sidSecret(value: unknown): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value === ''))
    fail('sidSecret', 'a non-empty string', value);
  return value;
}

function maxSize(value: unknown): number {
  if (value === undefined) return Infinity;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    fail('maxSize', 'a positive whole number of bytes', value);
  }
  return value;
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

type Options = Record<string, unknown>;

/**
 * The one table of options: each resolver checks the value it is given (the whole input for the
 * few that depend on another option) and fills in its default. An option missing here, or one
 * here that ResolvedOptions lacks, does not compile; the list of known names is its keys.
 */
const RESOLVERS: { [K in keyof ResolvedOptions]: (value: unknown, options: Options) => ResolvedOptions[K] } = {
  db: (value) => {
    if (value !== undefined && !isSequelize(value)) fail('db', 'a Sequelize instance', value);
    return value;
  },
  sqlitePath: (value) => {
    const file = nonEmptyString('sqlitePath', value, './sessions.sqlite');
    // Resolved now: SQLite opens the file later, and the process may have changed directory by then.
    return file === ':memory:' || file.startsWith('file:') ? file : path.resolve(file);
  },
  table: (value, options) => {
    if (value !== undefined && !isModel(value) && (typeof value !== 'string' || value === '')) {
      fail('table', 'a Sequelize model or the name of one', value);
    }
    if (typeof value === 'string' && options.db === undefined) {
      fail('table', 'a model (a model name needs the `db` it is defined on)', value);
    }
    return value;
  },
  modelKey: (value) => plainName('modelKey', value, 'Session'),
  tableName: (value) => plainName('tableName', value, 'Sessions'),
  extendDefaultFields: (value) => {
    if (value !== undefined && typeof value !== 'function') fail('extendDefaultFields', 'a function', value);
    return value as ResolvedOptions['extendDefaultFields'];
  },
  disableTouch: (value) => flag('disableTouch', value),
  touchAfter: (value) => seconds('touchAfter', value),
  checkExpirationInterval: interval,
  pruneBatchSize: batchSize,
  onCleanupError: (value) => {
    if (value !== undefined && typeof value !== 'function') fail('onCleanupError', 'a function', value);
    return value as ResolvedOptions['onCleanupError'];
  },
  expiration: (value) => positiveDuration('expiration', value, 24 * 60 * 60 * 1000),
  logger,
  secret: secrets,
  secretSalt,
  algorithm,
  encryption,
  serializer,
  allowPlaintext,
  disablePlaintext,
  sidSecret,
  maxSize,
  createTable: (value) => flag('createTable', value),
  storedProcedures: (value, options) => storedProcedures(value, options.db as Sequelize | undefined, options.table),
  dataType,
  retries,
  operationTimeout,
  disableConnectionEvents: (value) => flag('disableConnectionEvents', value),
};

const KNOWN_OPTIONS = new Set(Object.keys(RESOLVERS));

/** Validates the public options once and fills in every default. */
export function resolveOptions(input: unknown): ResolvedOptions {
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new TypeError(`${PREFIX} options must be an object, received ${show(input)}`);
  }
  const options = input as Options;
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`${PREFIX} unknown option \`${key}\``);
  }
  const resolved: Partial<Record<keyof ResolvedOptions, unknown>> = {};
  for (const name of Object.keys(RESOLVERS) as (keyof ResolvedOptions)[]) {
    resolved[name] = RESOLVERS[name](options[name], options);
  }
  return resolved as ResolvedOptions;
}
