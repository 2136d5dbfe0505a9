// PostgreSQL through pg: npm install sequelize pg
'use strict';
const express = require('express');
const session = require('express-session');
const { Sequelize } = require('sequelize');
const SequelizeStore = require('sequelize-session-store')(session.Store);

const sequelize = new Sequelize(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test', {
  logging: false,
  pool: { max: 10 }, // sessions share this pool with the rest of the app
});
const store = new SequelizeStore({
  db: sequelize,
  tableName: process.env.SESSIONS_TABLE || 'Sessions',
  touchAfter: 60, // at most one expiry write per session per minute
});

async function main() {
  await store.sync(); // or ship the table through migrations: see examples/migrations.js
  const app = express();
  app.use(
    session({
      secret: process.env.SESSION_SECRET || 'dev-only secret',
      store,
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: 24 * 60 * 60 * 1000 },
    }),
  );
  app.get('/', (req, res) => {
    req.session.views = (req.session.views || 0) + 1;
    res.send(`views: ${req.session.views}`);
  });
  const server = app.listen(Number(process.env.PORT ?? 3000), () => {
    console.log(`listening on http://localhost:${server.address().port}`);
  });
  process.once('SIGTERM', () => server.close(() => sequelize.close()));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
