// An ES module consumer (node16, nodenext, bundler): default imports of the CommonJS packages.
import session from 'express-session';
import sequelizeSessionStore from 'sequelize-session-store';
import { Sequelize } from 'sequelize';
import { defineSessionModel } from 'sequelize-session-store/model';
import { sessionMigrations } from 'sequelize-session-store/migrations';

declare module 'express-session' {
  interface SessionData {
    user?: string;
  }
}

const SequelizeStore = sequelizeSessionStore(session.Store);
const db = new Sequelize('sqlite::memory:');
const store: sequelizeSessionStore.SequelizeStore = new SequelizeStore({ db, expiration: 60_000 });
store.once('connect', () => undefined).on('error', (error) => console.error(error.message));
void store.get('sid').then((data) => data?.user?.toUpperCase());
defineSessionModel(db, { tableName: 'web_sessions' });
void sessionMigrations({ tableName: 'web_sessions' });
session({ secret: 's', store });
