import type { DateParameter } from '../sql/dates';
import type { SessionQueries, StoredSession } from '../sql/model-queries';
import type { ProcedureCalls } from './procedure-calls';
import type { ProcedureRunner } from './procedure-runner';

/** Through the shipped procedures, for a database user that may only EXECUTE them. */
export function procedureQueries(
  runner: ProcedureRunner,
  calls: ProcedureCalls,
  date: (value: Date) => DateParameter,
): SessionQueries {
  return {
    live: async (now) => (await runner.rows(calls.all, { now: date(now) })) as unknown as StoredSession[],
    count: async (now) => Number((await runner.first(calls.length, { now: date(now) }))?.n ?? 0),
    clear: async () => {
      await runner.run(calls.clear, {});
    },
  };
}
