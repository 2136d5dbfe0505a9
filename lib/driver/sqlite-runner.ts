import type { Sequelize } from 'sequelize';
import { connectionLender, statementLogger } from './connection-lender';
import type { Runner } from './runner';
import type { Row } from './statement';

interface SqliteStatement {
  all(params: readonly unknown[], callback: (error: Error | null, rows: Row[]) => void): void;
  run(params: readonly unknown[], callback: (this: { changes: number }, error: Error | null) => void): void;
  finalize(callback?: () => void): void;
}

interface SqliteDatabase {
  prepare(text: string, callback: (error: Error | null) => void): SqliteStatement;
  close(callback?: (error: Error | null) => void): unknown;
}

/**
 * Nothing to cut: every operation shares the one handle (interrupting it would fail them all),
 * and a statement on a local file ends by itself, at the latest when the busy timeout runs out.
 */
const abandon = (): void => {};

/**
 * sqlite3 refuses to close a database that has unfinalized statements (SQLITE_BUSY), so ours are
 * finalized first whenever anyone, Sequelize included, closes the handle.
 */
function finalizeBeforeClose(db: SqliteDatabase, statements: Map<string, Promise<SqliteStatement>>): void {
  const close = db.close.bind(db);
  db.close = (callback) => {
    const finalized = [...statements.values()].map((statement) =>
      statement.then(
        (prepared) => new Promise<void>((resolve) => prepared.finalize(() => resolve())),
        () => undefined,
      ),
    );
    statements.clear();
    void Promise.all(finalized).then(() => close(callback));
    return db;
  };
}

/** sqlite3 prepared statements, kept per database handle and per text. */
export function sqliteRunner(sequelize: Sequelize): Runner {
  const lend = connectionLender<SqliteDatabase>(sequelize, abandon);
  const log = statementLogger(sequelize);
  const prepared = new WeakMap<SqliteDatabase, Map<string, Promise<SqliteStatement>>>();

  const statementFor = (db: SqliteDatabase, text: string): Promise<SqliteStatement> => {
    let cache = prepared.get(db);
    if (!cache) {
      prepared.set(db, (cache = new Map<string, Promise<SqliteStatement>>()));
      finalizeBeforeClose(db, cache);
    }
    let statement = cache.get(text);
    if (!statement) {
      statement = new Promise((resolve, reject) => {
        const made = db.prepare(text, (error) => (error ? reject(error) : resolve(made)));
      });
      // A failed prepare (say, the table is not there yet) is tried again next time.
      statement.catch(() => cache.delete(text));
      cache.set(text, statement);
    }
    return statement;
  };

  /** Runs `use` on the prepared statement of `text`; a failed prepare, or sqlite3 refusing a parameter, goes to `done`. */
  const onPrepared = (
    db: SqliteDatabase,
    text: string,
    done: (error: unknown) => void,
    use: (prepared: SqliteStatement) => void,
  ): void => {
    statementFor(db, text)
      .then((prepared) => {
        log?.(text);
        use(prepared);
      })
      .catch(done);
  };

  return {
    returning: true,
    first: (statement, args, signal) =>
      lend<Row | undefined>((db, done) => {
        const params = statement.params(args);
        // all(), not get(): get() leaves the statement open on its row, holding a read lock that
        // would block DROP TABLE and friends until the next use.
        onPrepared(db, statement.text, done, (prepared) =>
          prepared.all(params, (error, rows) => (error ? done(error) : done(null, rows[0]))),
        );
      }, signal),
    all: (statement, args, signal) =>
      lend<Row[]>((db, done) => {
        const params = statement.params(args);
        onPrepared(db, statement.text, done, (prepared) =>
          prepared.all(params, (error, rows) => (error ? done(error) : done(null, rows))),
        );
      }, signal),
    run: (statement, args, signal) =>
      lend<number>((db, done) => {
        const params = statement.params(args);
        onPrepared(db, statement.text, done, (prepared) =>
          prepared.run(params, function (error) {
            if (error) done(error);
            else done(null, this.changes);
          }),
        );
      }, signal),
  };
}
