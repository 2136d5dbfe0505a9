import { sessionProcedures } from '../procedures/procedure-definitions';
import type { MigrationStep } from './step';

/** The stored procedures of stored-procedure mode (MySQL/MariaDB), replaced whole on every run. */
export const createProcedures: MigrationStep = {
  name: '03-procedures',
  async up(sequelize, model) {
    for (const procedure of sessionProcedures(model)) {
      await sequelize.query(procedure.drop);
      await sequelize.query(procedure.create);
    }
  },
  async down(sequelize, model) {
    for (const procedure of sessionProcedures(model)) await sequelize.query(procedure.drop);
  },
};
