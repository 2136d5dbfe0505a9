import type { Model, ModelStatic, QueryInterface, Sequelize } from 'sequelize';
import { PREFIX } from '../messages';

/*
 * Every read of a private field of Sequelize, mysql2, pg or sqlite3 lives here, and nowhere else.
 * The fast runners need them; `missingInternals` checks them once, when a store is built, so that
 * a release that renamed one makes the store fall back to `sequelize.query` instead of breaking.
 */

/** The options Sequelize keeps on the instance, as it filled them in. */
interface SequelizeOptions {
  logging?: unknown;
  timezone?: string;
  dialectOptions?: { timezone?: unknown };
  native?: boolean;
  /** 0 until the first connection asked the server. */
  databaseVersion?: unknown;
  storage?: string;
}

/** sequelize-pool's Pool, or with replication a pair of them behind the same methods. */
interface Pool<Connection> {
  acquire(type: 'write', useMaster: true): Promise<Connection>;
  release(connection: Connection): unknown;
  destroy(connection: Connection): unknown;
}

export interface ConnectionManager<Connection> {
  getConnection(options: { type: 'write'; useMaster: true }): Promise<Connection>;
  releaseConnection(connection: Connection): unknown;
  pool: Pool<Connection>;
  config: { replication?: { write: object } | false };
  _connect(config: object): Promise<unknown>;
  _disconnect(connection: unknown): Promise<unknown>;
  /** The driver module Sequelize loaded (mysql2, pg, sqlite3). */
  lib?: Record<string, unknown>;
}

interface QueryGenerator {
  attributesToSQL(attributes: unknown, options: { context: string; table: unknown }): Record<string, string>;
  createTableQuery(table: unknown, attributes: Record<string, string>, options: unknown): string;
  quoteTable(table: unknown): string;
}

function optionsOf(sequelize: Sequelize): SequelizeOptions {
  return (sequelize as unknown as { options?: SequelizeOptions }).options ?? {};
}

export function connectionManagerOf<Connection>(sequelize: Sequelize): ConnectionManager<Connection> {
  return (sequelize as unknown as { connectionManager: ConnectionManager<Connection> }).connectionManager;
}

/** Sequelize's `timezone` option, as it defaults it. */
export function timezoneOf(sequelize: Sequelize): string {
  return optionsOf(sequelize).timezone ?? '+00:00';
}

/** The zone mysql2 is told to use through `dialectOptions`, if any. */
function driverTimezoneOf(sequelize: Sequelize): unknown {
  return optionsOf(sequelize).dialectOptions?.timezone;
}

/**
 * Whether mysql2 converts dates as Sequelize does on this instance's connections: Sequelize's
 * `timezone` is an offset (mysql2 ignores a named zone) and `dialectOptions` set no other one.
 */
export function mysql2KeepsZone(sequelize: Sequelize): boolean {
  const timezone = timezoneOf(sequelize);
  return /^[+-]\d\d:\d\d$/.test(timezone) && (driverTimezoneOf(sequelize) ?? timezone) === timezone;
}

/**
 * Whether Sequelize's zone is UTC written as an offset ('+00:00', its default). mysql2 takes its
 * short way with dates only for 'Z': for '+00:00' it parses the zone for every date it sends and
 * reads a DATETIME through text.
 */
export function isUtcOffset(sequelize: Sequelize): boolean {
  return /^[+-]00:00$/.test(timezoneOf(sequelize));
}

/** Sequelize's `logging` option, when it is a function. */
export function loggingOf(sequelize: Sequelize): ((message: string) => void) | undefined {
  const logging = optionsOf(sequelize).logging;
  return typeof logging === 'function' ? (logging as (message: string) => void) : undefined;
}

/** pg-native: a driver whose client the fast runner does not know. */
export function usesPgNative(sequelize: Sequelize): boolean {
  return optionsOf(sequelize).native === true;
}

/** Whether Sequelize has asked the server its version yet (its first connection does). */
export function knowsServerVersion(sequelize: Sequelize): boolean {
  return optionsOf(sequelize).databaseVersion !== 0;
}

/** The file of an SQLite instance. */
export function sqliteStorageOf(sequelize: Sequelize): string | undefined {
  return optionsOf(sequelize).storage;
}

