// NestJS 12 on its default platform, Express: express-session is Express middleware, and the store goes in it.
// npm install @nestjs/core @nestjs/common @nestjs/platform-express reflect-metadata rxjs express-session sequelize
// Nest 12 is ESM only, hence .mjs. Plain JavaScript has no decorators: the calls after each class
// are what @Module(), @Controller(), @Get(), @Post() and @Req() do in TypeScript.
import 'reflect-metadata';
import { Controller, Get, Module, Post, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import session from 'express-session';
import { Sequelize } from 'sequelize';
import sequelizeSessionStore from 'sequelize-session-store';

const SequelizeStore = sequelizeSessionStore(session.Store);

/** Runs req.session.regenerate() or destroy(), which take a callback, as a promise for Nest to await. */
function sessionCall(req, method) {
  return new Promise((resolve, reject) => req.session[method]((error) => (error ? reject(error) : resolve())));
}

// Nest sends an object as JSON (a string would go out as text/html, with the user name in it).
class SessionController {
  whoAmI(req) {
    return { user: req.session.user ?? null };
  }

  async login(req) {
    const user = String(req.body?.user ?? '').slice(0, 50);
    // A new session id at login, so an id planted before it (session fixation) is worthless.
    await sessionCall(req, 'regenerate');
    req.session.user = user;
    return { user }; // express-session saves the session before this response ends
  }

  async logout(req) {
    await sessionCall(req, 'destroy'); // deletes the row
    return { loggedOut: true };
  }
}

/** `@Get()`/`@Post(path)` on a method of SessionController, and `@Req()` on its first parameter. */
function route(verb, name) {
  const prototype = SessionController.prototype;
  verb(prototype, name, Object.getOwnPropertyDescriptor(prototype, name));
  Req()(prototype, name, 0);
}
Controller()(SessionController);
route(Get(), 'whoAmI');
route(Post('login'), 'login');
route(Post('logout'), 'logout');

class AppModule {}
Module({ controllers: [SessionController] })(AppModule);

// Any Sequelize URL (postgres://…, mysql://… for MySQL and MariaDB); by default a SQLite file beside the app.
const sequelize = new Sequelize(process.env.DATABASE_URL || 'sqlite:./sessions.sqlite', { logging: false });
const store = new SequelizeStore({
  db: sequelize,
  tableName: process.env.SESSIONS_TABLE || 'Sessions',
  touchAfter: 60,
});
await store.sync(); // or ship the table through migrations: see examples/migrations.js

const app = await NestFactory.create(AppModule);
app.use(
  session({
    secret: process.env.SESSION_SECRET || 'dev-only secret',
    store,
    resave: false, // the store implements touch: an unchanged session is not rewritten
    saveUninitialized: false, // no row until the session holds something
    cookie: { maxAge: 24 * 60 * 60 * 1000 },
  }),
);
await app.listen(Number(process.env.PORT ?? 3000));
console.log(`listening on http://localhost:${app.getHttpServer().address().port}`);
// The store does not close a Sequelize it was given: close it after the app and the store.
process.once('SIGTERM', () =>
  app
    .close()
    .then(() => store.close())
    .then(() => sequelize.close()),
);
