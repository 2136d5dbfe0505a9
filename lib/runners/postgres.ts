import type { Sequelize } from 'sequelize';
import { connectionLender, statementLogger, type Row, type Runner } from '../runner';
import type { Statement } from '../sql';

interface QueryResult {
  rows: Row[];
  rowCount: number | null;
}

interface PgClient {
  query(
    config: { name: string; text: string; values: readonly unknown[] },
    callback: (error: Error | null, result: QueryResult) => void,
  ): void;
  connection: { stream: { destroy(): void } };
}

/** Destroys the socket: pg then fails the pending query at once ("Connection terminated unexpectedly"). */
const abandon = (client: PgClient): void => client.connection.stream.destroy();

/** pg named queries: parsed and planned once per connection, then only bound and executed. */
export function postgresRunner(sequelize: Sequelize): Runner {
  const lend = connectionLender<PgClient>(sequelize, abandon);
  const log = statementLogger(sequelize);
  const query = (statement: Statement, values: readonly unknown[], signal?: AbortSignal): Promise<QueryResult> =>
    lend(
      (client) =>
        new Promise((resolve, reject) => {
          log?.(statement.text);
          client.query({ name: statement.name, text: statement.text, values }, (error, result) =>
            error ? reject(error) : resolve(result),
          );
        }),
      signal,
    );
  return {
    first: (statement, params, signal) => query(statement, params, signal).then((result) => result.rows[0]),
    run: (statement, params, signal) => query(statement, params, signal).then((result) => result.rowCount ?? 0),
  };
}
