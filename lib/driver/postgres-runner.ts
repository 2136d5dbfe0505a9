import type { Sequelize } from 'sequelize';
import { connectionLender, statementLogger } from './connection-lender';
import { cutPgClient, type PgClient } from './internals';
import type { Runner } from './runner';
import type { Row, Statement } from './statement';

interface QueryResult {
  rows: Row[];
  rowCount: number | null;
}

const firstRow = (result: QueryResult): Row | undefined => result.rows[0];
const rowCount = (result: QueryResult): number => result.rowCount ?? 0;

/** pg named queries: parsed and planned once per connection, then only bound and executed. */
export function postgresRunner(sequelize: Sequelize): Runner {
  const lend = connectionLender<PgClient>(sequelize, cutPgClient);
  const log = statementLogger(sequelize);
  const query = <Args, T>(
    statement: Statement<Args>,
    args: Args,
    read: (result: QueryResult) => T,
    signal?: AbortSignal,
  ): Promise<T> =>
    lend<T>((client, done) => {
      log?.(statement.text);
      const values = statement.params(args);
      client.query({ name: statement.name, text: statement.text, values }, (error, result) =>
        error ? done(error) : done(null, read(result)),
      );
    }, signal);
  return {
    returning: true,
    first: (statement, args, signal) => query(statement, args, firstRow, signal),
    run: (statement, args, signal) => query(statement, args, rowCount, signal),
  };
}
