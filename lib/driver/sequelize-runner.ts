import { QueryTypes, type Sequelize } from 'sequelize';
import type { Runner } from './runner';
import type { Row } from './statement';

/** Sequelize's own query(): the portable path, for the dialects and drivers without a faster one here. */
export function sequelizeRunner(sequelize: Sequelize): Runner {
  // PostgreSQL statements number their placeholders ($1), which Sequelize takes as bind parameters;
  // the others use `?`, which it takes as replacements.
  const values = (params: unknown[]) =>
    sequelize.getDialect() === 'postgres' ? { bind: params } : { replacements: params };
  return {
    // It picks sqlite3's run() for any text that starts with INSERT, which returns no rows.
    returning: sequelize.getDialect() === 'postgres',
    first: async (statement, args) => {
      const rows = await sequelize.query<Row>(statement.text, {
        ...values(statement.params(args)),
        type: QueryTypes.SELECT,
        raw: true,
        useMaster: true,
      });
      return rows[0];
    },
    run: (statement, args) =>
      sequelize.query(statement.text, { ...values(statement.params(args)), type: QueryTypes.BULKUPDATE, raw: true }),
  };
}
