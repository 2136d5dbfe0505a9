import type { Model, ModelStatic } from 'sequelize';
import { dateFormatter } from '../sql/dates';
import type { Statement } from '../driver/statement';
import { isMySqlFamily } from '../sql/dialect';
import { describeSessionTable } from '../sql/session-table';
import { mysqlSkipsLocked, sweepStatement, type SweepArgs } from '../sql/sweep-statement';

/** How long a sweep rests after each batch, in multiples of the time the batch took. */
const REST_PER_BATCH = 3;

export interface SweeperOptions {
  /** Most rows one batch deletes. */
  batch: number;
  /** Runs one batch statement; resolves to the rows it deleted. */
  run: (statement: Statement<SweepArgs>, args: SweepArgs) => Promise<number>;
  /** Stored-procedure mode: the CALL of one batch. */
  call?: Statement<SweepArgs> | undefined;
}

/** Deletes the expired sessions of one model in bounded batches. */
export class Sweeper {
  readonly #model: ModelStatic<Model>;
  readonly #options: SweeperOptions;
  readonly #date: (value: Date) => string;
  #statement: Promise<Statement<SweepArgs>> | undefined;

  constructor(model: ModelStatic<Model>, options: SweeperOptions) {
    this.#model = model;
    this.#options = options;
    this.#date = dateFormatter(model);
  }

  /** The statement, written once; on MySQL it waits for the server version, asked once. */
  #prepared(): Promise<Statement<SweepArgs>> {
    if (this.#options.call) return Promise.resolve(this.#options.call);
    if (!this.#statement) {
      const sequelize = this.#model.sequelize!;
      const dialect = sequelize.getDialect();
      const table = describeSessionTable(this.#model);
      const mysql = isMySqlFamily(dialect);
      const skipLocked = mysql ? sequelize.databaseVersion().then(mysqlSkipsLocked) : Promise.resolve(true);
      const batch = this.#options.batch;
      this.#statement = skipLocked.then((skip) => sweepStatement(table, dialect, batch, skip));
      this.#statement.catch(() => (this.#statement = undefined)); // ask again next time
    }
    return this.#statement;
  }

  /**
   * Deletes batch after batch until one comes back short (nothing left, or the rest is locked by
   * another sweeper, which deletes it), or until `keepGoing` says stop. Resolves to the rows deleted.
   */
  async sweep(keepGoing: () => boolean = () => true): Promise<number> {
    const { batch, run } = this.#options;
    const statement = await this.#prepared();
    // Rows that expire during the sweep wait for the next one, so a sweep always ends.
    const args = { now: this.#date(new Date()), batch };
    let total = 0;
    for (;;) {
      const started = performance.now();
      const deleted = await run(statement, args);
      total += deleted;
      if (deleted < batch || !keepGoing()) return total;
      // Rest three times as long as the batch took: one sweep keeps the server busy a quarter of
      // its time, so four app servers sweeping at once still leave requests most of a core.
      await new Promise((resolve) => setTimeout(resolve, REST_PER_BATCH * (performance.now() - started)));
      if (!keepGoing()) return total;
    }
  }
}
