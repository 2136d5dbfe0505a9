'use strict';

const { floorStatements, expiryOf, touchBounds, tombstoneExpiry, createStoreTable } = require('./floor-sql');

/** A date as Sequelize writes it to an SQLite DATETIME column (compared as text). */
function sqliteDate(date) {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)} +00:00`;
}

function promisified(target, method, args) {
  return new Promise((resolve, reject) => {
    target[method](...args, function (error, row) {
      if (error) reject(error);
      else resolve(row);
    });
  });
}

/** The floor on SQLite: one sqlite3 Database in WAL mode, the four statements prepared once. */
module.exports = {
  name: 'floor',
  label: 'raw driver (floor)',
  kind: 'floor',
  backends: ['sqlite'],
  version: () => `sqlite3 ${require('sqlite3/package.json').version}`,
  async open(env) {
    const sqlite3 = require('sqlite3');
    const table = env.table('floor');
    await createStoreTable(env, 'floor', table);
    const file = await env.sqliteFile('floor');
    const db = await new Promise((resolve, reject) => {
      const opened = new sqlite3.Database(file, (error) => (error ? reject(error) : resolve(opened)));
    });
    await promisified(db, 'exec', ['PRAGMA busy_timeout = 5000']);
    const sql = floorStatements('sqlite', table);
    const prepared = {};
    for (const [key, text] of Object.entries(sql)) {
      prepared[key] = await new Promise((resolve, reject) => {
        const statement = db.prepare(text, (error) => (error ? reject(error) : resolve(statement)));
      });
    }
    return {
      api: {
        async get(sid) {
          // all(), not get(): get() leaves the statement open on its row until the next call, and
          // with it a read transaction that keeps WAL checkpoints from finishing, so the WAL grows.
          const rows = await promisified(prepared.get, 'all', [[sid, sqliteDate(new Date())]]);
          return rows.length > 0 ? JSON.parse(rows[0].data) : null;
        },
        async set(sid, session) {
          const now = sqliteDate(new Date());
          // all(): the upsert returns the row it wrote, as the store's does.
          await promisified(prepared.set, 'all', [
            [sid, JSON.stringify(session), sqliteDate(expiryOf(session)), now, now],
          ]);
        },
        async touch(sid, session) {
          const now = new Date();
          const expires = expiryOf(session);
          const [low, high] = touchBounds(expires).map(sqliteDate);
          await promisified(prepared.touch, 'run', [
            [sqliteDate(expires), sqliteDate(now), sid, sqliteDate(now), low, high],
          ]);
        },
        async destroy(sid) {
          const now = sqliteDate(new Date());
          await promisified(prepared.destroy, 'run', [[sid, sqliteDate(tombstoneExpiry()), now, now]]);
        },
      },
      pool: 'one sqlite3 Database',
      async close() {
        for (const statement of Object.values(prepared)) await promisified(statement, 'finalize', []);
        await promisified(db, 'exec', [`DROP TABLE IF EXISTS \`${table}\``]);
        await promisified(db, 'close', []);
      },
    };
  },
};
