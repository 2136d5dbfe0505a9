import type { SessionData } from 'express-session';
import type { Model, ModelStatic } from 'sequelize';
import type { SessionAccess } from './access';
import type { Runner } from './driver/runner';
import type { Row } from './driver/statement';
import type { SessionWriter } from './group-commit/session-writer';
import type { Resilience } from './resilience/resilience';
import { columnValues } from './session/row-fields';
import type { DateParameter } from './sql/dates';
import type { HotStatements } from './sql/hot-statements';
import { rowToInstance, upsertReturnsRow } from './sql/saved-row';

/**
 * The write of a save, and the saved row it hands back as an instance of the model (the contract of
 * connect-session-sequelize): from the upsert's own RETURNING where the server has it, else a read.
 */
export class SavedRows {
  readonly #model: ModelStatic<Model>;
  readonly #statements: HotStatements;
  /** The hot statements' runner, retried by the store's resilience. */
  readonly #runner: Runner;
  readonly #runnerReturns: boolean;
  readonly #resilience: Resilience;
  readonly #date: (value: Date) => DateParameter;
  readonly #instance: (row: Row) => Model;
  /** Sends the upserts that return their row, by group commit with `groupCommit`. */
  readonly #writer: SessionWriter;
  #returning: boolean | Promise<boolean> | undefined;

  constructor(
    model: ModelStatic<Model>,
    access: SessionAccess,
    runner: Runner,
    resilience: Resilience,
    date: (value: Date) => DateParameter,
    writer: SessionWriter,
  ) {
    this.#writer = writer;
    this.#model = model;
    this.#statements = access.statements;
    this.#runner = runner;
    this.#runnerReturns = access.runner.returning === true;
    this.#resilience = resilience;
    this.#date = date;
    this.#instance = rowToInstance(model);
  }

  /** Whether the upsert returns the row it wrote; asked of the server at the first save, then known. */
  #returns(): boolean | Promise<boolean> {
    if (this.#returning === undefined) {
      // Retried like any statement: every save waits for this answer, and fails with it.
      const model = this.#model;
      const asking = this.#runnerReturns
        ? this.#resilience.call(() => upsertReturnsRow(model), undefined)
        : Promise.resolve(false);
      this.#returning = asking.then((returns) => (this.#returning = returns));
      asking.catch(() => (this.#returning = undefined)); // ask again at the next save
    }
    return this.#returning;
  }

  /**
   * Writes the row of `key` in one upsert and resolves to it as stored. A logout's tombstone stops
   * the save of a session that has a cookie: express-session, Fastify and the Koa adapter always
   * hand one over, and such a save may have been under way when the session was destroyed. A
   * session without one comes from a direct call (connect-session-sequelize's own suite saves a
   * sid again after destroying it), and is written as asked.
   */
  async save(
    key: string,
    fields: Record<string, unknown>,
    signal: AbortSignal | undefined,
    session: SessionData,
  ): Promise<Model> {
    const returning = this.#returns();
    const returns = typeof returning === 'boolean' ? returning : await returning;
    const attributes = Object.keys(fields);
    const overTombstone = session.cookie === undefined;
    const statement = this.#statements.upsert(attributes, returns, overTombstone);
    if (!statement) {
      const model = this.#model;
      await this.#resilience.call(() => model.upsert({ sid: key, ...fields }), signal);
      return (await this.#resilience.call(() => model.findOne({ where: { sid: key } }), signal))!;
    }
    const now = this.#date(new Date());
    const args = { key, values: columnValues(fields, this.#date), createdAt: now, updatedAt: now };
    if (returns) {
      const saved = await this.#writer.save({ statement, args, attributes, overTombstone }, signal);
      // No row: the upsert passed a tombstone by, the session was destroyed; nothing was stored.
      return saved ? this.#instance(saved) : this.#model.build({ sid: key, ...fields });
    }
    await this.#runner.run(statement, args, signal);
    // MySQL has no RETURNING: the row as stored costs a read (procedures: what was written).
    const read = this.#statements.row;
    const row = read ? await this.#runner.first(read, { key }, signal) : undefined;
    return row ? this.#instance(row) : this.#model.build({ sid: key, ...fields }, { isNewRecord: false });
  }
}
