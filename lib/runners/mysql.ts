import type { Sequelize } from 'sequelize';
import { connectionLender, statementLogger, type Row, type Runner } from '../runner';

interface MySqlConnection {
  execute(text: string, params: readonly unknown[], callback: (error: Error | null, result: unknown) => void): void;
  stream: { destroy(): void };
  config: { typeCast?: unknown };
}

/**
 * Destroys the socket itself: mysql2's own destroy() only half-closes it, and then fails the
 * pending statement only when a server that may have stopped answering closes its end.
 */
const abandon = (connection: MySqlConnection): void => connection.stream.destroy();

/**
 * Whether mysql2 may read our statements' columns itself. Sequelize gives its connections a typeCast
 * function, which mysql2 calls with a fresh field description for every column of every row: a
 * third of the client's cost of a get. The hot statements return only text and DATETIME, which
 * mysql2 reads as Sequelize does as long as the time zone is an offset (a named zone needs
 * Sequelize's conversion).
 */
function readsNatively(sequelize: Sequelize): boolean {
  const timezone = (sequelize as unknown as { options: { timezone?: string } }).options.timezone ?? '+00:00';
  return /^[+-]\d\d:\d\d$/.test(timezone);
}

/**
 * mysql2's execute() on a borrowed connection: a server-side prepared statement, cached per
 * connection by the driver. With `native`, the connection's typeCast is set aside while it runs
 * our statement (it is ours alone until released): mysql2 decides at parse time which typeCast
 * to honour, and a per-statement option cannot override a connection-wide function.
 */
export function mysqlExecutor(
  sequelize: Sequelize,
  { native = false }: { native?: boolean } = {},
): (text: string, params: readonly unknown[], signal?: AbortSignal) => Promise<unknown> {
  const lend = connectionLender<MySqlConnection>(sequelize, abandon);
  const log = statementLogger(sequelize);
  const setAside = native && readsNatively(sequelize);
  return (text, params, signal) =>
    lend(
      (connection) =>
        new Promise((resolve, reject) => {
          log?.(text);
          if (!setAside) {
            connection.execute(text, params, (error, result) => (error ? reject(error) : resolve(result)));
            return;
          }
          const config = connection.config;
          const typeCast = config.typeCast;
          config.typeCast = true;
          try {
            connection.execute(text, params, (error, result) => {
              config.typeCast = typeCast;
              if (error) reject(error);
              else resolve(result);
            });
          } catch (error) {
            config.typeCast = typeCast; // e.g. mysql2 refusing an undefined parameter
            throw error;
          }
        }),
      signal,
    );
}

/** The hot statements through mysqlExecutor, their columns read by mysql2 itself. */
export function mysqlRunner(sequelize: Sequelize): Runner {
  const execute = mysqlExecutor(sequelize, { native: true });
  return {
    first: (statement, params, signal) => execute(statement.text, params, signal).then((rows) => (rows as Row[])[0]),
    run: (statement, params, signal) =>
      execute(statement.text, params, signal).then((result) => (result as { affectedRows: number }).affectedRows),
  };
}
