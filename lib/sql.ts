import type { Model, ModelStatic } from 'sequelize';

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
  /** A date as Sequelize itself writes it to the expires column (SQLite compares these as text). */
  date(value: Date): string;
}

/** The few statements the hot path runs, written once per store; `?` marks a replacement. */
export interface HotStatements {
  /** [sid, now] → rows of { data } */
  get: string;
  /** [expires, now, sid, now] when the model has updatedAt, else [expires, sid, now] */
  touch: string;
  /** [sid] */
  destroy: string;
  /** [expiresBefore] */
  prune: string;
  /**
   * The atomic upsert writing `attributes` (data, expires and any extra columns) besides sid and
   * the timestamps; undefined on a dialect without one (the store then uses Model.upsert).
   */
  upsert(attributes: readonly string[]): string | undefined;
}

interface DateType {
  stringify(value: Date, options: { timezone?: string }): string;
}

interface QueryGenerator {
  quoteTable(table: unknown): string;
  quoteIdentifier(identifier: string): string;
}

function timestampAttribute(model: ModelStatic<Model>, which: 'createdAt' | 'updatedAt'): string | undefined {
  const options = model.options as { timestamps?: boolean; createdAt?: string | boolean; updatedAt?: string | boolean };
  if (options.timestamps === false) return undefined;
  const name = options[which];
  if (name === false) return undefined;
  return typeof name === 'string' ? name : which;
}

/** Reads table and column names from the model, the single source of truth for them. */
export function describeSessionTable(model: ModelStatic<Model>): SessionTable {
  const generator = model.sequelize!.getQueryInterface().queryGenerator as QueryGenerator;
  const attributes = model.getAttributes() as Record<string, { field?: string; type?: unknown } | undefined>;
  const timezone = (model.sequelize as unknown as { options: { timezone?: string } }).options.timezone;
  const expiresType = attributes.expires?.type as DateType | undefined;
  const column = (attribute: string): string => {
    const definition = attributes[attribute];
    if (!definition) throw new TypeError(`sequelize-session-store: model ${model.name} has no attribute \`${attribute}\``);
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
    date: (value) => (expiresType ? expiresType.stringify(value, { timezone }) : value.toISOString()),
  };
}

function upsertTail(dialect: string, t: SessionTable, updated: string[]): string | undefined {
  switch (dialect) {
    case 'mysql':
    case 'mariadb':
      return `ON DUPLICATE KEY UPDATE ${updated.map((c) => `${c}=VALUES(${c})`).join(', ')}`;
    case 'postgres':
      return `ON CONFLICT (${t.sid}) DO UPDATE SET ${updated.map((c) => `${c}=EXCLUDED.${c}`).join(', ')}`;
    case 'sqlite':
      return `ON CONFLICT (${t.sid}) DO UPDATE SET ${updated.map((c) => `${c}=excluded.${c}`).join(', ')}`;
    default:
      return undefined;
  }
}

/** Writes the hot statements for one model, once, so no request builds a query. */
export function prepareStatements(model: ModelStatic<Model>): { table: SessionTable; statements: HotStatements } {
  const t = describeSessionTable(model);
  const dialect = model.sequelize!.getDialect();
  const upserts = new Map<string, string | undefined>();

  const upsert = (attributes: readonly string[]): string | undefined => {
    const key = attributes.join('\0');
    if (upserts.has(key)) return upserts.get(key);
    const written = attributes.map(t.column);
    const updated = t.updatedAt ? [...written, t.updatedAt] : written;
    const columns = [t.sid, ...written, ...(t.createdAt ? [t.createdAt] : []), ...(t.updatedAt ? [t.updatedAt] : [])];
    const tail = upsertTail(dialect, t, updated);
    const sql =
      tail && `INSERT INTO ${t.table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ${tail}`;
    upserts.set(key, sql);
    return sql;
  };

  const touchSet = t.updatedAt ? `${t.expires} = ?, ${t.updatedAt} = ?` : `${t.expires} = ?`;
  return {
    table: t,
    statements: {
      get: `SELECT ${t.data} AS data FROM ${t.table} WHERE ${t.sid} = ? AND ${t.expires} > ?`,
      // An expired session stays expired: touch must not bring it back.
      touch: `UPDATE ${t.table} SET ${touchSet} WHERE ${t.sid} = ? AND ${t.expires} > ?`,
      destroy: `DELETE FROM ${t.table} WHERE ${t.sid} = ?`,
      prune: `DELETE FROM ${t.table} WHERE ${t.expires} < ?`,
      upsert,
    },
  };
}
