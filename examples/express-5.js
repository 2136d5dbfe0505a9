// Express 5 with sessions in the embedded SQLite file: the smallest complete setup.
'use strict';
const express = require('express');
const session = require('express-session');
const SequelizeStore = require('sequelize-session-store')(session.Store);

const store = new SequelizeStore({ sqlitePath: process.env.SESSIONS_SQLITE || './sessions.sqlite' });

const app = express();
app.use(
  session({
    secret: process.env.SESSION_SECRET || 'dev-only secret',
    store,
    resave: false, // the store implements touch: an unchanged session is not rewritten
    saveUninitialized: false, // no row until the session holds something
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
