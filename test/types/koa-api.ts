// Type tests of the Koa path: the adapter, by its public name, fits koa-session's `store` option.
import session from 'express-session';
import Koa from 'koa';
import { createSession } from 'koa-session';
import sequelizeSessionStore from 'sequelize-session-store';
import { koaStore, type KoaSessionStore } from 'sequelize-session-store/koa';

const SequelizeStore = sequelizeSessionStore(session.Store);
const app = new Koa();
const store: KoaSessionStore = koaStore(new SequelizeStore());
app.use(createSession({ store, maxAge: 'session' }, app));
void store.set('key', { user: 'ada' }, 30 * 24 * 60 * 60 * 1000);
void store.set('key', { user: 'ada' }, 'session');

// @ts-expect-error maxAge is milliseconds or 'session'
void store.set('key', {}, '30d');
// @ts-expect-error the adapter wraps a store of this package
koaStore({});
