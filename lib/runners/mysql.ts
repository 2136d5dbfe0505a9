import type { Sequelize } from 'sequelize';
import { connectionLender, statementLogger, type Row, type Runner } from '../runner';

interface MySqlConnection {
  execute(text: string, params: readonly unknown[], callback: (error: Error | null, result: unknown) => void): void;
  stream: { destroy(): void };
}

/**
 * Destroys the socket itself: mysql2's own destroy() only half-closes it, and then fails the
 * pending statement only when a server that may have stopped answering closes its end.
 */
const abandon = (connection: MySqlConnection): void => connection.stream.destroy();

/** mysql2's execute() on a borrowed connection: a server-side prepared statement, cached per connection by the driver. */
export function mysqlExecutor(
  sequelize: Sequelize,
): (text: string, params: readonly unknown[], signal?: AbortSignal) => Promise<unknown> {
  const lend = connectionLender<MySqlConnection>(sequelize, abandon);
  const log = statementLogger(sequelize);
  return (text, params, signal) =>
    lend(
      (connection) =>
        new Promise((resolve, reject) => {
          log?.(text);
          connection.execute(text, params, (error, result) => (error ? reject(error) : resolve(result)));
        }),
      signal,
    );
}

/** The hot statements through mysqlExecutor. */
export function mysqlRunner(sequelize: Sequelize): Runner {
  const execute = mysqlExecutor(sequelize);
  return {
    first: async (statement, params, signal) => ((await execute(statement.text, params, signal)) as Row[])[0],
    run: async (statement, params, signal) =>
      ((await execute(statement.text, params, signal)) as { affectedRows: number }).affectedRows,
  };
}
