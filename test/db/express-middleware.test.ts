import { rm } from 'node:fs/promises';
import express from 'express';
import session from 'express-session';
import request from 'supertest';
import { availableBackends, openDb, sqliteFile, uniqueTable, type Backend } from '../support/backends';
import { SequelizeStore, liveRowsOf, rowsOf, useBackend, type Store } from '../support/stores';

declare module 'express-session' {
  interface SessionData {
    views?: number;
    user?: string;
  }
}

// The demo is plain JavaScript; its one export is typed here.
const { createApp } = require('../../examples/demo/app') as {
  createApp(options: { store: session.Store; secret?: string }): express.Express;
};

const COOKIE = 'test.sid';

/** A counter app: GET /count changes the session, GET /peek only reads it, POST /logout destroys it. */
function counterApp(store: Store): express.Express {
  const app = express();
  app.use(
    session({
      store,
      secret: 'test secret',
      name: COOKIE,
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: 60_000 },
    }),
  );
  app.get('/count', (req, res) => {
    req.session.views = (req.session.views ?? 0) + 1;
    res.json({ views: req.session.views });
  });
  app.get('/peek', (req, res) => {
    res.json({ views: req.session.views ?? null });
  });
  app.post('/logout', (req, res, next) => {
    req.session.destroy((error: unknown) => (error ? next(error) : res.json({ loggedOut: true })));
  });
  return app;
}

/** The `name=value` pair of the session cookie a response sets, or undefined. */
function setCookie(res: request.Response, name = COOKIE): string | undefined {
  const header: unknown = res.headers['set-cookie'];
  const cookies = Array.isArray(header) ? (header as string[]) : [];
  return cookies.find((cookie) => cookie.startsWith(`${name}=`))?.split(';')[0];
}

function sessionCookie(res: request.Response, name = COOKIE): string {
  const cookie = setCookie(res, name);
  if (!cookie) throw new Error(`the response set no ${name} cookie`);
  return cookie;
}

/** The session id inside a signed cookie `name=s%3A<sid>.<signature>`. */
function sidOf(cookie: string): string {
  const value = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
  const sid = /^s:([^.]+)\./.exec(value)?.[1];
  if (!sid) throw new Error(`not a signed session cookie: ${cookie}`);
  return sid;
}

function dataOf(row: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!row) throw new Error('no such row');
  const data = Buffer.isBuffer(row.data) ? row.data.toString('utf8') : row.data;
  return JSON.parse(String(data)) as Record<string, unknown>;
}

