'use strict';

const { floorStatements, expiryOf, touchBounds, tombstoneExpiry, createStoreTable } = require('./floor-sql');

/** A date as Sequelize writes it to an SQLite DATETIME column (compared as text). */
function sqliteDate(date) {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)} +00:00`;
}

/** `target[method](...args)` as a promise; `settled`, if given, runs first when the driver answers. */
function promisified(target, method, args, settled) {
  return new Promise((resolve, reject) => {
    target[method](...args, function (error, row) {
      settled?.();
      if (error) reject(error);
      else resolve(row);
    });
  });
}

/**
 * Prepares `text` `copies` times; each call takes the copy with the fewest calls on it. sqlite3
 * runs one prepared statement's calls one after the other, with a trip through the event loop in
 * between, so copies run side by side where one would queue.
 */
async function prepareCopies(db, text, copies) {
  const made = [];
  for (let i = 0; i < copies; i += 1) {
    made.push({
      running: 0,
      statement: await new Promise((resolve, reject) => {
        const statement = db.prepare(text, (error) => (error ? reject(error) : resolve(statement)));
      }),
    });
  }
  return {
    made,
    /** One promise per call, as with a single statement: the floor pays for no bookkeeping of ours. */
    call(method, args) {
      const copy = made.reduce((idlest, c) => (c.running < idlest.running ? c : idlest));
      copy.running += 1;
      return promisified(copy.statement, method, args, () => (copy.running -= 1));
    },
  };
}

/**
 * The floor on SQLite: one sqlite3 Database in WAL mode, the four statements prepared once, as
 * sqlite3 is commonly used. `copies` > 1: each statement prepared that many times, as our store
 * does (lib/driver/sqlite-runner.ts), for the driver's best against our store's.
 */
function floorSqlite({ name, label, copies }) {
  return {
    name,
    label,
    kind: copies > 1 ? 'driver' : 'floor',
    backends: ['sqlite'],
    version: () => `sqlite3 ${require('sqlite3/package.json').version}`,
    async open(env) {
      const sqlite3 = require('sqlite3');
      const table = env.table(name.replace(/-/g, '_'));
      await createStoreTable(env, name, table);
      const file = await env.sqliteFile(name);
      const db = await new Promise((resolve, reject) => {
        const opened = new sqlite3.Database(file, (error) => (error ? reject(error) : resolve(opened)));
      });
      await promisified(db, 'exec', ['PRAGMA busy_timeout = 5000']);
      const sql = floorStatements('sqlite', table);
      const prepared = {};
      for (const [key, text] of Object.entries(sql)) prepared[key] = await prepareCopies(db, text, copies);
      return {
        api: {
          async get(sid) {
            // all(), not get(): get() leaves the statement open on its row until the next call, and
            // with it a read transaction that keeps WAL checkpoints from finishing, so the WAL grows.
            const rows = await prepared.get.call('all', [[sid, sqliteDate(new Date())]]);
            return rows.length > 0 ? JSON.parse(rows[0].data) : null;
          },
          async set(sid, session) {
            const now = sqliteDate(new Date());
            // all(): the upsert returns the row it wrote, as the store's does.
            await prepared.set.call('all', [[sid, JSON.stringify(session), sqliteDate(expiryOf(session)), now, now]]);
          },
          async touch(sid, session) {
            const now = new Date();
            const expires = expiryOf(session);
            const [low, high] = touchBounds(expires).map(sqliteDate);
            await prepared.touch.call('run', [[sqliteDate(expires), sqliteDate(now), sid, sqliteDate(now), low, high]]);
          },
          async destroy(sid) {
            const now = sqliteDate(new Date());
            await prepared.destroy.call('run', [[sid, sqliteDate(tombstoneExpiry()), now, now]]);
          },
        },
        pool: copies > 1 ? `one sqlite3 Database, ${copies} copies of each statement` : 'one sqlite3 Database',
        async close() {
          for (const { made } of Object.values(prepared))
            for (const { statement } of made) await promisified(statement, 'finalize', []);
          await promisified(db, 'exec', [`DROP TABLE IF EXISTS \`${table}\``]);
          await promisified(db, 'close', []);
        },
      };
    },
  };
}

module.exports = { floorSqlite };
