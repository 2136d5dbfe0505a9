// TypeScript: declare what your sessions hold once, and get/set/req.session are typed with it.
import express from 'express';
import session from 'express-session';
import sequelizeSessionStore from 'sequelize-session-store';

declare module 'express-session' {
  interface SessionData {
    views: number;
    user?: { id: string; name: string };
  }
}

const SequelizeStore = sequelizeSessionStore(session.Store);
const options: sequelizeSessionStore.SequelizeStoreOptions = {
  sqlitePath: process.env.SESSIONS_SQLITE ?? './sessions.sqlite',
  touchAfter: 60,
};
const store = new SequelizeStore(options);

const app = express();
app.use(
  session({ secret: process.env.SESSION_SECRET ?? 'dev-only secret', store, resave: false, saveUninitialized: false }),
);

app.get('/', (req, res) => {
  req.session.views = (req.session.views ?? 0) + 1;
  res.send(`views: ${req.session.views}`);
});

// The store's own API is typed too: get resolves to SessionData | null.
app.get('/peek', async (req, res) => {
  const stored = await store.get(req.sessionID);
  res.json({ views: stored?.views ?? 0 });
});

const server = app.listen(Number(process.env.PORT ?? 3000), () => {
  const address = server.address();
  console.log(`listening on http://localhost:${typeof address === 'object' && address ? address.port : ''}`);
});
process.once('SIGTERM', () => server.close(() => void store.close()));
