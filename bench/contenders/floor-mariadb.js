'use strict';

const { floorStatements, expiryOf, touchBounds, tombstoneExpiry, createStoreTable } = require('./floor-sql');

/** The floor on MariaDB: a mysql2 pool of 5 and execute(), prepared once per connection. */
module.exports = {
  name: 'floor',
  label: 'raw driver (floor)',
  kind: 'floor',
  backends: ['mariadb'],
  version: () => `mysql2 ${require('mysql2/package.json').version}`,
  async open(env) {
    const mysql = require('mysql2');
    const table = env.table('floor');
    await createStoreTable(env, 'floor', table);
    const pool = mysql.createPool({ uri: env.backend.url, connectionLimit: env.poolSize, timezone: 'Z' });
    const sql = floorStatements('mariadb', table);
    const execute = (text, params) =>
      new Promise((resolve, reject) =>
        pool.execute(text, params, (error, result) => (error ? reject(error) : resolve(result))),
      );
    return {
      api: {
        async get(sid) {
          const rows = await execute(sql.get, [sid, sid, new Date()]);
          return rows.length > 0 ? JSON.parse(rows[0].data) : null;
        },
        async set(sid, session) {
          const now = new Date();
          await execute(sql.set, [sid, JSON.stringify(session), expiryOf(session), now, now]);
        },
        async touch(sid, session) {
          const now = new Date();
          const expires = expiryOf(session);
          await execute(sql.touch, [expires, now, sid, sid, now, ...touchBounds(expires)]);
        },
        async destroy(sid) {
          const now = new Date();
          await execute(sql.destroy, [sid, tombstoneExpiry(), now, now]);
        },
      },
      pool: `mysql2 pool, connectionLimit ${env.poolSize}`,
      async close() {
        await pool.promise().query(`DROP TABLE IF EXISTS \`${table}\``);
        await pool.promise().end();
      },
    };
  },
};
