'use strict';
const session = require('express-session');
const SequelizeStore = require('sequelize-session-store')(session.Store);
const { createApp } = require('./app');

// No `db` option: the store keeps sessions in an embedded SQLite file (needs the sqlite3 package).
// In production pass your own Sequelize instance: new SequelizeStore({ db: sequelize }).
const store = new SequelizeStore({ sqlitePath: process.env.SESSIONS_SQLITE || './sessions.sqlite' });

const port = Number(process.env.PORT) || 3000;
const server = createApp({ store }).listen(port, (error) => {
  if (error) throw error;
  console.log(`Session demo listening on http://localhost:${server.address().port}`);
});

function shutdown(signal) {
  console.log(`${signal} received, closing`);
  // Finish the requests in flight first: they may still write their session.
  server.close(() => {
    store.close().then(
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
