import { Sequelize, type Model, type ModelStatic } from 'sequelize';
import { defineSessionModel, type SessionModelOptions } from '../../models/session';
import { tableNameOf } from './session-table';
import { describeSessionTable } from './session-table';
import { modelQueryGeneratorOf } from '../driver/internals';
import { isMySqlFamily } from './dialect';
import { PREFIX } from '../messages';
import { checkName } from './names';

/** The dialects the `sql` command writes for. */
export const SQL_DIALECTS = ['mysql', 'mariadb', 'postgres', 'sqlite'] as const;
export type SqlDialect = (typeof SQL_DIALECTS)[number];

/**
 * The built-in model on a Sequelize instance that never connects: enough to write the SQL of a
 * dialect. A stand-in driver module means no driver needs to be installed for that.
 */
export function offlineSessionModel(dialect: string, options: SessionModelOptions = {}): ModelStatic<Model> {
  // MariaDB speaks MySQL's DDL; Sequelize's own 'mariadb' dialect would want the mariadb driver.
  const sequelize = new Sequelize({
    dialect: dialect === 'mariadb' ? 'mysql' : (dialect as 'mysql'),
    dialectModule: {},
    logging: false,
  });
  return defineSessionModel(sequelize, options);
}

/** Name of the index on the expires column, as the built-in model declares it. */
export function expiresIndexName(model: ModelStatic<Model>): string {
  return `${tableNameOf(model)}_expires`;
}

/**
 * The CREATE TABLE of the model's table with its index on expires: what the `sql` command prints
 * and the create migration runs. Every statement may be run again: each is "if not exists".
 */
export function createTableStatements(model: ModelStatic<Model>): string[] {
  const sequelize = model.sequelize!;
  const generator = modelQueryGeneratorOf(model);
  const tableName = model.getTableName();
  for (const [attribute, definition] of Object.entries(model.getAttributes())) {
    checkName(`column name of \`${attribute}\``, (definition as { field?: string }).field ?? attribute);
  }
  const columns = generator.attributesToSQL(model.getAttributes(), { context: 'createTable', table: tableName });
  const statement = (attributes: Record<string, string>, options: object): string =>
    generator.createTableQuery(tableName, attributes, options).trim().replace(/;$/, '');
  const create = statement(columns, { ...model.options });
  const t = describeSessionTable(model);
  const index = sequelize.getQueryInterface().quoteIdentifier(expiresIndexName(model));
  if (isMySqlFamily(sequelize.getDialect())) {
    // MySQL has no CREATE INDEX IF NOT EXISTS, so the index goes inside the CREATE TABLE, which has it:
    // at the end of its column list, whose end is told by what follows the list, found from the
    // statement of no columns (never by searching the text, which holds the quoted names).
    const opening = `CREATE TABLE IF NOT EXISTS ${t.table} (`;
    const empty = statement({}, { ...model.options, uniqueKeys: undefined });
    const tail = empty.slice(opening.length);
    if (!empty.startsWith(`${opening})`) || !create.startsWith(opening) || !create.endsWith(tail)) {
      throw new Error(`${PREFIX} unexpected CREATE TABLE from Sequelize: ${create}`);
    }
    return [`${create.slice(0, create.length - tail.length)}, INDEX ${index} (${t.expires})${tail}`];
  }
  return [create, `CREATE INDEX IF NOT EXISTS ${index} ON ${t.table} (${t.expires})`];
}
