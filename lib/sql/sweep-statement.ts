import type { Statement } from '../driver/statement';
import type { DateParameter } from './dates';
import type { SessionTable } from './session-table';

/** One batch of a sweep: rows expired before `now`, at most `batch` of them. */
export interface SweepArgs {
  now: DateParameter;
  batch: number;
}

/**
 * Whether the server can skip rows that another transaction holds: MariaDB 10.6+, MySQL 8.0.1+.
 * Without it, sweepers on several app servers queue behind each other's locks instead of taking
 * different rows.
 */
export function mysqlSkipsLocked(version: string): boolean {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) return false;
  const [major, minor, patch] = match.slice(1).map(Number) as [number, number, number];
  if (/mariadb/i.test(version)) return major > 10 || (major === 10 && minor >= 6);
  return major > 8 || (major === 8 && (minor > 0 || patch >= 1));
}

let sweepers = 0;

/**
 * One batch of a sweep → the number of rows deleted, at most `batch`. Oldest first, through the
 * `expires` index. Where the server has SKIP LOCKED, rows another sweeper is deleting are left
 * to it, so a fleet of sweepers splits the work instead of waiting on each other.
 */
export function sweepStatement(
  t: SessionTable,
  dialect: string,
  batch: number,
  skipLocked: boolean,
): Statement<SweepArgs> {
  // Unique per text: PostgreSQL connections are shared by every store on the Sequelize instance.
  const name = `sss_prune${(sweepers += 1)}`;
  const make = (text: string): Statement<SweepArgs> => ({ name, text, params: (a) => [a.now] });
  const now = dialect === 'postgres' ? '$1' : '?';
  const oldest = (columns: string): string =>
    `SELECT ${columns} FROM ${t.table} WHERE ${t.expires} < ${now} ORDER BY ${t.expires} LIMIT ${batch}`;
  switch (dialect) {
    case 'postgres':
      // ARRAY(…) runs the locking subquery once, as an init plan; IN (…) may be planned as a join.
      return make(`DELETE FROM ${t.table} WHERE ${t.sid} = ANY(ARRAY(${oldest(t.sid)} FOR UPDATE SKIP LOCKED))`);
    case 'mysql':
    case 'mariadb':
      // MySQL takes no LIMIT inside IN (…), but a derived table may have one.
      return make(
        skipLocked
          ? `DELETE s FROM ${t.table} AS s JOIN (${oldest(t.sid)} FOR UPDATE SKIP LOCKED) AS expired ` +
              `ON s.${t.sid} = expired.${t.sid}`
          : `DELETE FROM ${t.table} WHERE ${t.expires} < ? ORDER BY ${t.expires} LIMIT ${batch}`,
      );
    case 'sqlite':
      // rowid: the table's own key, cheaper than a second lookup by sid.
      return make(`DELETE FROM ${t.table} WHERE rowid IN (${oldest('rowid')})`);
    default:
      // No batched form written for this dialect: one DELETE of everything expired.
      return make(`DELETE FROM ${t.table} WHERE ${t.expires} < ?`);
  }
}
