/**
 * Which database errors are worth another attempt. Two families:
 * - the connection is gone or the server cannot be reached (a restart, a killed connection, a node
 *   leaving a cluster): a fresh connection may work, and a lost connection is what makes the store
 *   suspect an outage;
 * - contention (deadlock, lock wait timeout, serialization failure, a Galera certification
 *   conflict, SQLITE_BUSY): the same statement may well succeed a moment later.
 * Everything else (a syntax error, a missing table, a refused login, a value too long) fails at
 * once: repeating it cannot help.
 *
 * Sequelize wraps driver errors (`parent` / `original`), Node wraps some in `cause`; the whole chain
 * is looked at, whichever layer the error came through (our runners get the driver's own errors,
 * the model API gets Sequelize's).
 */

/** Node socket errors and mysql2's code for a connection the server closed. */
const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
]);

/** MySQL / MariaDB error numbers. */
const MYSQL_CONNECTION_ERRNOS = new Set([
  1053, // ER_SERVER_SHUTDOWN: server shutdown in progress
  1927, // ER_CONNECTION_KILLED (MariaDB): the connection was KILLed
  4031, // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8): the server dropped an idle connection
]);
const MYSQL_CONTENTION_ERRNOS = new Set([
  1205, // ER_LOCK_WAIT_TIMEOUT
  1213, // ER_LOCK_DEADLOCK; also how Galera reports a certification conflict
  1040, // ER_CON_COUNT_ERROR: too many connections, for now
]);
/** 1047 is "unknown command" in general; on a Galera node it means the node is not ready yet. */
const MYSQL_WSREP_NOT_READY = 1047;

/** PostgreSQL SQLSTATEs; all of class 08 (connection exception) counts as well. */
const PG_CONNECTION_STATES = new Set([
  '57P01', // admin_shutdown: pg_terminate_backend, or a fast shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
]);
const PG_CONTENTION_STATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available: lock_timeout expired
  '53300', // too_many_connections
]);

/**
 * A prepared statement the server connection does not have (26000), or has already (42P05): the
 * statement was named on another server connection, as happens behind a transaction pooler. Both
 * come before anything is executed.
 */
const PG_POOLER_STATES = new Set(['26000', '42P05']);

/** Errors that carry no code: pg's for a connection that ended under it. */
const CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /encountered a connection error and is not queryable/,
  // A Galera node that has left the cluster refuses every commit until it rejoins: another node serves.
  /Not connected to Primary Component/,
];

/** Sequelize's connection errors whose cause is the network, not the configuration. */
const SEQUELIZE_CONNECTION_ERRORS = new Set([
  'SequelizeConnectionRefusedError',
  'SequelizeHostNotReachableError',
  'SequelizeConnectionTimedOutError',
]);

interface ErrorFields {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  errno?: unknown;
  fatal?: unknown;
  parent?: unknown;
  original?: unknown;
  cause?: unknown;
}

/** The error and the errors it wraps, outermost first. */
function* chain(error: unknown): Generator<ErrorFields> {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && !seen.has(current) && seen.size < 8) {
    seen.add(current);
    const fields = current as ErrorFields;
    yield fields;
    current = fields.parent ?? fields.original ?? fields.cause;
  }
}

function isConnectionLevel(e: ErrorFields): boolean {
  if (typeof e.name === 'string' && SEQUELIZE_CONNECTION_ERRORS.has(e.name)) return true;
  if (typeof e.code === 'string') {
    if (CONNECTION_CODES.has(e.code) || PG_CONNECTION_STATES.has(e.code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(e.code)) return true;
  }
  if (typeof e.errno === 'number') {
    if (MYSQL_CONNECTION_ERRNOS.has(e.errno)) return true;
    if (e.errno === MYSQL_WSREP_NOT_READY && typeof e.message === 'string' && e.message.includes('WSREP')) return true;
  }
  // mysql2 marks every error after which its connection is unusable as fatal.
  if (e.fatal === true) return true;
  return typeof e.message === 'string' && CONNECTION_MESSAGES.some((pattern) => pattern.test(e.message as string));
}

function isContentionLevel(e: ErrorFields): boolean {
  if (typeof e.code === 'string' && (PG_CONTENTION_STATES.has(e.code) || e.code === 'SQLITE_BUSY')) return true;
  return typeof e.errno === 'number' && MYSQL_CONTENTION_ERRNOS.has(e.errno);
}

/** The connection broke or the database could not be reached. */
export function isConnectionLoss(error: unknown): boolean {
  for (const e of chain(error)) if (isConnectionLevel(e)) return true;
  return false;
}

/** Worth another attempt: a lost connection, or contention that may clear up. */
export function isTransient(error: unknown): boolean {
  for (const e of chain(error)) if (isConnectionLevel(e) || isContentionLevel(e)) return true;
  return false;
}

/**
 * The table is not there: SQLite's "no such table", MySQL/MariaDB's ER_NO_SUCH_TABLE (1146),
 * PostgreSQL's undefined_table (42P01).
 */
export function isMissingTable(error: unknown): boolean {
  for (const e of chain(error)) {
    if (e.errno === 1146 || e.code === '42P01' || e.code === 'ER_NO_SUCH_TABLE') return true;
    if (typeof e.message === 'string' && /^SQLITE_ERROR: no such table/.test(e.message)) return true;
  }
  return false;
}

/** PostgreSQL refused a named statement as a transaction-mode pooler makes it do (see PG_POOLER_STATES). */
export function isRefusedByPooler(error: unknown): boolean {
  for (const e of chain(error)) if (typeof e.code === 'string' && PG_POOLER_STATES.has(e.code)) return true;
  return false;
}
