// Fastify 5 with @fastify/session, which takes express-session stores: npm install fastify @fastify/cookie @fastify/session
'use strict';
const Fastify = require('fastify');
const fastifyCookie = require('@fastify/cookie');
const fastifySession = require('@fastify/session');
const SequelizeStore = require('sequelize-session-store')(fastifySession.Store);

const store = new SequelizeStore({ sqlitePath: process.env.SESSIONS_SQLITE || './sessions.sqlite' });

const app = Fastify();
app.register(fastifyCookie);
app.register(fastifySession, {
  secret: process.env.SESSION_SECRET || 'a dev-only secret of at least 32 characters',
  store,
  saveUninitialized: false, // no row until the session holds something
  // rolling (the default) rewrites the whole session on every request; with rolling: false an
  // unchanged session is not written, and its expiry stays where its last change put it.
  cookie: { maxAge: 60 * 60 * 1000, secure: 'auto' }, // 'auto': secure over https, usable on http://localhost
});

app.get('/', async (request) => {
  const views = (request.session.get('views') || 0) + 1;
  request.session.set('views', views);
  return `views: ${views}`;
});

app.post('/logout', async (request) => {
  await request.session.destroy(); // deletes the row
  return 'bye';
});

app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' }).then(
  () => console.log(`listening on http://localhost:${app.server.address().port}`),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
process.once('SIGTERM', () => app.close().then(() => store.close()));
