import { createHash } from 'node:crypto';
import type { Model, ModelStatic } from 'sequelize';
import type { Statement } from '../driver/statement';
import type { DateParameter } from './dates';
import { isMySqlFamily } from './dialect';
import { describeSessionTable, type SessionTable } from './session-table';

/** What get and destroy look a row up by; `now` hides an expired row. */
export interface ReadArgs {
  key: string;
  now: DateParameter;
}

export interface DestroyArgs {
  key: string;
}

/** A touch: the new expiry, written only when it moves by a second or more (`earliest`, `latest`). */
export interface TouchArgs {
  key: string;
  expires: DateParameter;
  updatedAt: DateParameter;
  now: DateParameter;
  /** expires - 1 s */
  earliest: DateParameter;
  /** expires + 1 s */
  latest: DateParameter;
}

/** A save: the values of the written attributes, by attribute, ready for the driver. */
export interface UpsertArgs {
  key: string;
  values: Readonly<Record<string, unknown>>;
  createdAt: DateParameter;
  updatedAt: DateParameter;
}

/** The statements of the hot path, written once per store. */
export interface HotStatements {
  /** → { data } */
  get: Statement<ReadArgs>;
  /** → { data, expires }, for touch throttling */
  getWithExpiry: Statement<ReadArgs>;
  /** Writes only when the expiry moves by a second or more, the resolution of a cookie's own expiry. */
  touch: Statement<TouchArgs>;
  /**
   * The touch that always writes, which the stored procedures were made from before the
   * one-second rule (their signature stays as shipped).
   */
  touchAlways: Statement<TouchArgs>;
  destroy: Statement<DestroyArgs>;
  /** → the whole row, live or not: what `set` hands back where the upsert cannot return it. */
  row?: Statement<DestroyArgs>;
  /**
   * The atomic upsert of these attributes, with `returning` also handing back the row as stored;
   * undefined on a dialect without one (the store then uses Model.upsert).
   */
  upsert(attributes: readonly string[], returning?: boolean): Statement<UpsertArgs> | undefined;
}

/** Placeholders: PostgreSQL numbers them, the others take `?`. */
export function placeholders(dialect: string): (position: number) => string {
  return dialect === 'postgres' ? (position) => `$${position}` : () => '?';
}

/**
 * MySQL/MariaDB compare a sid with its column's collation: PAD SPACE ('abc ' = 'abc', even with a
 * binary collation) and often case-insensitive (connect-session-sequelize's table). The byte-wise
 * comparison rules that out, while the plain one still finds the row through the primary key.
 */
function exactSid(t: SessionTable, other: string): string {
  return `CAST(${t.sid} AS BINARY) = CAST(${other} AS BINARY)`;
}

function upsertTail(dialect: string, t: SessionTable, updated: string[]): string | undefined {
  switch (dialect) {
    case 'mysql':
    case 'mariadb': {
      // A key that merely collates equal to another session's must never overwrite that row.
      const same = exactSid(t, `VALUES(${t.sid})`);
      // VALUES() is deprecated in MySQL 8.0.20 but still works, and it is all MariaDB knows.
      return `ON DUPLICATE KEY UPDATE ${updated.map((c) => `${c}=IF(${same}, VALUES(${c}), ${c})`).join(', ')}`;
    }
    case 'postgres':
      return `ON CONFLICT (${t.sid}) DO UPDATE SET ${updated.map((c) => `${c}=EXCLUDED.${c}`).join(', ')}`;
    case 'sqlite':
      return `ON CONFLICT (${t.sid}) DO UPDATE SET ${updated.map((c) => `${c}=excluded.${c}`).join(', ')}`;
    default:
      return undefined;
  }
}

let storeCount = 0;

