import { Sequelize, type Model, type ModelStatic } from 'sequelize';
import { defineSessionModel, type SessionModelOptions } from '../../models/session';
import { tableNameOf } from './session-table';
import { describeSessionTable } from './session-table';
import { queryGeneratorOf } from '../driver/internals';
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
  const generator = queryGeneratorOf(sequelize);
  const tableName = model.getTableName();
  for (const [attribute, definition] of Object.entries(model.getAttributes())) {
    checkName(`column name of \`${attribute}\``, (definition as { field?: string }).field ?? attribute);
  }
  const columns = generator.attributesToSQL(model.getAttributes(), { context: 'createTable', table: tableName });
  const create = generator
    .createTableQuery(tableName, columns, { ...model.options })
    .trim()
    .replace(/;$/, '');
  const t = describeSessionTable(model);
  const index = sequelize.getQueryInterface().quoteIdentifier(expiresIndexName(model));
  if (isMySqlFamily(sequelize.getDialect())) {
    // MySQL has no CREATE INDEX IF NOT EXISTS, so the index goes inside the CREATE TABLE, which has it.
    const end = create.indexOf(') ENGINE=');
    if (end < 0) throw new Error(`${PREFIX} unexpected CREATE TABLE from Sequelize: ${create}`);
    return [`${create.slice(0, end)}, INDEX ${index} (${t.expires})${create.slice(end)}`];
  }
  return [create, `CREATE INDEX IF NOT EXISTS ${index} ON ${t.table} (${t.expires})`];
}
