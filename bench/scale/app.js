'use strict';
// One app process of the fleet (forked by run.js): it serves a steady get/touch load on the shared
// table, sweeps it when told to, and reports what it did.

const session = require('express-session');
const { Sequelize } = require('sequelize');
const sequelizeSessionStore = require('sequelize-session-store');
const { defineSessionModel } = require('sequelize-session-store/model');
const { startTraffic } = require('./traffic');

const { url, table, rows, rate, batch } = JSON.parse(process.argv[2]);
let statements = 0;
const db = new Sequelize(url, {
  logging: (sql) => {
    if (sql.startsWith('Executing (sequelize-session-store): DELETE')) statements += 1;
  },
  pool: { max: 10 },
});
const SequelizeStore = sequelizeSessionStore(session.Store);
const model = defineSessionModel(db, { tableName: table });
const store = new SequelizeStore({ db, table: model, checkExpirationInterval: 0, pruneBatchSize: batch });

(async () => {
  await store.length(); // connected, statements prepared
  const traffic = startTraffic(store, rows, rate);
  process.send({ ready: true });
  setTimeout(() => traffic.window(), 3000); // the warm-up is not measured
  await new Promise((resolve) => process.once('message', resolve));
  const before = traffic.window();
  const started = process.hrtime.bigint();
  let deleted = 0;
  let error;
  try {
    // The sweep the cleanup timer runs, started at the same moment in every process.
    deleted = await store.prune();
  } catch (e) {
    error = e.message;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const during = traffic.window();
  await traffic.stop();
  process.send({ deleted, statements, seconds, error, before, during });
  await db.close();
})();
