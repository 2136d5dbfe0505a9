import type { Model, ModelStatic } from 'sequelize';
import { isMySqlFamily } from './dialect';

/** One hot statement: its text, and a name that identifies it as a prepared statement. */
export interface Statement {
  text: string;
  name: string;
  /**
   * Which parameter fills each placeholder, when one is used twice (MySQL's `?` cannot name one);
   * undefined when they are taken in order.
   */
  order?: readonly number[];
}

/** The physical names behind a session model, quoted for its dialect. */
export interface SessionTable {
  table: string;
  sid: string;
  expires: string;
  data: string;
  createdAt: string | undefined;
  updatedAt: string | undefined;
  /** Quoted column of any attribute of the model. */
  column(attribute: string): string;
}

/** The statements of the hot path, written once per store. Parameters are listed in order. */
export interface HotStatements {
  /** (sid, now) → { data } */
  get: Statement;
  /** (sid, now) → { data, expires }, for touch throttling */
  getWithExpiry: Statement;
  /**
   * (expires, [updatedAt,] sid, now, expires - 1 s, expires + 1 s): writes only when the expiry
   * moves by a second or more, the resolution of a cookie's own expiry.
   */
  touch: Statement;
  /**
   * (expires, [updatedAt,] sid, now): the touch that always writes, which the stored procedures
   * were made from before the one-second rule (their signature stays as shipped).
   */
  touchAlways: Statement;
  /** (sid) */
  destroy: Statement;
  /**
   * The atomic upsert: (sid, ...attributes, [createdAt,] [updatedAt]). Undefined on a dialect
   * without one; the store then falls back to Model.upsert.
   */
  upsert(attributes: readonly string[]): Statement | undefined;
}

interface QueryGenerator {
  quoteTable(table: unknown): string;
  quoteIdentifier(identifier: string): string;
}

/** The attribute that holds createdAt or updatedAt, if the model keeps it. */
export function timestampAttribute(model: ModelStatic<Model>, which: 'createdAt' | 'updatedAt'): string | undefined {
  const options = model.options as { timestamps?: boolean; createdAt?: string | boolean; updatedAt?: string | boolean };
  if (options.timestamps === false) return undefined;
  const name = options[which];
  if (name === false) return undefined;
  return typeof name === 'string' ? name : which;
}

/** Reads table and column names from the model, the single source of truth for them. */
export function describeSessionTable(model: ModelStatic<Model>): SessionTable {
  const generator = model.sequelize!.getQueryInterface().queryGenerator as QueryGenerator;
  const attributes = model.getAttributes() as Record<string, { field?: string } | undefined>;
  const column = (attribute: string): string => {
    const definition = attributes[attribute];
    if (!definition)
      throw new TypeError(`sequelize-session-store: model ${model.name} has no attribute \`${attribute}\``);
    return generator.quoteIdentifier(definition.field ?? attribute);
  };
  const createdAt = timestampAttribute(model, 'createdAt');
  const updatedAt = timestampAttribute(model, 'updatedAt');
  return {
    table: generator.quoteTable(model.getTableName()),
    sid: column('sid'),
    expires: column('expires'),
    data: column('data'),
    createdAt: createdAt && attributes[createdAt] ? column(createdAt) : undefined,
    updatedAt: updatedAt && attributes[updatedAt] ? column(updatedAt) : undefined,
    column,
  };
}

/** Placeholders: PostgreSQL numbers them, the others take `?`. */
function placeholders(dialect: string): (position: number) => string {
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
  // Names must be unique per text on a connection shared by several stores.
  const prefix = `sss${(storeCount += 1)}_`;
  const statement = (name: string, text: string): Statement => ({ name: prefix + name, text });
  const mysql = isMySqlFamily(dialect);
  /** The sid condition, its parameter at `position`, and the statement whose `count` parameters hold it. */
  const bySid = (position: number, count: number) => ({
    where: mysql ? `${t.sid} = ? AND ${exactSid(t, '?')}` : `${t.sid} = ${p(position)}`,
    keyed: (name: string, text: string): Statement => {
      const made = statement(name, text);
      if (!mysql) return made;
      const order = Array.from({ length: count }, (_, i) => i).flatMap((i) => (i === position - 1 ? [i, i] : [i]));
      return { ...made, order };
    },
  });

  const upserts = new Map<string, Statement | undefined>();
  const upsert = (attributes: readonly string[]): Statement | undefined => {
    const key = attributes.join('\0');
    if (upserts.has(key)) return upserts.get(key);
    const written = attributes.map((attribute) => t.column(attribute));
    const stamps = [t.createdAt, t.updatedAt].filter((c): c is string => c !== undefined);
    const columns = [t.sid, ...written, ...stamps];
    const updated = t.updatedAt ? [...written, t.updatedAt] : written;
    const tail = upsertTail(dialect, t, updated);
    const values = columns.map((_, i) => p(i + 1)).join(', ');
    const result = tail
      ? statement(`upsert${upserts.size}`, `INSERT INTO ${t.table} (${columns.join(', ')}) VALUES (${values}) ${tail}`)
      : undefined;
    upserts.set(key, result);
    return result;
  };

  const touchSet = t.updatedAt ? `${t.expires} = ${p(1)}, ${t.updatedAt} = ${p(2)}` : `${t.expires} = ${p(1)}`;
  const touchNext = t.updatedAt ? 3 : 2;
  const read = bySid(1, 2);
  const touch = bySid(touchNext, touchNext + 3);
  const touchAlways = bySid(touchNext, touchNext + 1);
  const touchWhere = `WHERE ${touch.where} AND ${t.expires} > ${p(touchNext + 1)}`;
  const destroy = bySid(1, 1);
  return {
    table: t,
    statements: {
      get: read.keyed('get', `SELECT ${t.data} AS data FROM ${t.table} WHERE ${read.where} AND ${t.expires} > ${p(2)}`),
      getWithExpiry: read.keyed(
        'get_expiry',
        `SELECT ${t.data} AS data, ${t.expires} AS expires FROM ${t.table} WHERE ${read.where} AND ${t.expires} > ${p(2)}`,
      ),
      // An expired session stays expired: touch must not bring it back. A touch that moves the
      // expiry by less than a second (several requests of one page) changes nothing the browser
      // keeps, so it matches no row and writes nothing: no row version, no log, no flush.
      touch: touch.keyed(
        'touch',
        `UPDATE ${t.table} SET ${touchSet} ${touchWhere} ` +
          `AND (${t.expires} <= ${p(touchNext + 2)} OR ${t.expires} >= ${p(touchNext + 3)})`,
      ),
      touchAlways: touchAlways.keyed('touch_always', `UPDATE ${t.table} SET ${touchSet} ${touchWhere}`),
      destroy: destroy.keyed('destroy', `DELETE FROM ${t.table} WHERE ${destroy.where}`),
      upsert,
    },
  };
}
