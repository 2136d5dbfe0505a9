'use strict';

/**
 * The statements sequelize-session-store runs per operation (lib/sql/hot-statements.ts), written
 * out for the default model, so the floor does exactly the same SQL: reads and touches pass a
 * logout's tombstone (data NULL) by, the save leaves it alone and returns the row it wrote, and a
 * logout leaves a tombstone. Keep in step with lib/sql/hot-statements.ts.
 */
const DIALECTS = {
  sqlite: { quote: (name) => `\`${name}\``, param: () => '?', upsert: 'sqlite' },
  mariadb: { quote: (name) => `\`${name}\``, param: () => '?', upsert: 'mysql' },
  postgres: { quote: (name) => `"${name}"`, param: (i) => `$${i}`, upsert: 'postgres' },
};

function floorStatements(dialect, tableName) {
  const { quote: q, param: p, upsert } = DIALECTS[dialect];
  const t = q(tableName);
  const [sid, data, expires, createdAt, updatedAt] = ['sid', 'data', 'expires', 'createdAt', 'updatedAt'].map(q);
  const excluded = upsert === 'postgres' ? 'EXCLUDED' : 'excluded';
  const same = `CAST(${sid} AS BINARY) = CAST(VALUES(${sid}) AS BINARY)`;
  // MySQL assigns left to right: data last, so that the test on it reads the stored value.
  const tail =
    upsert === 'mysql'
      ? `ON DUPLICATE KEY UPDATE ${[expires, updatedAt, data].map((c) => `${c}=IF(${same} AND ${data} IS NOT NULL, VALUES(${c}), ${c})`).join(', ')}`
      : `ON CONFLICT (${sid}) DO UPDATE SET ${[data, expires, updatedAt].map((c) => `${c}=${excluded}.${c}`).join(', ')} WHERE ${t}.${data} IS NOT NULL`;
  const tombstone =
    upsert === 'mysql'
      ? `ON DUPLICATE KEY UPDATE ${expires}=IF(${same}, GREATEST(COALESCE(${expires}, VALUES(${expires})), VALUES(${expires})), ${expires}), ` +
        `${updatedAt}=IF(${same}, VALUES(${updatedAt}), ${updatedAt}), ${data}=IF(${same}, NULL, ${data})`
      : `ON CONFLICT (${sid}) DO UPDATE SET ${data}=NULL, ` +
        `${expires}=${upsert === 'postgres' ? 'GREATEST' : 'MAX'}(COALESCE(${t}.${expires}, ${excluded}.${expires}), ${excluded}.${expires}), ` +
        `${updatedAt}=${excluded}.${updatedAt}`;
  // MySQL/MariaDB: the byte-wise sid check that keeps 'abc ' from finding 'abc' (lib/sql.ts exactSid).
  const bySid = (position) =>
    upsert === 'mysql' ? `${sid} = ? AND CAST(${sid} AS BINARY) = CAST(? AS BINARY)` : `${sid} = ${p(position)}`;
  return {
    /** (sid, now); on MariaDB (sid, sid, now) */
    get: `SELECT ${data} AS data FROM ${t} WHERE ${bySid(1)} AND ${expires} > ${p(2)} AND ${data} IS NOT NULL`,
    /** (sid, data, expires, createdAt, updatedAt) → the row as stored */
    set: `INSERT INTO ${t} (${sid}, ${data}, ${expires}, ${createdAt}, ${updatedAt}) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}) ${tail} RETURNING *`,
    /** (expires, updatedAt, sid, now, expires - 1 s, expires + 1 s); on MariaDB sid twice */
    touch:
      `UPDATE ${t} SET ${expires} = ${p(1)}, ${updatedAt} = ${p(2)} WHERE ${bySid(3)} AND ${expires} > ${p(4)} ` +
      `AND ${data} IS NOT NULL AND (${expires} <= ${p(5)} OR ${expires} >= ${p(6)})`,
    /** (sid, the tombstone's expiry, createdAt, updatedAt) */
    destroy: `INSERT INTO ${t} (${sid}, ${data}, ${expires}, ${createdAt}, ${updatedAt}) VALUES (${p(1)}, NULL, ${p(2)}, ${p(3)}, ${p(4)}) ${tombstone}`,
  };
}

/** The bounds of the touch's one-second rule: a touch closer than that to the stored expiry writes nothing. */
function touchBounds(expires) {
  return [new Date(expires.getTime() - 1000), new Date(expires.getTime() + 1000)];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** How long a logout's tombstone lasts, as the store's default `expiration`. */
function tombstoneExpiry() {
  return new Date(Date.now() + DAY_MS);
}

/** When a session expires, as the store computes it: the cookie's expiry, else 24 h from now. */
function expiryOf(session) {
  const expires = session.cookie && session.cookie.expires;
  if (expires) {
    const at = new Date(expires);
    if (!Number.isNaN(at.getTime())) return at;
  }
  return new Date(Date.now() + DAY_MS);
}

/** Creates the floor's table exactly as our store makes its own: through the store's sync(). */
async function createStoreTable(env, name, table) {
  const session = require('express-session');
  const SequelizeStore = require(env.storeModule)(session.Store);
  const db = await env.sequelize(name);
  try {
    const store = new SequelizeStore({ db, tableName: table, modelKey: table, checkExpirationInterval: 0 });
    await store.sync();
    await store.close();
  } finally {
    await db.close();
  }
}

module.exports = { floorStatements, expiryOf, touchBounds, tombstoneExpiry, createStoreTable };
