import { QueryTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';
import { MYSQL_TEXT_BYTES } from '../sql/column-limits';
import { schemaOf, tableInterfaceOf, tableNameOf } from '../sql/session-table';
import { isMySqlFamily } from '../sql/dialect';
import { expiresIndexName } from '../sql/ddl';
import { describeSessionTable } from '../sql/session-table';
import type { MigrationStep } from './step';

interface Column {
  /** As the database describes it, e.g. `varchar(36)` or `CHARACTER VARYING(36)`. */
  type: string;
  collation: string | null;
}

interface Attribute {
  type: { toString(): string };
  field?: string;
  allowNull?: boolean;
}

interface Index {
  fields?: { attribute?: string }[];
}

/** How much a text column holds (characters, or bytes for MySQL's TEXT types); undefined if not text. */
function capacity(sqlType: string, mysql: boolean): number | undefined {
  const type = sqlType.trim().toUpperCase();
  const chars = /^(?:VARCHAR|CHAR|CHARACTER VARYING|CHARACTER)\s*\((\d+)\)/.exec(type);
  if (chars) return Number(chars[1]);
  const word = type.split(/[\s(]/)[0]!;
  if (mysql) return word === 'JSON' ? MYSQL_TEXT_BYTES.LONGTEXT : MYSQL_TEXT_BYTES[word];
  return word === 'TEXT' || word === 'JSON' || word === 'JSONB' ? Infinity : undefined;
}

function narrower(current: Column | undefined, target: string, mysql: boolean): boolean {
  const has = current && capacity(current.type, mysql);
  const wanted = capacity(target, mysql);
  return has !== undefined && wanted !== undefined && has < wanted;
}

function datetimePrecision(sqlType: string): number | undefined {
  const match = /^DATETIME(?:\((\d)\))?$/i.exec(sqlType.trim());
  return match ? Number(match[1] ?? 0) : undefined;
}

async function columnsOf(
  sequelize: Sequelize,
  table: string,
  schema: string | undefined,
): Promise<Record<string, Column>> {
  const mysql = isMySqlFamily(sequelize.getDialect());
  const query = mysql
    ? `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, COLLATION_NAME AS collation
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = coalesce(?, DATABASE()) AND TABLE_NAME = ?`
    : `SELECT column_name AS name,
              upper(data_type) || coalesce('(' || character_maximum_length || ')', '') AS type,
              collation_name AS collation
         FROM information_schema.columns WHERE table_schema = coalesce(?, current_schema()) AND table_name = ?`;
  const rows = await sequelize.query<Column & { name: string }>(query, {
    replacements: [schema ?? null, table],
    type: QueryTypes.SELECT,
  });
  return Object.fromEntries(rows.map((row) => [row.name, row]));
}

/** The ALTERs that bring sid, data and expires up to the model's types, widening only. */
async function widenings(sequelize: Sequelize, model: ModelStatic<Model>): Promise<string | undefined> {
  const dialect = sequelize.getDialect();
  if (dialect !== 'postgres' && !isMySqlFamily(dialect)) return undefined; // SQLite enforces no sizes
  const mysql = dialect !== 'postgres';
  const t = describeSessionTable(model);
  const attributes = model.getAttributes() as Record<string, Attribute>;
  const field = (name: string): string => attributes[name]!.field ?? name;
  const target = (name: string): string => attributes[name]!.type.toString();
  const columns = await columnsOf(sequelize, tableNameOf(model), schemaOf(model));
  const sid = columns[field('sid')];
  const data = columns[field('data')];
  const expires = columns[field('expires')];
  // Widen, never convert: a JSON model over a text column gets the widest text, not a JSON column.
  const dataTarget = /^JSON/i.test(target('data')) ? (mysql ? 'LONGTEXT' : 'TEXT') : target('data');
  const changes: string[] = [];

  if (mysql) {
    const notNull = (name: string): string => (attributes[name]!.allowNull === false ? ' NOT NULL' : ' NULL');
    // Without a binary collation MySQL compares sids case-insensitively: abc and ABC would be one session.
    const caseless = / BINARY/i.test(target('sid')) && sid !== undefined && !sid.collation?.endsWith('_bin');
    if (narrower(sid, target('sid'), true) || caseless)
      changes.push(`MODIFY ${t.sid} ${target('sid')}${notNull('sid')}`);
    if (narrower(data, dataTarget, true)) changes.push(`MODIFY ${t.data} ${dataTarget}${notNull('data')}`);
    const has = expires && datetimePrecision(expires.type);
    const wanted = datetimePrecision(target('expires'));
    if (has !== undefined && wanted !== undefined && has < wanted) {
      changes.push(`MODIFY ${t.expires} ${target('expires')}${notNull('expires')}`);
    }
  } else {
    if (narrower(sid, target('sid'), false)) changes.push(`ALTER COLUMN ${t.sid} TYPE ${target('sid')}`);
    if (narrower(data, dataTarget, false)) changes.push(`ALTER COLUMN ${t.data} TYPE ${dataTarget}`);
  }
  return changes.length > 0 ? `ALTER TABLE ${t.table} ${changes.join(', ')}` : undefined;
}

/**
 * Upgrades a table made by connect-session-sequelize (sid VARCHAR(36), data TEXT, no index) in
 * place, rows and all: the columns are widened to the model's types (on MySQL/MariaDB a binary,
 * case-sensitive sid, LONGTEXT data and millisecond expiry) and expires gets its index. A table
 * that already matches is left alone. Reverting it changes nothing: narrowing could cut sessions.
 */
export const widenColumns: MigrationStep = {
  name: '02-widen-columns',
  async up(sequelize, model) {
    const alter = await widenings(sequelize, model);
    if (alter) await sequelize.query(alter);
    const t = describeSessionTable(model);
    const expires = (model.getAttributes() as Record<string, Attribute>).expires!.field ?? 'expires';
    const indexes = (await tableInterfaceOf(model, sequelize).showIndex(model.getTableName())) as Index[];
    if (!indexes.some((index) => index.fields?.[0]?.attribute === expires)) {
      const name = sequelize.getQueryInterface().quoteIdentifier(expiresIndexName(model));
      await sequelize.query(`CREATE INDEX ${name} ON ${t.table} (${t.expires})`);
    }
  },
  async down() {},
};
