'use strict';

const { floorStatements, expiryOf, touchBounds, tombstoneExpiry, createStoreTable } = require('./floor-sql');

/**
 * The floor on PostgreSQL: a pg Pool of 5 and named queries, prepared once per connection. Behind
 * PgBouncer in transaction mode (`named: false`), the same SQL as unnamed statements, the only kind
 * such a pooler carries: parsed and planned on every run, as our store's are there.
 */
const floorPostgres = ({ backends, named }) => ({
  name: 'floor',
  label: 'raw driver (floor)',
  kind: 'floor',
  backends,
  version: () => `pg ${require('pg/package.json').version}`,
  async open(env) {
    const { Pool } = require('pg');
    const table = env.table('floor');
    await createStoreTable(env, 'floor', table);
    const pool = new Pool({ connectionString: env.backend.url, max: env.poolSize });
    const sql = floorStatements('postgres', table);
    const query = (name, values) =>
      new Promise((resolve, reject) =>
        pool.query({ ...(named ? { name: `${table}_${name}` } : {}), text: sql[name], values }, (error, result) =>
          error ? reject(error) : resolve(result),
        ),
      );
    return {
      api: {
        async get(sid) {
          const { rows } = await query('get', [sid, new Date()]);
          return rows.length > 0 ? JSON.parse(rows[0].data) : null;
        },
        async set(sid, session) {
          const now = new Date();
          await query('set', [sid, JSON.stringify(session), expiryOf(session), now, now]);
        },
        async touch(sid, session) {
          const now = new Date();
          const expires = expiryOf(session);
          await query('touch', [expires, now, sid, now, ...touchBounds(expires)]);
        },
        async destroy(sid) {
          const now = new Date();
          await query('destroy', [sid, tombstoneExpiry(), now, now]);
        },
      },
      pool: `pg Pool, max ${env.poolSize}${named ? ', named statements' : ', unnamed statements'}`,
      async close() {
        await pool.query(`DROP TABLE IF EXISTS "${table}"`);
        await pool.end();
      },
    };
  },
});

module.exports = { floorPostgres };
