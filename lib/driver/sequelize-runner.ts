import { QueryTypes, type Sequelize } from 'sequelize';
import type { Runner } from './runner';
import type { Row, Statement } from './statement';

/**
 * `text` with its `?` placeholders, outside quoted names, numbered `$1`, `$2`…: Sequelize then
 * takes the values as bind parameters, sent apart from the SQL, where `?` would be replacements,
 * inlined into the SQL text that its logging prints (session ids and data included).
 */
function numbered(text: string): string {
  let next = 0;
  return text
    .split('`')
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/\?/g, () => `$${(next += 1)}`)))
    .join('`');
}

/** Sequelize's own query(): the portable path, for the dialects and drivers without a faster one here. */
export function sequelizeRunner(sequelize: Sequelize): Runner {
  // PostgreSQL statements number their placeholders ($1) already; the others use `?`.
  const texts = new Map<string, string>();
  const sql = (text: string): string => {
    if (sequelize.getDialect() === 'postgres') return text;
    let bound = texts.get(text);
    if (bound === undefined) texts.set(text, (bound = numbered(text)));
    return bound;
  };
  const all = <Args>(statement: Statement<Args>, args: Args): Promise<Row[]> =>
    sequelize.query<Row>(sql(statement.text), {
      bind: statement.params(args),
      type: QueryTypes.SELECT,
      raw: true,
      useMaster: true,
    });
  return {
    // It picks sqlite3's run() for any text that starts with INSERT, which returns no rows.
    returning: sequelize.getDialect() === 'postgres',
    first: async (statement, args) => (await all(statement, args))[0],
    all,
    run: (statement, args) =>
      sequelize.query(sql(statement.text), { bind: statement.params(args), type: QueryTypes.BULKUPDATE, raw: true }),
  };
}
