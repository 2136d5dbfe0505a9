import { createHash } from 'node:crypto';
import type { Statement } from '../driver/statement';
import type { DateParameter } from './dates';
import { isMySqlFamily } from './dialect';
import { placeholders, type TouchArgs } from './hot-statements';
import type { SessionTable } from './session-table';

/** One batch of touches: each row as its own touch has it, and the time of the batch. */
export interface TouchBatchArgs {
  /** At most one per key, in key order. */
  rows: readonly TouchArgs[];
  updatedAt: DateParameter;
  now: DateParameter;
}

/** Most touches one statement carries. */
export const MAX_BATCH_ROWS = 500;

/**
 * Most bytes of parameters one statement carries, by a generous estimate (each touch's key is sent
 * up to three times on MySQL): within MySQL's smallest `max_allowed_packet` (1 MiB).
 */
export const MAX_BATCH_BYTES = 512 * 1024;

/**
 * The sizes a batch is cut to, each a statement text prepared per connection (and, on MySQL and
 * MariaDB, counted against the server's max_prepared_stmt_count): 18 of them, not one per size
 * from 2 to 500. A batch of 40 ready writes sends 32; the other 8 go in the next.
 */
const BATCH_SIZES = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, MAX_BATCH_ROWS];

/** The largest batch size that `count` ready writes fill. */
export function batchSize(count: number): number {
  let size = 1;
  for (const candidate of BATCH_SIZES) if (candidate <= count) size = candidate;
  return size;
}

let batchStoreCount = 0;

/**
 * The multi-row touch, one text per number of rows. Each row keeps the rules of the one-row touch
 * (`hot-statements.ts`): an expired row stays expired, and a move of less than a second writes
 * nothing. MySQL/MariaDB take CASE and IN rather than a derived table of parameters, whose
 * collation could clash with the sid column's; the byte-wise sid test applies as in the one-row touch.
 */
export function touchBatchStatements(
  t: SessionTable,
  dialect: string,
  tombstones: boolean,
): (rows: number) => Statement<TouchBatchArgs> {
  const prefix = `sssg${(batchStoreCount += 1)}_`;
  const p = placeholders(dialect);
  const cache = new Map<number, Statement<TouchBatchArgs>>();
  const write = (rows: number): { text: string; params: (a: TouchBatchArgs) => unknown[] } => {
    const stamp = t.updatedAt;
    if (isMySqlFamily(dialect)) {
      const exact = `CAST(${t.sid} AS BINARY) = CAST(? AS BINARY)`;
      const repeat = (one: string, joint: string): string => Array.from({ length: rows }, () => one).join(joint);
      const text =
        `UPDATE ${t.table} SET ${t.expires} = CASE ${repeat(`WHEN ${exact} THEN ?`, ' ')} ELSE ${t.expires} END` +
        `${stamp ? `, ${stamp} = ?` : ''} WHERE ${t.sid} IN (${repeat('?', ', ')}) AND ${t.expires} > ? ` +
        `AND (${repeat(`(${exact} AND (${t.expires} <= ? OR ${t.expires} >= ?))`, ' OR ')})` +
        (tombstones ? ` AND ${t.data} IS NOT NULL` : '');
      return {
        text,
        params: (a) => {
          const params: unknown[] = [];
          for (const row of a.rows) params.push(row.key, row.expires);
          if (stamp) params.push(a.updatedAt);
          for (const row of a.rows) params.push(row.key);
          params.push(a.now);
          for (const row of a.rows) params.push(row.key, row.earliest, row.latest);
          return params;
        },
      };
    }
    // PostgreSQL types a VALUES column by its first row, and a parameter by its use: say both.
    const postgres = dialect === 'postgres';
    let position = 0;
    const next = (cast = ''): string => `${p((position += 1))}${postgres ? cast : ''}`;
    const set = stamp ? `, ${stamp} = ${next()}` : '';
    const values = Array.from(
      { length: rows },
      () => `(${next('::text')}, ${next('::timestamptz')}, ${next('::timestamptz')}, ${next('::timestamptz')})`,
    ).join(', ');
    const now = next();
    // SQLite names a VALUES table's columns column1, column2, … and takes no list of names.
    const [sid, expires, lo, hi] = postgres
      ? ['v.sid', 'v.expires', 'v.lo', 'v.hi']
      : ['v.column1', 'v.column2', 'v.column3', 'v.column4'];
    const column = (quoted: string): string => `s.${quoted}`;
    // PostgreSQL locks the rows of a join in whatever order its plan reads them, which changes with
    // the batch's size: two processes' batches could lock shared rows in opposite orders and
    // deadlock. The rows are locked first, in byte order of sid (the order of every batch's rows).
    const from = postgres
      ? `WITH v(sid, expires, lo, hi) AS (VALUES ${values}), locked AS (SELECT ${column(t.sid)} AS sid ` +
        `FROM ${t.table} AS s JOIN v ON ${column(t.sid)} = v.sid ORDER BY ${column(t.sid)} COLLATE "C" FOR UPDATE OF s) ` +
        `UPDATE ${t.table} AS s SET ${t.expires} = ${expires}${set} FROM v, locked ` +
        `WHERE locked.sid = ${column(t.sid)} AND `
      : `UPDATE ${t.table} AS s SET ${t.expires} = ${expires}${set} FROM (VALUES ${values}) AS v WHERE `;
    const text =
      from +
      `${column(t.sid)} = ${sid} AND ${column(t.expires)} > ${now} ` +
      `AND (${column(t.expires)} <= ${lo} OR ${column(t.expires)} >= ${hi})` +
      // A tombstone is no session: a touch passes it by, as the one-row touch does.
      (tombstones ? ` AND ${column(t.data)} IS NOT NULL` : '');
    return {
      text,
      params: (a) => {
        const params: unknown[] = stamp ? [a.updatedAt] : [];
        for (const row of a.rows) params.push(row.key, row.expires, row.earliest, row.latest);
        params.push(a.now);
        return params;
      },
    };
  };
  return (rows) => {
    let statement = cache.get(rows);
    if (!statement) {
      const { text, params } = write(rows);
      const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
      statement = { name: `${prefix}touch${rows}_${hash}`, text, params };
      cache.set(rows, statement);
    }
    return statement;
  };
}
