import type { Sequelize } from 'sequelize';
import { connectionLender, statementLogger } from './connection-lender';
import { cutMySqlConnection, isUtcOffset, mysql2KeepsZone, type MySqlConnection } from './internals';
import type { Runner } from './runner';
import type { Row } from './statement';

/**
 * Whether mysql2 may read our statements' columns itself. Sequelize gives its connections a typeCast
 * function, which mysql2 calls with a fresh field description for every column of every row: a
 * large part of the client's cost of a get. The hot statements return only text and DATETIME, which
 * mysql2 reads as Sequelize does where it keeps Sequelize's time zone (mysql2KeepsZone).
 */
const readsNatively = mysql2KeepsZone;

/** Gives the connection back its own typeCast and zone once our statement is done with it. */
function restore(
  config: NonNullable<MySqlConnection['config']>,
  typeCast: unknown,
  timezone: string | undefined,
): void {
  config.typeCast = typeCast;
  config.timezone = timezone;
}

/** Runs one statement, hands its result to `read` and resolves to what that returns. */
export type MySqlExecute = <T>(
  text: string,
  params: readonly unknown[],
  read: (result: unknown) => T,
  signal?: AbortSignal,
) => Promise<T>;

/**
 * mysql2's execute() on a borrowed connection: a server-side prepared statement, cached per
 * connection by the driver. With `native`, the connection's typeCast is set aside while it runs
 * our statement (it is ours alone until released): mysql2 decides at parse time which typeCast
 * to honour, and a per-statement option cannot override a connection-wide function. A UTC offset
 * is set aside for 'Z' the same way: the same instants, by mysql2's short way.
 */
export function mysqlExecutor(sequelize: Sequelize, { native = false }: { native?: boolean } = {}): MySqlExecute {
  const lend = connectionLender<MySqlConnection>(sequelize, cutMySqlConnection);
  const log = statementLogger(sequelize);
  const setAside = native && readsNatively(sequelize);
  const zulu = setAside && isUtcOffset(sequelize);
  return <T>(text: string, params: readonly unknown[], read: (result: unknown) => T, signal?: AbortSignal) =>
    lend<T>((connection, done) => {
      log?.(text);
      const config = connection.config;
      if (!setAside || !config) {
        connection.execute(text, params, (error, result) => (error ? done(error) : done(null, read(result))));
        return;
      }
      const { typeCast, timezone } = config;
      config.typeCast = true;
      if (zulu) config.timezone = 'Z';
      try {
        connection.execute(text, params, (error, result) => {
          restore(config, typeCast, timezone);
          if (error) done(error);
          else done(null, read(result));
        });
      } catch (error) {
        restore(config, typeCast, timezone); // e.g. mysql2 refusing an undefined parameter
        throw error;
      }
    }, signal);
}

const firstRow = (rows: unknown): Row | undefined => (rows as Row[])[0];
const allRows = (rows: unknown): Row[] => rows as Row[];
const affectedRows = (result: unknown): number => (result as { affectedRows: number }).affectedRows;

/** The hot statements through mysqlExecutor, their columns read by mysql2 itself. */
export function mysqlRunner(sequelize: Sequelize): Runner {
  const execute = mysqlExecutor(sequelize, { native: true });
  return {
    returning: true,
    first: (statement, args, signal) => execute(statement.text, statement.params(args), firstRow, signal),
    all: (statement, args, signal) => execute(statement.text, statement.params(args), allRows, signal),
    run: (statement, args, signal) => execute(statement.text, statement.params(args), affectedRows, signal),
  };
}
