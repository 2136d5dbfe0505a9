'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { promiseApi } = require('./promise-api');

/**
 * connect-pg-simple on a pg Pool of 5. Its table is made from its own table.sql, with the
 * constraint and index renamed after the table: the stock names are schema-wide and would clash
 * with any other connect-pg-simple table on the shared server.
 */
module.exports = {
  name: 'connect-pg-simple',
  label: 'connect-pg-simple',
  kind: 'peer',
  backends: ['postgres'],
  version: () => require('connect-pg-simple/package.json').version,
  async open(env) {
    const session = require('express-session');
    const { Pool } = require('pg');
    const PGStore = require('connect-pg-simple')(session);
    const table = env.table('cps');
    const pool = new Pool({ connectionString: env.backend.url, max: env.poolSize });
    const definition = fs
      .readFileSync(path.join(path.dirname(require.resolve('connect-pg-simple')), 'table.sql'), 'utf8')
      .replaceAll('"session_pkey"', `"${table}_pkey"`)
      .replaceAll('"IDX_session_expire"', `"${table}_expire"`)
      .replaceAll('"session"', `"${table}"`);
    await pool.query(definition);
    const store = new PGStore({ pool, tableName: table, createTableIfMissing: false, pruneSessionInterval: false });
    return {
      api: promiseApi(store),
      pool: `pg Pool, max ${env.poolSize}`,
      async close() {
        await store.close();
        await pool.query(`DROP TABLE IF EXISTS "${table}"`);
        await pool.end();
      },
    };
  },
};