describe.each(availableBackends())('express-session with the store on $name', (backend: Backend) => {
  const ctx = useBackend(backend);
  // For what a test opens itself, beyond the stores of ctx; run last-in first-out.
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  test('a visit counter survives several requests and a restart of the app, the store and the connection', async () => {
    const storage = backend.name === 'sqlite' ? sqliteFile() : undefined;
    if (storage) cleanups.push(() => rm(storage, { force: true }));
    const table = uniqueTable();
    // One "process lifetime": a new Sequelize, store and app on the same database and table.
    const boot = async () => {
      const db = openDb(backend, storage === undefined ? {} : { storage });
      cleanups.push(() => db.close());
      const store = new SequelizeStore({ db, tableName: table, modelKey: table, checkExpirationInterval: 0 });
      cleanups.push(() => store.sessionModel.drop());
      await store.sync();
      return { db, store, app: counterApp(store) };
    };

    const first = await boot();
    const visit1 = await request(first.app).get('/count').expect(200);
    expect(visit1.body).toEqual({ views: 1 });
    const cookie = sessionCookie(visit1);
    const sid = sidOf(cookie);
    await request(first.app).get('/count').set('Cookie', cookie).expect(200, { views: 2 });
    await request(first.app).get('/count').set('Cookie', cookie).expect(200, { views: 3 });
    expect(Object.keys(await rowsOf(first.store))).toEqual([sid]);
    await first.store.close();
    await first.db.close();

    const second = await boot();
    const resumed = await request(second.app).get('/count').set('Cookie', cookie).expect(200);
    expect(resumed.body).toEqual({ views: 4 });
    const rows = await rowsOf(second.store);
    expect(Object.keys(rows)).toEqual([sid]);
    expect(dataOf(rows[sid])).toMatchObject({ views: 4 });
  });

  test('logout with req.session.destroy ends the session: its row is a tombstone, no live row is left', async () => {
    const store = await ctx.store();
    const app = counterApp(store);
    const cookie = sessionCookie(await request(app).get('/count').expect(200));
    const sid = sidOf(cookie);
    expect(Object.keys(await rowsOf(store))).toEqual([sid]);

    await request(app).post('/logout').set('Cookie', cookie).expect(200, { loggedOut: true });
    expect(await liveRowsOf(store)).toEqual({});
    expect((await rowsOf(store))[sid]?.data).toBeNull();
    // The old cookie now starts from scratch.
    await request(app).get('/peek').set('Cookie', cookie).expect(200, { views: null });
    expect(await liveRowsOf(store)).toEqual({});
  });

  test('with resave: false an unchanged session is touched, not saved again', async () => {
    const store = await ctx.store();
    const app = counterApp(store);
    const cookie = sessionCookie(await request(app).get('/count').expect(200));
    const sid = sidOf(cookie);
    const before = (await rowsOf(store))[sid];

    const set = jest.spyOn(store, 'set');
    const touch = jest.spyOn(store, 'touch');
    await request(app).get('/peek').set('Cookie', cookie).expect(200, { views: 1 });

    expect(set).not.toHaveBeenCalled();
    expect(touch).toHaveBeenCalledTimes(1);
    expect(touch).toHaveBeenCalledWith(sid, expect.objectContaining({ views: 1 }), expect.any(Function));
    const after = (await rowsOf(store))[sid];
    // A save would have rewritten data (the cookie's expiry inside it moves on every request).
    expect(after?.data).toEqual(before?.data);
    expect(new Date(after?.expires as Date).getTime()).toBeGreaterThanOrEqual(
      new Date(before?.expires as Date).getTime(),
    );
  });

  test('a replayed cookie of an expired session starts a fresh session, even before any cleanup', async () => {
    const store = await ctx.store({ checkExpirationInterval: 0 });
    const app = counterApp(store);
    const cookie = sessionCookie(await request(app).get('/count').expect(200));
    const sid = sidOf(cookie);
    await request(app).get('/count').set('Cookie', cookie).expect(200, { views: 2 });
    await store.sessionModel.update({ expires: new Date(Date.now() - 60_000) }, { where: { sid } });

    const replay = await request(app).get('/count').set('Cookie', cookie).expect(200);
    expect(replay.body).toEqual({ views: 1 });
    const fresh = sidOf(sessionCookie(replay));
    expect(fresh).not.toBe(sid);
    const rows = await rowsOf(store);
    // The expired row is still there (no pruner ran): the read itself refused it.
    expect(Object.keys(rows).sort()).toEqual([sid, fresh].sort());
    expect(dataOf(rows[sid])).toMatchObject({ views: 2 });
    expect(dataOf(rows[fresh])).toMatchObject({ views: 1 });
  });

  test('the demo app counts visits, logs in with a new session id, escapes the name and logs out', async () => {
    const store = await ctx.store();
    const app = createApp({ store, secret: 'demo test secret' });
    const visits = (res: request.Response): string | undefined =>
      /Visits in this session: <strong>(\d+)</.exec(res.text)?.[1];

    const home = await request(app).get('/').expect(200);
    expect(visits(home)).toBe('1');
    const anonymous = sessionCookie(home, 'demo.sid');

    const login = await request(app)
      .post('/login')
      .set('Cookie', anonymous)
      .type('form')
      .send({ username: '<script>alert(1)</script>' })
      .expect(303)
      .expect('Location', '/');
    const loggedIn = sessionCookie(login, 'demo.sid');
    expect(sidOf(loggedIn)).not.toBe(sidOf(anonymous));
    const rows = await liveRowsOf(store);
    expect(Object.keys(rows)).toEqual([sidOf(loggedIn)]);
    expect(dataOf(rows[sidOf(loggedIn)])).toMatchObject({ views: 1, user: '<script>alert(1)</script>' });

    const page = await request(app).get('/').set('Cookie', loggedIn).expect(200);
    expect(visits(page)).toBe('2');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).not.toContain('<script>');

    await request(app).post('/logout').set('Cookie', loggedIn).expect(303);
    expect(await liveRowsOf(store)).toEqual({});
  });
});
