'use strict';

const { promiseApi } = require('./promise-api');

const CLIENTS = { sqlite: 'sqlite3', mariadb: 'mysql2', postgres: 'pg' };

/**
 * connect-session-knex on a knex instance of its own; it creates its table (createTable). On
 * SQLite knex keeps a single connection, as its sqlite3 client does by default.
 */
module.exports = {
  name: 'connect-session-knex',
  label: 'connect-session-knex',
  kind: 'peer',
  backends: ['sqlite', 'mariadb', 'postgres'],
  version: () => require('connect-session-knex/package.json').version,
  async open(env) {
    const { ConnectSessionKnexStore } = require('connect-session-knex');
    const sqlite = env.backend.name === 'sqlite';
    const knex = require('knex')({
      client: CLIENTS[env.backend.name],
      connection: sqlite ? { filename: await env.sqliteFile('connect-session-knex') } : env.backend.url,
      pool: sqlite ? { min: 1, max: 1 } : { min: 0, max: env.poolSize },
      useNullAsDefault: true,
    });
    const table = env.table('knex');
    const store = new ConnectSessionKnexStore({ knex, tableName: table, createTable: true, cleanupInterval: 0 });
    await store.ready;
    return {
      api: promiseApi(store),
      pool: sqlite ? 'knex pool, max 1 (sqlite3 client)' : `knex pool, max ${env.poolSize}`,
      async close() {
        await knex.schema.dropTableIfExists(table);
        await knex.destroy();
      },
    };
  },
};
