import type { Model, ModelStatic } from 'sequelize';
import { createRunner } from './driver/create-runner';
import { missingInternals } from './driver/internals';
import type { Runner } from './driver/runner';
import type { Statement } from './driver/statement';
import { PREFIX } from './messages';
import { prepareProcedureCalls } from './procedures/procedure-calls';
import { procedureQueries } from './procedures/procedure-queries';
import { procedureRunner } from './procedures/procedure-runner';
import type { DateParameter } from './sql/dates';
import { prepareStatements, tombstoneObstacle, type HotStatements } from './sql/hot-statements';
import { modelQueries, type SessionQueries } from './sql/model-queries';
import type { SessionTable } from './sql/session-table';
import type { SweepArgs } from './sql/sweep-statement';

/** How a store reaches its rows: the hot statements, what runs them, and the cold queries. */
export interface SessionAccess {
  table: SessionTable;
  statements: HotStatements;
  runner: Runner;
  queries: SessionQueries;
  /** Whether a logout leaves a tombstone that a later save cannot overwrite (see hot-statements). */
  tombstones: boolean;
  /** Stored-procedure mode: the CALL of one cleanup batch; else the sweeper writes its own. */
  sweep?: Statement<SweepArgs>;
}

/**
 * Plain statements and the model API by default; with `storedProcedures`, CALLs of the shipped
 * procedures for everything, so that a user with only EXECUTE rights can run the store.
 */
export function sessionAccess(
  model: ModelStatic<Model>,
  storedProcedures: boolean,
  date: (value: Date) => DateParameter,
  warn?: (message: string) => void,
  notice?: (message: string) => void,
): SessionAccess {
  const sequelize = model.sequelize!;
  if (!storedProcedures) {
    const obstacle = tombstoneObstacle(model);
    if (obstacle !== undefined) notice?.(`logouts delete the row and a save under way may bring it back: ${obstacle}`);
    return { ...prepareStatements(model), runner: createRunner(sequelize, warn, notice), queries: modelQueries(model) };
  }
  const missing = missingInternals(sequelize);
  if (missing.length > 0) {
    // The CALLs need mysql2's own connection; Sequelize's query() does not hand back what they return.
    throw new Error(`${PREFIX} storedProcedures needs ${missing.join(', ')}, which this Sequelize release lacks`);
  }
  const calls = prepareProcedureCalls(model);
  const runner = procedureRunner(sequelize);
  return {
    table: calls.table,
    statements: calls.statements,
    tombstones: false,
    runner,
    queries: procedureQueries(runner, calls, date),
    sweep: calls.prune,
  };
}
