import type { Model, ModelStatic } from 'sequelize';
import { dateFormatter } from '../sql/dates';
import { describeSessionTable, type SessionTable, type Statement } from '../sql/hot-statements';
import { isMySqlFamily } from '../sql/dialect';

/**
 * Whether the server can skip rows that another transaction holds: MariaDB 10.6+, MySQL 8.0.1+.
 * Without it, sweepers on several app servers queue behind each other's locks instead of taking
 * different rows.
 */
export function mysqlSkipsLocked(version: string): boolean {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) return false;
  const [major, minor, patch] = match.slice(1).map(Number) as [number, number, number];
  if (/mariadb/i.test(version)) return major > 10 || (major === 10 && minor >= 6);
  return major > 8 || (major === 8 && (minor > 0 || patch >= 1));
}

let sweepers = 0;

/** How long a sweep rests after each batch, in multiples of the time the batch took. */
const REST_PER_BATCH = 3;

/**
 * One batch: (now) → the number of rows deleted, at most `batch`. Oldest first, through the
 * `expires` index. Where the server has SKIP LOCKED, rows another sweeper is deleting are left
 * to it, so a fleet of sweepers splits the work instead of waiting on each other.
 */
export function pruneStatement(t: SessionTable, dialect: string, batch: number, skipLocked: boolean): Statement {
  // Unique per text: PostgreSQL connections are shared by every store on the Sequelize instance.
  const name = `sss_prune${(sweepers += 1)}`;
  const now = dialect === 'postgres' ? '$1' : '?';
  const oldest = (columns: string): string =>
    `SELECT ${columns} FROM ${t.table} WHERE ${t.expires} < ${now} ORDER BY ${t.expires} LIMIT ${batch}`;
  switch (dialect) {
    case 'postgres':
      // ARRAY(…) runs the locking subquery once, as an init plan; IN (…) may be planned as a join.
      return {
        name,
        text: `DELETE FROM ${t.table} WHERE ${t.sid} = ANY(ARRAY(${oldest(t.sid)} FOR UPDATE SKIP LOCKED))`,
      };
    case 'mysql':
    case 'mariadb':
      // MySQL takes no LIMIT inside IN (…), but a derived table may have one.
      return skipLocked
        ? {
            name,
            text:
              `DELETE s FROM ${t.table} AS s JOIN (${oldest(t.sid)} FOR UPDATE SKIP LOCKED) AS expired ` +
              `ON s.${t.sid} = expired.${t.sid}`,
          }
        : { name, text: `DELETE FROM ${t.table} WHERE ${t.expires} < ? ORDER BY ${t.expires} LIMIT ${batch}` };
    case 'sqlite':
      // rowid: the table's own key, cheaper than a second lookup by sid.
      return { name, text: `DELETE FROM ${t.table} WHERE rowid IN (${oldest('rowid')})` };
    default:
      // No batched form written for this dialect: one DELETE of everything expired.
      return { name, text: `DELETE FROM ${t.table} WHERE ${t.expires} < ?` };
  }
}

export interface SweeperOptions {
  /** Most rows one batch deletes. */
  batch: number;
  /** Runs one batch statement; resolves to the rows it deleted. */
  run: (statement: Statement, params: readonly unknown[]) => Promise<number>;
  /** Stored-procedure mode: the CALL of one batch, taking (now, batch). */
  call?: Statement | undefined;
}

/** Deletes the expired sessions of one model in bounded batches. */
export class Sweeper {
  readonly #model: ModelStatic<Model>;
  readonly #options: SweeperOptions;
  readonly #date: (value: Date) => string;
  #statement: Promise<Statement> | undefined;

  constructor(model: ModelStatic<Model>, options: SweeperOptions) {
    this.#model = model;
    this.#options = options;
    this.#date = dateFormatter(model);
  }

  /** The statement, written once; on MySQL it waits for the server version, asked once. */
  #prepared(): Promise<Statement> {
    if (this.#options.call) return Promise.resolve(this.#options.call);
    if (!this.#statement) {
      const sequelize = this.#model.sequelize!;
      const dialect = sequelize.getDialect();
      const table = describeSessionTable(this.#model);
      const mysql = isMySqlFamily(dialect);
      const skipLocked = mysql ? sequelize.databaseVersion().then(mysqlSkipsLocked) : Promise.resolve(true);
      const batch = this.#options.batch;
      this.#statement = skipLocked.then((skip) => pruneStatement(table, dialect, batch, skip));
      this.#statement.catch(() => (this.#statement = undefined)); // ask again next time
    }
    return this.#statement;
  }

  /**
   * Deletes batch after batch until one comes back short (nothing left, or the rest is locked by
   * another sweeper, which deletes it), or until `keepGoing` says stop. Resolves to the rows deleted.
   */
  async sweep(keepGoing: () => boolean = () => true): Promise<number> {
    const { batch, run, call } = this.#options;
    const statement = await this.#prepared();
    // Rows that expire during the sweep wait for the next one, so a sweep always ends.
    const now = this.#date(new Date());
    const params = call ? [now, batch] : [now];
    let total = 0;
    for (;;) {
      const started = performance.now();
      const deleted = await run(statement, params);
      total += deleted;
      if (deleted < batch || !keepGoing()) return total;
      // Rest three times as long as the batch took: one sweep keeps the server busy a quarter of
      // its time, so four app servers sweeping at once still leave requests most of a core
      // (measured: resting only as long as the batch took let p99 get latency rise 4-5x then).
      await new Promise((resolve) => setTimeout(resolve, REST_PER_BATCH * (performance.now() - started)));
      if (!keepGoing()) return total;
    }
  }
}
