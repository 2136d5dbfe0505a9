// Express 4: the same setup as Express 5. (This repository installs Express 4 under the alias
// `express-4`; in your app it is plain `require('express')`.)
'use strict';
const express = require('express-4');
const session = require('express-session');
const SequelizeStore = require('sequelize-session-store')(session.Store);

const store = new SequelizeStore({ sqlitePath: process.env.SESSIONS_SQLITE || './sessions.sqlite' });

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