/** What writes a CREATE TABLE from a model, as `sync()` would. */
export function queryGeneratorOf(sequelize: Sequelize): QueryGenerator {
  return sequelize.getQueryInterface().queryGenerator as QueryGenerator;
}

/**
 * The query interface of a model's own statements (its table quoted as the model needs), on
 * `sequelize`: the model's own instance, or the live one that runs a migration of an offline model.
 */
export function modelQueryInterfaceOf(model: ModelStatic<Model>, sequelize = model.sequelize!): QueryInterface {
  const queryInterface = sequelize.getQueryInterface();
  return qualifiedModels.has(model) ? mySqlDatabaseInterface(queryInterface) : queryInterface;
}

/** The query generator of a model's own statements. */
export function modelQueryGeneratorOf(model: ModelStatic<Model>): QueryGenerator {
  return modelQueryInterfaceOf(model).queryGenerator as QueryGenerator;
}

interface TableName {
  tableName?: string;
  schema?: string;
  as?: string;
  name?: string;
}

interface MySqlQueryGenerator {
  quoteTable(param: unknown, alias?: unknown): string;
  quoteIdentifier(name: string): string;
  escape(value: unknown): string;
}

/**
 * A model of Sequelize's mysql dialect in another database (its `schema` option). That dialect has
 * no schemas: its `quoteTable` joins `{ schema, tableName }` into one name (`` `db.table` ``), and
 * `Model.sync`'s existence check looks in the connection's database. The model gets a query
 * interface of its own, the instance's in all but two methods, so that every statement it writes
 * (sync, findAll, count, destroy, describeTable, showIndex) names `` `db`.`table` ``; the rest of
 * the instance is untouched. Throws when the Sequelize release lacks what this relies on.
 */
export function qualifyMySqlDatabase(model: ModelStatic<Model>): void {
  const own = mySqlDatabaseInterface(model.sequelize!.getQueryInterface());
  Object.defineProperty(model, 'queryInterface', { get: () => own, configurable: true });
  qualifiedModels.add(model);
}

const qualifiedModels = new WeakSet<ModelStatic<Model>>();
const databaseInterfaces = new WeakMap<QueryInterface, QueryInterface>();

/** The instance's query interface with `` `db`.`table` `` quoting, made once per instance. */
function mySqlDatabaseInterface(queryInterface: QueryInterface): QueryInterface {
  let own = databaseInterfaces.get(queryInterface);
  if (!own) {
    own = deriveMySqlDatabaseInterface(queryInterface);
    databaseInterfaces.set(queryInterface, own);
  }
  return own;
}

function deriveMySqlDatabaseInterface(queryInterface: QueryInterface): QueryInterface {
  const generator = (queryInterface as unknown as { queryGenerator?: Partial<MySqlQueryGenerator> }).queryGenerator;
  if (
    typeof generator?.quoteTable !== 'function' ||
    typeof generator.quoteIdentifier !== 'function' ||
    typeof generator.escape !== 'function'
  ) {
    throw new TypeError(
      `${PREFIX} \`schema\` on MySQL/MariaDB needs Sequelize's query generator (quoteTable, quoteIdentifier, escape), which this release lacks`,
    );
  }
  const base = generator as MySqlQueryGenerator;
  const own = Object.create(base, {
    quoteTable: {
      value(this: MySqlQueryGenerator, param: unknown, alias?: unknown): string {
        const table = param as TableName | undefined;
        if (typeof param !== 'object' || !table?.schema || typeof table.tableName !== 'string') {
          return base.quoteTable.call(this, param, alias);
        }
        const quoted = `${this.quoteIdentifier(table.schema)}.${this.quoteIdentifier(table.tableName)}`;
        const as = alias === true ? (table.as ?? table.name) : alias;
        return typeof as === 'string' && as ? `${quoted} AS ${this.quoteIdentifier(as)}` : quoted;
      },
    },
    tableExistsQuery: {
      value(this: MySqlQueryGenerator, param: unknown): string {
        const table = (typeof param === 'object' ? param : { tableName: param }) as TableName;
        const database = table.schema ? this.escape(table.schema) : 'DATABASE()';
        return (
          "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_TYPE = 'BASE TABLE' " +
          `AND TABLE_NAME = ${this.escape(table.tableName)} AND TABLE_SCHEMA = ${database}`
        );
      },
    },
  }) as MySqlQueryGenerator;
  return Object.create(queryInterface, { queryGenerator: { value: own } }) as QueryInterface;
}

