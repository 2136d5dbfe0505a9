'use strict';

const { promiseApi } = require('./promise-api');
const { Unsupported } = require('./unsupported');

/**
 * sequelize-session-store, as built (`npm run build`), on a Sequelize instance of its own.
 * `options` are passed only if the store accepts them: one it rejects at construction makes the
 * contender "n/a" rather than failing the run (touchAfter did not exist in early versions).
 */
function ours({ name, label, options = {}, backends = ['sqlite', 'mariadb', 'postgres'] }) {
  return {
    name,
    label,
    kind: 'ours',
    options,
    backends,
    async open(env) {
      const session = require('express-session');
      const SequelizeStore = require(env.storeModule)(session.Store);
      const table = env.table(name.replace(/-/g, '_'));
      const db = await env.sequelize(name);
      let store;
      try {
        store = new SequelizeStore({ db, tableName: table, modelKey: table, checkExpirationInterval: 0, ...options });
      } catch (error) {
        await db.close();
        if (Object.keys(options).length > 0) throw new Unsupported(error.message);
        throw error;
      }
      await store.sync();
      return {
        api: promiseApi(store),
        db,
        pool: `Sequelize pool, max ${env.poolSize}`,
        async close() {
          await store.sessionModel.drop();
          await store.close();
          await db.close();
        },
      };
    },
  };
}

module.exports = { ours };
