// Koa 3 with koa-session, through the Koa adapter: npm install koa koa-session
'use strict';
const Koa = require('koa');
const { createSession } = require('koa-session');
const session = require('express-session');
const { koaStore } = require('sequelize-session-store/koa');
const SequelizeStore = require('sequelize-session-store')(session.Store);

const store = new SequelizeStore({ sqlitePath: process.env.SESSIONS_SQLITE || './sessions.sqlite' });

const app = new Koa();
app.keys = [process.env.SESSION_SECRET || 'dev-only secret']; // signs the session cookie
app.use(
  createSession(
    {
      // The adapter gives each row koa-session's maxAge: a day here, 30 days after "remember me"
      // below, and the store's `expiration` for a browser-session cookie (maxAge: 'session').
      store: koaStore(store),
      maxAge: 24 * 60 * 60 * 1000,
    },
    app,
  ),
);

app.use(async (ctx) => {
  if (ctx.method === 'POST' && ctx.path === '/remember-me') {
    ctx.session.maxAge = 30 * 24 * 60 * 60 * 1000; // this session only
    ctx.body = 'remembered for 30 days';
  } else if (ctx.method === 'POST' && ctx.path === '/logout') {
    ctx.session = null; // deletes the row
    ctx.body = 'bye';
  } else {
    ctx.session.views = (ctx.session.views || 0) + 1;
    ctx.body = `views: ${ctx.session.views}`;
  }
});

const server = app.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`listening on http://localhost:${server.address().port}`);
});
process.once('SIGTERM', () => server.close(() => store.close()));
