// Your own session model with a userId column, filled by extendDefaultFields, so that you can
// find and end all of a user's sessions ("log out everywhere").
'use strict';
const express = require('express');
const session = require('express-session');
const { DataTypes, Sequelize } = require('sequelize');
const SequelizeStore = require('sequelize-session-store')(session.Store);

const sequelize = new Sequelize({
  dialect: 'sqlite',
  storage: process.env.SESSIONS_SQLITE || './sessions.sqlite',
  logging: false,
});

// The store needs sid, expires and data; everything else is yours.
const UserSession = sequelize.define(
  'UserSession',
  {
    sid: { type: DataTypes.STRING(255), primaryKey: true },
    userId: { type: DataTypes.STRING(64), allowNull: true },
    expires: DataTypes.DATE,
    data: DataTypes.TEXT,
  },
  { tableName: 'user_sessions', indexes: [{ fields: ['userId'] }, { fields: ['expires'] }] },
);

const store = new SequelizeStore({
  db: sequelize,
  table: UserSession,
  // Written by every save, in the same statement as the session itself.
  extendDefaultFields: (defaults, sess) => ({ ...defaults, userId: sess.userId ?? null }),
});

async function main() {
  await store.sync();
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(
    session({
      secret: process.env.SESSION_SECRET || 'dev-only secret',
      store,
      resave: false,
      saveUninitialized: false,
    }),
  );

  app.get('/', (req, res) => res.send(req.session.userId ? `hello ${req.session.userId}` : 'nobody'));

  app.post('/login', (req, res, next) => {
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.userId = String(req.body.user);
      req.session.save((err) => (err ? next(err) : res.redirect(303, '/')));
    });
  });

  // Ends every session of the current user, on every device.
  app.post('/logout-everywhere', async (req, res, next) => {
    if (!req.session.userId) return res.status(401).send('nobody');
    try {
      const ended = await store.destroyWhere({ userId: req.session.userId });
      res.send(`ended ${ended} sessions`);
    } catch (error) {
      next(error);
    }
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
