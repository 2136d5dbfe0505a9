import type { Sequelize } from 'sequelize';
import type { Row, Runner } from '../driver/runner';
import type { ProcedureCall } from './procedure-statements';
import type { Statement } from '../sql/hot-statements';
import { mysqlExecutor } from '../driver/mysql-runner';

/** Runs the CALLs of stored-procedure mode; `rows` hands back every row a procedure selects. */
export interface ProcedureRunner extends Runner {
  rows(statement: Statement, params: readonly unknown[], signal?: AbortSignal): Promise<Row[]>;
}

const asIs = (result: unknown): unknown => result;

interface Status {
  affectedRows?: number;
}

/** CALLs through mysql2's execute(), prepared once per connection like the hot statements. */
export function procedureRunner(sequelize: Sequelize): ProcedureRunner {
  const execute = mysqlExecutor(sequelize);
  const call = (statement: ProcedureCall, params: readonly unknown[], signal?: AbortSignal): Promise<unknown> =>
    execute(statement.text, statement.arrange ? statement.arrange(params) : params, asIs, signal);
  // A CALL answers [rows, status] when its procedure selects, and the status alone when it does not.
  const rows = async (statement: Statement, params: readonly unknown[], signal?: AbortSignal): Promise<Row[]> => {
    const result = await call(statement, params, signal);
    return Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as Row[]) : [];
  };
  return {
    rows,
    first: async (statement, params, signal) => (await rows(statement, params, signal))[0],
    run: async (statement, params, signal) => {
      const result = await call(statement, params, signal);
      // The status reports the rows changed by the procedure's last statement, its only one.
      const status = (Array.isArray(result) ? result[result.length - 1] : result) as Status | undefined;
      return status?.affectedRows ?? 0;
    },
  };
}