/** Writes the hot statements for one model, once, so that no request builds a query. */
export function prepareStatements(model: ModelStatic<Model>): { table: SessionTable; statements: HotStatements } {
  const t = describeSessionTable(model);
  const dialect = model.sequelize!.getDialect();
  const p = placeholders(dialect);
  // Names must be unique per text on a connection shared by several stores, and, behind a
  // transaction pooler, by the stores of other processes (another table under the same name).
  const prefix = `sss${(storeCount += 1)}_`;
  const statement = <Args>(name: string, text: string, params: (args: Args) => unknown[]): Statement<Args> => ({
    name: `${prefix}${name}_${createHash('sha256').update(text).digest('hex').slice(0, 12)}`,
    text,
    params,
  });
  const mysql = isMySqlFamily(dialect);
  // MySQL's `?` cannot be named, so its byte-wise sid test takes the key a second time.
  const bySid = (position: number): string =>
    mysql ? `${t.sid} = ? AND ${exactSid(t, '?')}` : `${t.sid} = ${p(position)}`;
  const key = (value: string): string[] => (mysql ? [value, value] : [value]);

  const upserts = new Map<string, Statement<UpsertArgs> | undefined>();
  const upsert = (attributes: readonly string[], returning = false): Statement<UpsertArgs> | undefined => {
    const cacheKey = `${returning ? 'r' : ''}\0${attributes.join('\0')}`;
    if (upserts.has(cacheKey)) return upserts.get(cacheKey);
    const written = attributes.map((attribute) => t.column(attribute));
    const stamps = [t.createdAt, t.updatedAt].filter((c): c is string => c !== undefined);
    const columns = [t.sid, ...written, ...stamps];
    const updated = t.updatedAt ? [...written, t.updatedAt] : written;
    const tail = upsertTail(dialect, t, updated);
    const values = columns.map((_, i) => p(i + 1)).join(', ');
    const { createdAt: hasCreatedAt, updatedAt: hasUpdatedAt } = t;
    const result = tail
      ? statement<UpsertArgs>(
          `upsert${upserts.size}`,
          `INSERT INTO ${t.table} (${columns.join(', ')}) VALUES (${values}) ${tail}${returning ? ' RETURNING *' : ''}`,
          (a) => {
            const params = [a.key, ...attributes.map((attribute) => a.values[attribute])];
            if (hasCreatedAt) params.push(a.createdAt);
            if (hasUpdatedAt) params.push(a.updatedAt);
            return params;
          },
        )
      : undefined;
    upserts.set(cacheKey, result);
    return result;
  };

  const stamped = t.updatedAt !== undefined;
  const touchSet = stamped ? `${t.expires} = ${p(1)}, ${t.updatedAt} = ${p(2)}` : `${t.expires} = ${p(1)}`;
  const next = stamped ? 3 : 2;
  const touchWhere = `WHERE ${bySid(next)} AND ${t.expires} > ${p(next + 1)}`;
  const touchStart = (a: TouchArgs): unknown[] =>
    stamped ? [a.expires, a.updatedAt, ...key(a.key), a.now] : [a.expires, ...key(a.key), a.now];
  const read = (a: ReadArgs): unknown[] => [...key(a.key), a.now];
  return {
    table: t,
    statements: {
      get: statement(
        'get',
        `SELECT ${t.data} AS data FROM ${t.table} WHERE ${bySid(1)} AND ${t.expires} > ${p(2)}`,
        read,
      ),
      getWithExpiry: statement(
        'get_expiry',
        `SELECT ${t.data} AS data, ${t.expires} AS expires FROM ${t.table} WHERE ${bySid(1)} AND ${t.expires} > ${p(2)}`,
        read,
      ),
      // An expired session stays expired: touch must not bring it back. A touch that moves the
      // expiry by less than a second (several requests of one page) changes nothing the browser
      // keeps, so it matches no row and writes nothing: no row version, no log, no flush.
      touch: statement(
        'touch',
        `UPDATE ${t.table} SET ${touchSet} ${touchWhere} ` +
          `AND (${t.expires} <= ${p(next + 2)} OR ${t.expires} >= ${p(next + 3)})`,
        (a) => [...touchStart(a), a.earliest, a.latest],
      ),
      touchAlways: statement('touch_always', `UPDATE ${t.table} SET ${touchSet} ${touchWhere}`, touchStart),
      destroy: statement('destroy', `DELETE FROM ${t.table} WHERE ${bySid(1)}`, (a) => key(a.key)),
      row: statement('row', `SELECT * FROM ${t.table} WHERE ${bySid(1)}`, (a) => key(a.key)),
      upsert,
    },
  };
}
