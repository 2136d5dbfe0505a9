import { createHash } from 'node:crypto';
import type { Model, ModelStatic } from 'sequelize';
import type { Statement } from '../driver/statement';
import type { DateParameter } from './dates';
import { isMySqlFamily } from './dialect';
import { sidIsUnique } from './unique-sid';
import { describeSessionTable, timestampAttribute, type SessionTable } from './session-table';

/** What get and destroy look a row up by; `now` hides an expired row. */
export interface ReadArgs {
  key: string;
  now: DateParameter;
}

/** A logout: the expiry its tombstone keeps at least (the row's own, when later, wins), and the stamps. */
/** A row by its key alone. */
export interface KeyArgs {
  key: string;
}

export interface DestroyArgs {
  key: string;
  expires: DateParameter;
  createdAt: DateParameter;
  updatedAt: DateParameter;
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
  /**
   * With tombstones, a logout leaves the row with `data` NULL (inserted if there was none), which
   * the upsert never overwrites and the reads skip; the cleanup deletes it once expired. Without
   * them, a DELETE.
   */
  destroy: Statement<DestroyArgs>;
  /** → the whole row, live or not: what `set` hands back where the upsert cannot return it. */
  row?: Statement<KeyArgs>;
  /**
   * The atomic upsert of these attributes, with `returning` also handing back the row as stored;
   * undefined on a dialect without one (the store then uses Model.upsert). With `overTombstone`
   * it writes over a logout's tombstone too.
   */
  upsert(
    attributes: readonly string[],
    returning?: boolean,
    overTombstone?: boolean,
  ): Statement<UpsertArgs> | undefined;
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

/** The dialects with a conflict clause, which the upsert and the tombstones are written in. */
const UPSERT_DIALECTS: ReadonlySet<string> = new Set(['mysql', 'mariadb', 'postgres', 'sqlite']);

/**
 * The conflict clause of a save. With `guarded`, a tombstone (`data` NULL) is left as it is: a
 * save that was under way when its session was destroyed must not bring it back.
 */
export function upsertTail(dialect: string, t: SessionTable, updated: string[], guarded: boolean): string {
  if (dialect === 'mysql' || dialect === 'mariadb') {
    // A key that merely collates equal to another session's must never overwrite that row.
    const same = exactSid(t, `VALUES(${t.sid})`);
    // MySQL assigns left to right, each assignment seeing the ones before: data goes last, so that
    // the test on it reads the stored value. (MariaDB's SIMULTANEOUS_ASSIGNMENT reads it anyway.)
    const test = guarded ? `${same} AND ${t.data} IS NOT NULL` : same;
    const ordered = guarded ? [...updated.filter((c) => c !== t.data), t.data] : updated;
    // VALUES() is deprecated in MySQL 8.0.20 but still works, and it is all MariaDB knows.
    return `ON DUPLICATE KEY UPDATE ${ordered.map((c) => `${c}=IF(${test}, VALUES(${c}), ${c})`).join(', ')}`;
  }
  const excluded = dialect === 'postgres' ? 'EXCLUDED' : 'excluded';
  const guard = guarded ? ` WHERE ${t.table}.${t.data} IS NOT NULL` : '';
  return `ON CONFLICT (${t.sid}) DO UPDATE SET ${updated.map((c) => `${c}=${excluded}.${c}`).join(', ')}${guard}`;
}

interface AttributeLike {
  allowNull?: boolean;
  defaultValue?: unknown;
  autoIncrement?: boolean;
  primaryKey?: boolean;
}

/**
 * Why this model cannot keep tombstones, or undefined when it can: a tombstone is a row with only
 * its sid, a NULL data and an expiry, so every other column must take NULL or have a default.
 */
export function tombstoneObstacle(model: ModelStatic<Model>): string | undefined {
  const dialect = model.sequelize!.getDialect();
  if (!UPSERT_DIALECTS.has(dialect)) return `${dialect} has no conflict clause to guard a save with`;
  const attributes = model.getAttributes() as Record<string, AttributeLike>;
  const stamps = new Set([timestampAttribute(model, 'createdAt'), timestampAttribute(model, 'updatedAt')]);
  const required = Object.keys(attributes).filter((name) => {
    const a = attributes[name]!;
    if (name === 'sid' || name === 'expires' || stamps.has(name) || a.autoIncrement || a.primaryKey) return false;
    return a.allowNull === false && a.defaultValue === undefined;
  });
  if (required.length === 0) return undefined;
  return `model ${model.name} has ${required.join(', ')} with allowNull: false`;
}

let storeCount = 0;

/** The hot statements of one model, and whether a logout leaves a tombstone. */
export interface PreparedStatements {
  table: SessionTable;
  statements: HotStatements;
  tombstones: boolean;
}

/**
 * Writes the hot statements for one model, once, so that no request builds a query. Tombstones
 * unless `tombstones` is false (the stored procedures, as shipped) or the model cannot keep them
 * (`tombstoneObstacle`).
 */
export function prepareStatements(
  model: ModelStatic<Model>,
  options: { tombstones?: boolean } = {},
): PreparedStatements {
  const t = describeSessionTable(model);
  const dialect = model.sequelize!.getDialect();
  // The tombstone is written by an upsert on sid: a model whose sid is not unique (already told of
  // its slower, locked saves) deletes on logout instead.
  const tombstones = options.tombstones !== false && sidIsUnique(model) && tombstoneObstacle(model) === undefined;
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
  const upsert = (
    attributes: readonly string[],
    returning = false,
    overTombstone = false,
  ): Statement<UpsertArgs> | undefined => {
    const guarded = tombstones && !overTombstone;
    const cacheKey = `${returning ? 'r' : ''}${guarded ? 'g' : ''}\0${attributes.join('\0')}`;
    if (upserts.has(cacheKey)) return upserts.get(cacheKey);
    const written = attributes.map((attribute) => t.column(attribute));
    const stamps = [t.createdAt, t.updatedAt].filter((c): c is string => c !== undefined);
    const columns = [t.sid, ...written, ...stamps];
    const updated = t.updatedAt ? [...written, t.updatedAt] : written;
    const tail = UPSERT_DIALECTS.has(dialect) ? upsertTail(dialect, t, updated, guarded) : undefined;
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
  // A tombstone is no session: the reads and the touch pass it by.
  const alive = tombstones ? ` AND ${t.data} IS NOT NULL` : '';
  const readWhere = `WHERE ${bySid(1)} AND ${t.expires} > ${p(2)}${alive}`;
  return {
    table: t,
    tombstones,
    statements: {
      get: statement('get', `SELECT ${t.data} AS data FROM ${t.table} ${readWhere}`, read),
      getWithExpiry: statement(
        'get_expiry',
        `SELECT ${t.data} AS data, ${t.expires} AS expires FROM ${t.table} ${readWhere}`,
        read,
      ),
      // An expired session stays expired: touch must not bring it back. A touch that moves the
      // expiry by less than a second (several requests of one page) changes nothing the browser
      // keeps, so it matches no row and writes nothing: no row version, no log, no flush.
      touch: statement(
        'touch',
        `UPDATE ${t.table} SET ${touchSet} ${touchWhere}${alive} ` +
          `AND (${t.expires} <= ${p(next + 2)} OR ${t.expires} >= ${p(next + 3)})`,
        (a) => [...touchStart(a), a.earliest, a.latest],
      ),
      touchAlways: statement('touch_always', `UPDATE ${t.table} SET ${touchSet} ${touchWhere}${alive}`, touchStart),
      destroy: tombstones
        ? tombstoneStatement(dialect, t, statement)
        : statement('destroy', `DELETE FROM ${t.table} WHERE ${bySid(1)}`, (a: DestroyArgs) => key(a.key)),
      row: statement('row', `SELECT * FROM ${t.table} WHERE ${bySid(1)}`, (a: KeyArgs) => key(a.key)),
      upsert,
    },
  };
}

type StatementMaker = <Args>(name: string, text: string, params: (args: Args) => unknown[]) => Statement<Args>;

/**
 * The logout as one statement: the row becomes a tombstone, or a tombstone is inserted when there
 * was no row yet (a logout before the first save), expiring at the later of its own expiry and
 * the one given.
 */
function tombstoneStatement(dialect: string, t: SessionTable, statement: StatementMaker): Statement<DestroyArgs> {
  const p = placeholders(dialect);
  const stamps = [t.createdAt, t.updatedAt].filter((c): c is string => c !== undefined);
  const columns = [t.sid, t.data, t.expires, ...stamps];
  const values = [p(1), 'NULL', p(2), ...stamps.map((_, i) => p(i + 3))];
  const params = (a: DestroyArgs): unknown[] => {
    const list: unknown[] = [a.key, a.expires];
    if (t.createdAt) list.push(a.createdAt);
    if (t.updatedAt) list.push(a.updatedAt);
    return list;
  };
  const insert = `INSERT INTO ${t.table} (${columns.join(', ')}) VALUES (${values.join(', ')})`;
  if (dialect === 'mysql' || dialect === 'mariadb') {
    const same = exactSid(t, `VALUES(${t.sid})`);
    const later = `GREATEST(COALESCE(${t.expires}, VALUES(${t.expires})), VALUES(${t.expires}))`;
    const assignments = [`${t.expires}=IF(${same}, ${later}, ${t.expires})`];
    if (t.updatedAt) assignments.push(`${t.updatedAt}=IF(${same}, VALUES(${t.updatedAt}), ${t.updatedAt})`);
    assignments.push(`${t.data}=IF(${same}, NULL, ${t.data})`);
    return statement('destroy', `${insert} ON DUPLICATE KEY UPDATE ${assignments.join(', ')}`, params);
  }
  const excluded = dialect === 'postgres' ? 'EXCLUDED' : 'excluded';
  const stored = `${t.table}.${t.expires}`;
  // SQLite's MAX(a, b) is NULL when either is; PostgreSQL's GREATEST skips NULLs. COALESCE serves both.
  const later = `${dialect === 'postgres' ? 'GREATEST' : 'MAX'}(COALESCE(${stored}, ${excluded}.${t.expires}), ${excluded}.${t.expires})`;
  const assignments = [`${t.data}=NULL`, `${t.expires}=${later}`];
  if (t.updatedAt) assignments.push(`${t.updatedAt}=${excluded}.${t.updatedAt}`);
  return statement('destroy', `${insert} ON CONFLICT (${t.sid}) DO UPDATE SET ${assignments.join(', ')}`, params);
}
