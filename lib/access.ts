import type { Model, ModelStatic } from 'sequelize';
import type { DateParameter } from './sql/dates';
import { prepareProcedureCalls } from './procedures/procedure-statements';
import { modelQueries, procedureQueries, type SessionQueries } from './sql/listing-queries';
import { createRunner, type Runner } from './driver/runner';
import { procedureRunner } from './procedures/procedure-runner';
import { prepareStatements, type HotStatements, type SessionTable, type Statement } from './sql/hot-statements';

/** How a store reaches its rows: the hot statements, what runs them, and the cold queries. */
export interface SessionAccess {
  table: SessionTable;
  statements: HotStatements;
  runner: Runner;
  queries: SessionQueries;
  /** Stored-procedure mode: the CALL of one cleanup batch, (now, batch); else the sweeper writes its own. */
  prune?: Statement;
}

/**
 * Plain statements and the model API by default; with `storedProcedures`, CALLs of the shipped
 * procedures for everything, so that a user with only EXECUTE rights can run the store.
 */
export function sessionAccess(
  model: ModelStatic<Model>,
  storedProcedures: boolean,
  date: (value: Date) => DateParameter,
): SessionAccess {
  const sequelize = model.sequelize!;
  if (!storedProcedures) {
    return { ...prepareStatements(model), runner: createRunner(sequelize), queries: modelQueries(model) };
  }
  const calls = prepareProcedureCalls(model);
  const runner = procedureRunner(sequelize);
  return {
    table: calls.table,
    statements: calls.statements,
    runner,
    queries: procedureQueries(runner, calls, date),
    prune: calls.prune,
  };
}
