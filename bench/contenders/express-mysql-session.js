'use strict';

const { promiseApi } = require('./promise-api');

/** express-mysql-session with its own mysql2 pool of 5; it creates its table (createDatabaseTable). */
module.exports = {
  name: 'express-mysql-session',
  label: 'express-mysql-session',
  kind: 'peer',
  backends: ['mariadb'],
  version: () => require('express-mysql-session/package.json').version,
  async open(env) {
    const session = require('express-session');
    const MySQLStore = require('express-mysql-session')(session);
    const url = new URL(env.backend.url);
    const table = env.table('ems');
    const store = new MySQLStore({
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: url.pathname.slice(1),
      connectionLimit: env.poolSize,
      clearExpired: false,
      createDatabaseTable: true,
      schema: { tableName: table },
    });
    await store.onReady();
    return {
      api: promiseApi(store),
      pool: `mysql2 pool, connectionLimit ${env.poolSize}`,
      async close() {
        await store.query('DROP TABLE IF EXISTS ??', [table]);
        await store.close();
      },
    };
  },
};
