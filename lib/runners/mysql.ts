import type { Sequelize } from 'sequelize';
import { connectionLender, statementLogger, type Row, type Runner } from '../runner';

interface MySqlConnection {
  execute(text: string, params: readonly unknown[], callback: (error: Error | null, result: unknown) => void): void;
}

/** mysql2's execute(): a server-side prepared statement, cached per connection by the driver. */
export function mysqlRunner(sequelize: Sequelize): Runner {
  const lend = connectionLender<MySqlConnection>(sequelize);
  const log = statementLogger(sequelize);
  const execute = (text: string, params: readonly unknown[]): Promise<unknown> =>
    lend(
      (connection) =>
        new Promise((resolve, reject) => {
          log?.(text);
          connection.execute(text, params, (error, result) => (error ? reject(error) : resolve(result)));
        }),
    );
  return {
    first: async (statement, params) => ((await execute(statement.text, params)) as Row[])[0],
    run: async (statement, params) => ((await execute(statement.text, params)) as { affectedRows: number }).affectedRows,
  };
}
