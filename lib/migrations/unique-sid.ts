import type { Model, ModelStatic, Sequelize } from 'sequelize';
import { PREFIX } from '../messages';
import { tableNameOf } from '../sql/session-table';
import type { MigrationStep } from './step';

interface IndexDescription {
  name: string;
  unique?: boolean;
  primary?: boolean;
  fields?: { attribute: string }[];
}

const indexName = (table: string): string => `${table}_sid_unique`;

function sidColumn(model: ModelStatic<Model>): string {
  return (model.getAttributes() as Record<string, { field?: string }>).sid?.field ?? 'sid';
}

async function hasUniqueSid(sequelize: Sequelize, table: string, sid: string): Promise<boolean> {
  const indexes = (await sequelize.getQueryInterface().showIndex(table)) as IndexDescription[];
  return indexes.some(
    (index) => (index.unique || index.primary) && index.fields?.length === 1 && index.fields[0]!.attribute === sid,
  );
}

/**
 * Adds a unique index on sid where the table has none (a connect-session-sequelize model with an
 * `id` primary key): the store then saves in one upsert instead of a locked read and write. Rows
 * that share a sid are not ours to choose between: the step fails, naming them.
 */
export const uniqueSid: MigrationStep = {
  name: '04-unique-sid',
  async up(sequelize, model) {
    const table = tableNameOf(model);
    const sid = sidColumn(model);
    if (await hasUniqueSid(sequelize, table, sid)) return;
    const q = sequelize.getQueryInterface().quoteIdentifier.bind(sequelize.getQueryInterface());
    const [rows] = await sequelize.query(
      `SELECT ${q(sid)} AS sid, COUNT(*) AS n FROM ${q(table)} GROUP BY ${q(sid)} HAVING COUNT(*) > 1`,
    );
    const duplicated = rows as { sid: string; n: number | string }[];
    if (duplicated.length > 0) {
      const shown = duplicated.slice(0, 5).map((row) => `${JSON.stringify(row.sid)} (${row.n} rows)`);
      throw new Error(
        `${PREFIX} cannot add a unique index on ${table}.${sid}: ${duplicated.length} sid(s) have several rows, ` +
          `such as ${shown.join(', ')}; delete the older rows of each (or clear the table), then migrate again`,
      );
    }
    await sequelize.getQueryInterface().addIndex(table, [sid], { unique: true, name: indexName(table) });
  },
  async down(sequelize, model) {
    const table = tableNameOf(model);
    const indexes = (await sequelize.getQueryInterface().showIndex(table)) as IndexDescription[];
    if (indexes.some((index) => index.name === indexName(table))) {
      await sequelize.getQueryInterface().removeIndex(table, indexName(table));
    }
  },
};
