'use strict';
const fs = require('node:fs');
const session = require('express-session');
const { Sequelize } = require('sequelize');
const SequelizeStore = require('sequelize-session-store')(session.Store);
const { createApp } = require('./app');
const { defineSessionModel, withUserName } = require('./session-model');

// Sessions in an SQLite file (needs the sqlite3 package), opened by our own Sequelize instance:
// the demo's model, with its userName column, has to be defined on it. Another database is only
// another instance here: new Sequelize(process.env.DATABASE_URL).
const file = process.env.SESSIONS_SQLITE || './sessions.sqlite';
// The file holds every session: readable by its owner only, as the store's own embedded database is.
fs.closeSync(fs.openSync(file, 'a', 0o600));
const sequelize = new Sequelize({ dialect: 'sqlite', storage: file, logging: false });
const store = new SequelizeStore({
  db: sequelize,
  table: defineSessionModel(sequelize),
  extendDefaultFields: withUserName,
});

async function start() {
  await store.sync(); // creates the demo_sessions table if it is missing
  const port = Number(process.env.PORT) || 3000;
  const server = createApp({ store }).listen(port, (error) => {
    if (error) throw error;
    console.log(`Session demo listening on http://localhost:${server.address().port}`);
  });

  function shutdown(signal) {
    console.log(`${signal} received, closing`);
    // Finish the requests in flight first: they may still write their session. A browser keeps
    // its connections open after a request; close() would wait out their keep-alive timeout, so
    // each one is ended as soon as it is idle. One still busy after 3 s is cut: a browser can
    // leave a connection with a request that never completes, and the server would never stop.
    const endIdleConnections = setInterval(() => server.closeIdleConnections(), 50);
    const endAllConnections = setTimeout(() => server.closeAllConnections(), 3000);
    server.close(() => {
      clearInterval(endIdleConnections);
      clearTimeout(endAllConnections);
      // The store leaves a `db` it was given open: closing it is ours to do.
      store
        .close()
        .then(() => sequelize.close())
        .then(
          () => console.log('closed'),
          (error) => {
            console.error(error);
            process.exitCode = 1;
          },
        );
    });
  }
  // once: a second Ctrl-C falls back to Node's default and ends the process at once.
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

start().catch((error) => {
  console.error(error);
  process.exit(1);
});
