// Connect instead of Express: express-session is plain Connect middleware.
'use strict';
const http = require('node:http');
const connect = require('connect');
const session = require('express-session');
const SequelizeStore = require('sequelize-session-store')(session.Store);

const store = new SequelizeStore({ sqlitePath: process.env.SESSIONS_SQLITE || './sessions.sqlite' });

const app = connect();
app.use(
  session({
    secret: process.env.SESSION_SECRET || 'dev-only secret',
    store,
    resave: false,
    saveUninitialized: false,
    cookie: { maxAge: 60 * 60 * 1000 },
  }),
);
app.use((req, res) => {
  req.session.views = (req.session.views || 0) + 1;
  res.setHeader('Content-Type', 'text/plain');
  res.end(`views: ${req.session.views}`);
});

const server = http.createServer(app).listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`listening on http://localhost:${server.address().port}`);
});
process.once('SIGTERM', () => server.close(() => store.close()));
