import type { Sequelize } from 'sequelize';
import { mysqlExecutor } from '../driver/mysql-runner';
import type { Runner } from '../driver/runner';
import type { Row, Statement } from '../driver/statement';

/** Runs the CALLs of stored-procedure mode; `rows` hands back every row a procedure selects. */
export interface ProcedureRunner extends Runner {
  rows<Args>(statement: Statement<Args>, args: Args, signal?: AbortSignal): Promise<Row[]>;
}

const asIs = (result: unknown): unknown => result;

interface Status {
  affectedRows?: number;
}

/** CALLs through mysql2's execute(), prepared once per connection like the hot statements. */
export function procedureRunner(sequelize: Sequelize): ProcedureRunner {
  const execute = mysqlExecutor(sequelize);
  const call = <Args>(statement: Statement<Args>, args: Args, signal?: AbortSignal): Promise<unknown> =>
    execute(statement.text, statement.params(args), asIs, signal);
  // A CALL answers [rows, status] when its procedure selects, and the status alone when it does not.
  const rows = async <Args>(statement: Statement<Args>, args: Args, signal?: AbortSignal): Promise<Row[]> => {
    const result = await call(statement, args, signal);
    return Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as Row[]) : [];
  };
  return {
    rows,
    all: rows,
    first: async (statement, args, signal) => (await rows(statement, args, signal))[0],
    run: async (statement, args, signal) => {
      const result = await call(statement, args, signal);
      // The status reports the rows changed by the procedure's last statement, its only one.
      const status = (Array.isArray(result) ? result[result.length - 1] : result) as Status | undefined;
      return status?.affectedRows ?? 0;
    },
  };
}
