import { DataTypes, type Model, type ModelStatic } from 'sequelize';
import type { Row } from '../driver/statement';
import { isMySqlFamily } from './dialect';

type Kind = 'date' | 'json' | 'boolean' | 'plain';

interface RawAttribute {
  type?: unknown;
  field?: string;
}

function kindOf(type: unknown): Kind {
  if (type instanceof DataTypes.DATE) return 'date';
  if (type instanceof DataTypes.JSON) return 'json';
  if (type instanceof DataTypes.BOOLEAN) return 'boolean';
  return 'plain';
}

/**
 * Turns a row as a driver hands it back (column names, SQLite's dates as text, MySQL's booleans
 * as 0/1) into an instance of the model, as `findOne` would have built it: the instance `set`
 * hands back, connect-session-sequelize's contract. The column map is made once per model.
 */
export function rowToInstance(model: ModelStatic<Model>): (row: Row) => Model {
  const attributes = model.getAttributes() as Record<string, RawAttribute>;
  const columns = Object.entries(attributes).map(([attribute, raw]) => ({
    attribute,
    field: raw.field ?? attribute,
    kind: kindOf(raw.type),
  }));
  return (row) => {
    const values: Record<string, unknown> = {};
    for (const { attribute, field, kind } of columns) {
      let value = row[field];
      if (value !== null && value !== undefined) {
        if (kind === 'date' && !(value instanceof Date)) value = new Date(value as string);
        else if (kind === 'json' && typeof value === 'string') value = JSON.parse(value);
        else if (kind === 'boolean' && typeof value !== 'boolean') value = Boolean(Number(value));
      }
      values[attribute] = value;
    }
    return model.build(values, { isNewRecord: false, raw: true });
  };
}

/** MariaDB returns the row from its upsert since 10.5; MySQL has no RETURNING. */
function mariaDbReturns(version: string): boolean {
  const [, major, minor] = /^(\d+)\.(\d+)/.exec(version) ?? [];
  return /mariadb/i.test(version) && (Number(major) > 10 || (Number(major) === 10 && Number(minor) >= 5));
}

/**
 * Whether the upsert can return the row it wrote in the same statement (PostgreSQL, SQLite,
 * MariaDB 10.5+); elsewhere `set` reads it after the write. Asked of the server once.
 */
export async function upsertReturnsRow(model: ModelStatic<Model>): Promise<boolean> {
  const sequelize = model.sequelize!;
  const dialect = sequelize.getDialect();
  if (dialect === 'postgres' || dialect === 'sqlite') return true;
  if (!isMySqlFamily(dialect)) return false;
  const [rows] = await sequelize.query('SELECT VERSION() AS version', { raw: true });
  const version = (rows as { version?: unknown }[])[0]?.version;
  return typeof version === 'string' && mariaDbReturns(version);
}
