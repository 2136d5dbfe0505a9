import { isMissingTable } from './driver/errors';
import { PREFIX } from './messages';

/**
 * A missing table, most often a `store.sync()` forgotten with one's own `db`, said in our words
 * with what to do; the driver's error stays as `cause`. Any other error passes through.
 */
export function explainMissingTable(error: unknown, table: string): unknown {
  if (!isMissingTable(error)) return error;
  return new Error(
    `${PREFIX} the sessions table ${table} does not exist. Create it before the first request: ` +
      'call `await store.sync()` at start, set `createTable: true`, or run ' +
      '`npx sequelize-session-store migrate --url <database url>` as a deploy step ' +
      `(${(error as Error).message})`,
    { cause: error },
  );
}