/** The declared length of a Sequelize string or text type (`STRING(255)`, `TEXT('long')`). */
export function typeLengthOf(type: unknown): number | string | undefined {
  return (type as { _length?: number | string } | undefined)?._length;
}

/**
 * A light check that the primary answers: open one connection outside the pool (with Sequelize's
 * connect hooks) and close it, so that a saturated pool is not mistaken for an outage.
 */
export function reachabilityProbe(sequelize: Sequelize): () => Promise<void> {
  const manager = connectionManagerOf<unknown>(sequelize) as Partial<ConnectionManager<unknown>> | undefined;
  if (typeof manager?._connect !== 'function' || typeof manager._disconnect !== 'function' || !manager.config) {
    // Sequelize internals that a later version may rename: fall back to a query through the pool.
    return async () => {
      await sequelize.authenticate({ useMaster: true });
    };
  }
  const internals = manager as ConnectionManager<unknown>;
  return async () => {
    const replication = internals.config.replication;
    const connection = await internals._connect(replication ? replication.write : internals.config);
    await internals._disconnect(connection).catch(() => {});
  };
}

const isFunction = (value: unknown): boolean => typeof value === 'function';

/** The driver class whose instances the fast runner of each dialect uses, and the method it calls. */
const DRIVER_METHODS: Record<string, [string, string]> = {
  mysql: ['Connection', 'execute'],
  postgres: ['Client', 'query'],
  sqlite: ['Database', 'prepare'],
};

/**
 * What the fast runners read that this Sequelize instance (or its driver) lacks; empty when they
 * can run. Checked once per store, when it is built.
 */
export function missingInternals(sequelize: Sequelize): string[] {
  const missing: string[] = [];
  const manager = connectionManagerOf<unknown>(sequelize) as Partial<ConnectionManager<unknown>> | undefined;
  if (!manager || !isFunction(manager.getConnection) || !isFunction(manager.releaseConnection)) {
    return ['connectionManager.getConnection/releaseConnection'];
  }
  if (!(sequelize as unknown as { options?: object }).options) missing.push('sequelize.options');
  const pooled = !Object.hasOwn(Object.getPrototypeOf(manager) as object, 'getConnection');
  const pool = manager.pool as Partial<Pool<unknown>> | undefined;
  if (pooled && !(pool && isFunction(pool.acquire) && isFunction(pool.release) && isFunction(pool.destroy))) {
    missing.push('connectionManager.pool.acquire/release/destroy');
  }
  const driver = DRIVER_METHODS[sequelize.getDialect()];
  if (driver) {
    const [className, method] = driver;
    const prototype = (manager.lib?.[className] as { prototype?: Record<string, unknown> } | undefined)?.prototype;
    if (!isFunction(prototype?.[method])) missing.push(`the driver's ${className}.prototype.${method}`);
  }
  return missing;
}

/** A mysql2 connection, as the MySQL runner uses it. */
export interface MySqlConnection {
  execute(text: string, params: readonly unknown[], callback: (error: Error | null, result: unknown) => void): void;
  stream?: { destroy(): void };
  config?: { typeCast?: unknown; timezone?: string };
}

/** A pg client, as the PostgreSQL runner uses it. */
export interface PgClient {
  query(
    config: { name?: string | undefined; text: string; values: readonly unknown[] },
    callback: (error: Error | null, result: { rows: Record<string, unknown>[]; rowCount: number | null }) => void,
  ): void;
  connection?: { stream?: { destroy(): void } };
}

/**
 * Destroys a mysql2 connection's socket: its own destroy() only half-closes it, and then fails the
 * pending statement only when a server that may have stopped answering closes its end.
 */
export function cutMySqlConnection(connection: MySqlConnection): void {
  connection.stream?.destroy();
}

/** Destroys a pg client's socket: pg then fails the pending query at once. */
export function cutPgClient(client: PgClient): void {
  client.connection?.stream?.destroy();
}
