import type { Row, Statement } from './statement';

/** Runs statements on one driver; each statement builds its own parameters from `args`. */
export interface Runner {
  /**
   * Runs a SELECT; resolves to its first row, or undefined. Once `signal` aborts (the operation's
   * deadline passed) the statement is abandoned and its connection given back.
   */
  first<Args>(statement: Statement<Args>, args: Args, signal?: AbortSignal): Promise<Row | undefined>;
  /** The same, resolving to every row: a multi-row INSERT ... RETURNING. */
  all<Args>(statement: Statement<Args>, args: Args, signal?: AbortSignal): Promise<Row[]>;
  /** Runs an INSERT, UPDATE or DELETE; resolves to the number of rows it changed. */
  run<Args>(statement: Statement<Args>, args: Args, signal?: AbortSignal): Promise<number>;
  /** Whether `first` hands back the rows of an INSERT ... RETURNING (Sequelize's query() on SQLite does not). */
  readonly returning?: boolean;
}
