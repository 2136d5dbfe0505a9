import type { Sequelize } from 'sequelize';
import { connectionLender, statementLogger, type Row, type Runner } from '../runner';

interface QueryResult {
  rows: Row[];
  rowCount: number | null;
}

interface PgClient {
  query(
    config: { name: string; text: string; values: readonly unknown[] },
    callback: (error: Error | null, result: QueryResult) => void,
  ): void;
}

/** pg named queries: parsed and planned once per connection, then only bound and executed. */
export function postgresRunner(sequelize: Sequelize): Runner {
  const lend = connectionLender<PgClient>(sequelize);
  const log = statementLogger(sequelize);
  const query = (name: string, text: string, values: readonly unknown[]): Promise<QueryResult> =>
    lend(
      (client) =>
        new Promise((resolve, reject) => {
          log?.(text);
          client.query({ name, text, values }, (error, result) => (error ? reject(error) : resolve(result)));
        }),
    );
  return {
    first: async (statement, params) => (await query(statement.name, statement.text, params)).rows[0],
    run: async (statement, params) => (await query(statement.name, statement.text, params)).rowCount ?? 0,
  };
}
