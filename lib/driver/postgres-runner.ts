import type { Sequelize } from 'sequelize';
import { connectionLender, statementLogger, type Row, type Runner } from './runner';
import type { Statement } from '../sql/hot-statements';

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

const firstRow = (result: QueryResult): Row | undefined => result.rows[0];
const rowCount = (result: QueryResult): number => result.rowCount ?? 0;

/** pg named queries: parsed and planned once per connection, then only bound and executed. */
export function postgresRunner(sequelize: Sequelize): Runner {
  const lend = connectionLender<PgClient>(sequelize, abandon);
  const log = statementLogger(sequelize);
  const query = <T>(
    statement: Statement,
    values: readonly unknown[],
    read: (result: QueryResult) => T,
    signal?: AbortSignal,
  ): Promise<T> =>
    lend<T>((client, done) => {
      log?.(statement.text);
      client.query({ name: statement.name, text: statement.text, values }, (error, result) =>
        error ? done(error) : done(null, read(result)),
      );
    }, signal);
  return {
    first: (statement, params, signal) => query(statement, params, firstRow, signal),
    run: (statement, params, signal) => query(statement, params, rowCount, signal),
  };
}
