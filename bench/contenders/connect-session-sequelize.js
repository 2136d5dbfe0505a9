'use strict';

const { promiseApi } = require('./promise-api');

/** connect-session-sequelize on a Sequelize instance of its own, its table made by its sync(). */
module.exports = {
  name: 'connect-session-sequelize',
  label: 'connect-session-sequelize',
  kind: 'peer',
  backends: ['sqlite', 'mariadb', 'postgres'],
  version: () => require('connect-session-sequelize/package.json').version,
  async open(env) {
    const session = require('express-session');
    const SequelizeStore = require('connect-session-sequelize')(session.Store);
    const table = env.table('css');
    const db = await env.sequelize('connect-session-sequelize');
    const store = new SequelizeStore({ db, tableName: table, modelKey: table, checkExpirationInterval: 0 });
    await store.sync();
    return {
      api: promiseApi(store),
      pool: `Sequelize pool, max ${env.poolSize}`,
      async close() {
        store.stopExpiringSessions();
        await store.sessionModel.drop();
        await db.close();
      },
    };
  },
};
