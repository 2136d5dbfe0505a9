'use strict';

/**
 * The statements sequelize-session-store runs per operation (lib/sql.ts), written out for the
 * default model, so the floor does exactly the same SQL. Keep in step with lib/sql.ts.
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
  const updated = [data, expires, updatedAt];
  const tail =
    upsert === 'mysql'
      ? `ON DUPLICATE KEY UPDATE ${updated.map((c) => `${c}=VALUES(${c})`).join(', ')}`
      : `ON CONFLICT (${sid}) DO UPDATE SET ${updated.map((c) => `${c}=${upsert === 'postgres' ? 'EXCLUDED' : 'excluded'}.${c}`).join(', ')}`;
  // MySQL/MariaDB: the byte-wise sid check that keeps 'abc ' from finding 'abc' (lib/sql.ts exactSid).
  const bySid = (position) =>
    upsert === 'mysql' ? `${sid} = ? AND CAST(${sid} AS BINARY) = CAST(? AS BINARY)` : `${sid} = ${p(position)}`;
  return {
    /** (sid, now); on MariaDB (sid, sid, now) */
    get: `SELECT ${data} AS data FROM ${t} WHERE ${bySid(1)} AND ${expires} > ${p(2)}`,
    /** (sid, data, expires, createdAt, updatedAt) */
    set: `INSERT INTO ${t} (${sid}, ${data}, ${expires}, ${createdAt}, ${updatedAt}) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}) ${tail}`,
    /** (expires, updatedAt, sid, now, expires - 1 s, expires + 1 s); on MariaDB sid twice */
    touch:
      `UPDATE ${t} SET ${expires} = ${p(1)}, ${updatedAt} = ${p(2)} WHERE ${bySid(3)} AND ${expires} > ${p(4)} ` +
      `AND (${expires} <= ${p(5)} OR ${expires} >= ${p(6)})`,
    /** (sid); on MariaDB (sid, sid) */
    destroy: `DELETE FROM ${t} WHERE ${bySid(1)}`,
  };
}

/** The bounds of the touch's one-second rule: a touch closer than that to the stored expiry writes nothing. */
function touchBounds(expires) {
  return [new Date(expires.getTime() - 1000), new Date(expires.getTime() + 1000)];
}

const DAY_MS = 24 * 60 * 60 * 1000;

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

module.exports = { floorStatements, expiryOf, touchBounds, createStoreTable };
