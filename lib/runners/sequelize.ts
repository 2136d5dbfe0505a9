import { QueryTypes, type Sequelize } from 'sequelize';
import type { Row, Runner } from '../runner';

/** Sequelize's own query(): for the dialects and drivers without a faster path here. */
export function sequelizeRunner(sequelize: Sequelize): Runner {
  return {
    first: async (statement, params) => {
      const rows = await sequelize.query<Row>(statement.text, {
        replacements: [...params],
        type: QueryTypes.SELECT,
        raw: true,
        useMaster: true,
      });
      return rows[0];
    },
    run: (statement, params) =>
      sequelize.query(statement.text, { replacements: [...params], type: QueryTypes.BULKUPDATE, raw: true }),
  };
}
