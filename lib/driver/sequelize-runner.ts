import { QueryTypes, type Sequelize } from 'sequelize';
import type { Row, Runner } from './runner';

/** Sequelize's own query(): for the dialects and drivers without a faster path here. */
export function sequelizeRunner(sequelize: Sequelize): Runner {
  // PostgreSQL statements number their placeholders ($1), which Sequelize takes as bind parameters;
  // the others use `?`, which it takes as replacements.
  const values = (params: readonly unknown[]) =>
    sequelize.getDialect() === 'postgres' ? { bind: [...params] } : { replacements: [...params] };
  return {
    first: async (statement, params) => {
      const rows = await sequelize.query<Row>(statement.text, {
        ...values(params),
        type: QueryTypes.SELECT,
        raw: true,
        useMaster: true,
      });
      return rows[0];
    },
    run: (statement, params) =>
      sequelize.query(statement.text, { ...values(params), type: QueryTypes.BULKUPDATE, raw: true }),
  };
}
