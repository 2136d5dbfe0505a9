import { tableInterfaceOf } from '../sql/session-table';
import { createTableStatements } from '../sql/ddl';
import type { MigrationStep } from './step';

/**
 * Creates the table and its index on expires, with the statements of the `sql` command. A table
 * that is already there (connect-session-sequelize's, say) is left for the next migration to upgrade.
 */
export const createTable: MigrationStep = {
  name: '01-create-table',
  async up(sequelize, model) {
    for (const statement of createTableStatements(model)) await sequelize.query(statement);
  },
  async down(sequelize, model) {
    await tableInterfaceOf(model, sequelize).dropTable(model.getTableName());
  },
};
