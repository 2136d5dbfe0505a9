import express from 'express';
import session from 'express-session';
import { Sequelize } from 'sequelize';
import request from 'supertest';
import { SequelizeStore, type Store } from '../test/support/stores';
import { startPrimaryReplica, type PrimaryReplica } from './support/clusters';

declare module 'express-session' {
  interface SessionData {
    user?: string;
  }
}

/** Login saves the session before answering; /me is the very next request. */
function app(store: Store): express.Express {
  const made = express();
  made.use(session({ store, secret: 'replication test', resave: false, saveUninitialized: false }));
  made.post('/login', (req, res, next) => {
    req.session.user = 'ada';
    req.session.save((error) => (error ? next(error) : res.json({ ok: true })));
  });
  made.get('/me', (req, res) => res.json({ user: req.session.user ?? null }));
  return made;
}

describe('a MariaDB primary and a replica, with Sequelize read replication', () => {
  let servers: PrimaryReplica;
  let db: Sequelize;
  let store: Store;

  beforeAll(async () => {
    servers = await startPrimaryReplica();
    db = new Sequelize('test', 'root', '', {
      dialect: 'mysql',
      logging: false,
      replication: {
        write: { host: '127.0.0.1', port: servers.primary.port },
        read: [{ host: '127.0.0.1', port: servers.replica.port }],
      },
    });
    store = new SequelizeStore({ db, checkExpirationInterval: 0 });
    await store.sync();
    await servers.caughtUp(); // the table exists on the replica too
    // The replica falls behind, as a busy one does: it receives the primary's writes but applies none.
    await servers.replica.sql('STOP SLAVE SQL_THREAD');
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    await db?.close().catch(() => {});
    await servers?.remove();
  }, 60_000);

  test('login then the next request: the session is found, though the replica has not got it yet', async () => {
    const agent = request.agent(app(store));
    await agent.post('/login').expect(200, { ok: true });
    await agent.get('/me').expect(200, { user: 'ada' });

    const sid = (await servers.primary.sql('SELECT sid FROM test.Sessions')).split('\n');
    expect(sid).toHaveLength(1);
    // The replica lags: a read sent to it, as Sequelize sends any read by default, finds nothing.
    expect(await servers.replica.sql('SELECT COUNT(*) FROM test.Sessions')).toBe('0');
    expect(await store.sessionModel.count()).toBe(0);
    // The store's own reads all go to the primary.
    expect(await store.length()).toBe(1);
    expect((await store.all()).map((s) => s.user)).toEqual(['ada']);
    expect((await store.get(sid[0]!))?.user).toBe('ada');
  });

  test('once the replica catches up it holds the same sessions', async () => {
    await servers.replica.sql('START SLAVE SQL_THREAD');
    await servers.caughtUp();
    expect(await store.sessionModel.count()).toBe(1); // a default read, from the replica
  });
});
