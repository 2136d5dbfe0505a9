import type { Sequelize } from 'sequelize';
import { connectionLender, statementLogger, type Row, type Runner } from '../runner';

interface MySqlConnection {
  execute(text: string, params: readonly unknown[], callback: (error: Error | null, result: unknown) => void): void;
}

/** mysql2's execute() on a borrowed connection: a server-side prepared statement, cached per connection by the driver. */
export function mysqlExecutor(sequelize: Sequelize): (text: string, params: readonly unknown[]) => Promise<unknown> {
  const lend = connectionLender<MySqlConnection>(sequelize);
  const log = statementLogger(sequelize);
  return (text, params) =>
    lend(
      (connection) =>
        new Promise((resolve, reject) => {
          log?.(text);
          connection.execute(text, params, (error, result) => (error ? reject(error) : resolve(result)));
        }),
    );
}

/** The hot statements through mysqlExecutor. */
export function mysqlRunner(sequelize: Sequelize): Runner {
  const execute = mysqlExecutor(sequelize);
  return {
    first: async (statement, params) => ((await execute(statement.text, params)) as Row[])[0],
    run: async (statement, params) => ((await execute(statement.text, params)) as { affectedRows: number }).affectedRows,
  };
}
