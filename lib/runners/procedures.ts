import type { Sequelize } from 'sequelize';
import type { Row, Runner } from '../runner';
import type { ProcedureCall } from '../procedures';
import type { Statement } from '../sql';
import { mysqlExecutor } from './mysql';

/** Runs the CALLs of stored-procedure mode; `rows` hands back every row a procedure selects. */
export interface ProcedureRunner extends Runner {
  rows(statement: Statement, params: readonly unknown[]): Promise<Row[]>;
}

interface Status {
  affectedRows?: number;
}

/** CALLs through mysql2's execute(), prepared once per connection like the hot statements. */
export function procedureRunner(sequelize: Sequelize): ProcedureRunner {
  const execute = mysqlExecutor(sequelize);
  const call = (statement: ProcedureCall, params: readonly unknown[]): Promise<unknown> =>
    execute(statement.text, statement.arrange ? statement.arrange(params) : params);
  // A CALL answers [rows, status] when its procedure selects, and the status alone when it does not.
  const rows = async (statement: Statement, params: readonly unknown[]): Promise<Row[]> => {
    const result = await call(statement, params);
    return Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as Row[]) : [];
  };
  return {
    rows,
    first: async (statement, params) => (await rows(statement, params))[0],
    run: async (statement, params) => {
      const result = await call(statement, params);
      // The status reports the rows changed by the procedure's last statement, its only one.
      const status = (Array.isArray(result) ? result[result.length - 1] : result) as Status | undefined;
      return status?.affectedRows ?? 0;
    },
  };
}
