import path from 'node:path';
import type { Sequelize } from 'sequelize';
import type { Logger, ResolvedOptions } from './index';
import type { SessionTtl } from '../session/expiry';
import { MAX_TIMER_MS } from '../cleanup/cleanup-timer';
import { PREFIX } from '../messages';
import {
  fail,
  flag,
  isModel,
  isSequelize,
  nonEmptyString,
  numeric,
  plainName,
  positiveDuration,
  seconds,
  show,
} from './checks';
import {
  algorithm,
  allowPlaintext,
  disablePlaintext,
  encryption,
  maxSize,
  secrets,
  secretSalt,
  serializer,
  sidSecret,
} from './security';
import { isMySqlFamily } from '../sql/dialect';

function ttl(value: unknown): SessionTtl | undefined {
  if (value === undefined || typeof value === 'function') return value as SessionTtl | undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS * 1000) {
    fail('ttl', 'a positive number of milliseconds or a function (session) => milliseconds', value);
  }
  return value;
}

function interval(input: unknown): number {
  const value = numeric(input);
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

function batchSize(input: unknown): number {
  const value = numeric(input);
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

function retries(input: unknown): number {
  const value = numeric(input);
  if (value === undefined) return 3;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100) {
    fail('retries', 'a whole number from 0 to 100', value);
  }
  return value;
}

function operationTimeout(input: unknown): number {
  const value = numeric(input);
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
  schema: (value, options) => {
    if (value === undefined) return undefined;
    const schema = nonEmptyString('schema', value, '');
    if (options.table !== undefined)
      fail('schema', 'left out when `table` is given (the model names its schema)', value);
    const dialect = isSequelize(options.db) ? options.db.getDialect() : 'sqlite';
    if (dialect !== 'postgres' && !isMySqlFamily(dialect))
      fail('schema', `left out on ${dialect} (a PostgreSQL schema, or a MySQL/MariaDB database)`, value);
    if (options.storedProcedures === true)
      fail('schema', "left out with `storedProcedures` (the procedures live in the connection's database)", value);
    return schema;
  },
  extendDefaultFields: (value) => {
    if (value !== undefined && typeof value !== 'function') fail('extendDefaultFields', 'a function', value);
    return value as ResolvedOptions['extendDefaultFields'];
  },
  disableTouch: (value) => flag('disableTouch', value),
  touchAfter: (value) => seconds('touchAfter', value),
  groupCommit: (value) => value === undefined || flag('groupCommit', value),
  checkExpirationInterval: interval,
  pruneBatchSize: batchSize,
  onCleanupError: (value) => {
    if (value !== undefined && typeof value !== 'function') fail('onCleanupError', 'a function', value);
    return value as ResolvedOptions['onCleanupError'];
  },
  expiration: (value) => positiveDuration('expiration', value, 24 * 60 * 60 * 1000),
  ttl,
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

const KNOWN_OPTIONS = Object.keys(RESOLVERS);

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The known option nearest to `name`, for the warning about an unknown one. */
export function closestOption(name: string): string {
  const lower = name.toLowerCase();
  let best = KNOWN_OPTIONS[0]!;
  let bestDistance = Infinity;
  for (const known of KNOWN_OPTIONS) {
    const distance = editDistance(lower, known.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [known, distance];
  }
  return best;
}

/** Validates the public options once and fills in every default. */
export function resolveOptions(input: unknown): ResolvedOptions {
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new TypeError(`${PREFIX} options must be an object, received ${show(input)}`);
  }
  const options = input as Options;
  const resolved: Partial<Record<keyof ResolvedOptions, unknown>> = {};
  for (const name of KNOWN_OPTIONS as (keyof ResolvedOptions)[]) {
    resolved[name] = RESOLVERS[name](options[name], options);
  }
  const result = resolved as ResolvedOptions;
  // connect-session-sequelize ignores keys it does not know, and configs that worked there must
  // start here: a typo is told, not refused.
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key) && result.logger) {
      result.logger.warn(`${PREFIX} unknown option \`${key}\` is ignored; did you mean \`${closestOption(key)}\`?`);
    }
  }
  return result;
}
