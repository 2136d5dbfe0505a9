import type { Sequelize } from 'sequelize';
import { connectionLender, statementLogger } from './connection-lender';
import { isRefusedByPooler } from './errors';
import { cutPgClient, type PgClient } from './internals';
import type { Runner } from './runner';
import type { Row, Statement } from './statement';

interface QueryResult {
  rows: Row[];
  rowCount: number | null;
}

const firstRow = (result: QueryResult): Row | undefined => result.rows[0];
const allRows = (result: QueryResult): Row[] => result.rows;
const rowCount = (result: QueryResult): number => result.rowCount ?? 0;

/** Sequelize instances found behind a transaction pooler: their statements go unnamed from then on. */
const pooled = new WeakSet<Sequelize>();

/**
 * pg named queries: parsed and planned once per connection, then only bound and executed.
 *
 * Behind a transaction-mode pooler (PgBouncer, Supabase's, Neon's pooled endpoint) a client
 * connection is served by whichever server connection is free, so a statement named on one is
 * missing on, or already there in, another. The first such refusal (it comes before anything is
 * executed) switches the Sequelize instance to unnamed statements, which live within one
 * Parse/Bind/Execute/Sync and so within one transaction, and sends the statement again at once;
 * `notice` says so once.
 */
export function postgresRunner(sequelize: Sequelize, notice?: (message: string) => void): Runner {
  const lend = connectionLender<PgClient>(sequelize, cutPgClient);
  const log = statementLogger(sequelize);
  const unname = (error: unknown): void => {
    if (pooled.has(sequelize)) return;
    pooled.add(sequelize);
    notice?.(
      `PostgreSQL refused a prepared statement of the store (${(error as Error).message}): a transaction ` +
        'pooler such as PgBouncer is in between, so the store sends its statements unnamed from now on',
    );
  };
  const query = <Args, T>(
    statement: Statement<Args>,
    args: Args,
    read: (result: QueryResult) => T,
    signal?: AbortSignal,
  ): Promise<T> =>
    lend<T>((client, done) => {
      log?.(statement.text);
      const values = statement.params(args);
      const send = (name: string | undefined): void =>
        client.query({ name, text: statement.text, values }, (error, result) => {
          if (error && name !== undefined && isRefusedByPooler(error)) {
            unname(error);
            send(undefined);
          } else if (error) done(error);
          else done(null, read(result));
        });
      send(pooled.has(sequelize) ? undefined : statement.name);
    }, signal);
  return {
    returning: true,
    first: (statement, args, signal) => query(statement, args, firstRow, signal),
    all: (statement, args, signal) => query(statement, args, allRows, signal),
    run: (statement, args, signal) => query(statement, args, rowCount, signal),
  };
}
