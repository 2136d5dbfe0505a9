// Sessions encrypted at rest, keyed by a hash of their id: a leaked dump holds neither session
// contents nor a usable cookie value. Rotate keys by listing the new secret first (see docs/security.md).
'use strict';
const express = require('express');
const session = require('express-session');
const SequelizeStore = require('sequelize-session-store')(session.Store);

const store = new SequelizeStore({
  sqlitePath: process.env.SESSIONS_SQLITE || './sessions.sqlite',
  // Long random strings, kept out of the database and its backups.
  secret: [process.env.SESSION_STORE_SECRET || 'dev-only store secret', process.env.SESSION_STORE_OLD_SECRET].filter(
    Boolean,
  ),
  sidSecret: process.env.SESSION_ID_SECRET || 'dev-only id secret',
});
store.on('error', (error) => console.warn(error.message)); // e.g. a row that fails to decrypt

const app = express();
app.use(
  session({
    secret: process.env.SESSION_SECRET || 'dev-only secret',
    store,
    resave: false,
    saveUninitialized: false,
    cookie: { maxAge: 60 * 60 * 1000 },
  }),
);

app.get('/', (req, res) => {
  req.session.views = (req.session.views || 0) + 1;
  res.send(`views: ${req.session.views}`);
});

const server = app.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`listening on http://localhost:${server.address().port}`);
});
process.once('SIGTERM', () => server.close(() => store.close()));
