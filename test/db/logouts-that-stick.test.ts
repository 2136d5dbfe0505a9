import type { Server } from 'node:http';
import express from 'express';
import session from 'express-session';
import request from 'supertest';
import { DataTypes } from 'sequelize';
import { availableBackends, uniqueTable, type Backend } from '../support/backends';
import {
  connectSessionSequelizeTable,
  rowsOf,
  sessionData,
  SequelizeStore,
  useBackend,
  type Store,
} from '../support/stores';

declare module 'express-session' {
  interface SessionData {
    views?: number;
    user?: string;
  }
}

const COOKIE = 'stick.sid';

/** A promise and the function that resolves it. */
function signal(): { done: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const done = new Promise<void>((resolve) => (fire = resolve));
  return { done, fire };
}

/**
 * /count changes the session; /login regenerates it (a new sid) for a user; /peek reads it;
 * /logout destroys it; /slow changes it, tells the test it runs, and ends only when the test lets
 * it, so that express-session saves it after the logout.
 */
function raceApp(store: Store, slow: { entered: () => void; release: () => Promise<void> }): express.Express {
  const app = express();
  app.use(
    session({
      store,
      secret: 'race secret',
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
  app.post('/login', (req, res, next) => {
    req.session.regenerate((error: unknown) => {
      if (error) return next(error);
      req.session.user = 'ada';
      res.json({ user: 'ada' });
    });
  });
  app.get('/peek', (req, res) => {
    res.json({ views: req.session.views ?? null, user: req.session.user ?? null });
  });
  app.post('/logout', (req, res, next) => {
    req.session.destroy((error: unknown) => (error ? next(error) : res.json({ loggedOut: true })));
  });
  app.get('/slow', (req, res, next) => {
    req.session.views = (req.session.views ?? 0) + 100;
    slow.entered();
    slow.release().then(() => res.json({ views: req.session.views }), next);
  });
  return app;
}

function sessionCookie(res: request.Response): string {
  const header: unknown = res.headers['set-cookie'];
  const cookies = Array.isArray(header) ? (header as string[]) : [];
  const cookie = cookies.find((c) => c.startsWith(`${COOKIE}=`))?.split(';')[0];
  if (!cookie) throw new Error('the response set no session cookie');
  return cookie;
}

function sidOf(cookie: string): string {
  const value = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
  const sid = /^s:([^.]+)\./.exec(value)?.[1];
  if (!sid) throw new Error(`not a signed session cookie: ${cookie}`);
  return sid;
}

describe.each(availableBackends())('logouts that stick on $name', (backend: Backend) => {
  const ctx = useBackend(backend);

  test('destroy, then a set of the same sid: no session comes back, and all/length do not count it', async () => {
    const store = await ctx.store();
    await store.set('gone', sessionData(60_000, { n: 1 }));
    await store.set('kept', sessionData(60_000, { n: 2 }));
    await store.destroy('gone');
    await store.set('gone', sessionData(60_000, { n: 3 })); // the save of a request still under way
    await store.touch('gone', sessionData(120_000));

    expect(await store.get('gone')).toBeNull();
    expect(await store.length()).toBe(1);
    expect((await store.all()).map((s) => s.id)).toEqual(['kept']);
    expect((await store.findWhere({ sid: 'gone' })).length).toBe(0);
    const listed: string[] = [];
    for await (const s of store.iterate()) listed.push(s.id);
    expect(listed).toEqual(['kept']);
    // The row is a tombstone: no data, an expiry of its own.
    const row = (await rowsOf(store)).gone;
    expect(row?.data).toBeNull();
    expect(new Date(row?.expires as string).getTime()).toBeGreaterThan(Date.now());
  });

  test('a logout before the first save leaves a tombstone too', async () => {
    const store = await ctx.store();
    await store.destroy('never-saved');
    await store.set('never-saved', sessionData());
    expect(await store.get('never-saved')).toBeNull();
    expect(await store.length()).toBe(0);
    expect(Object.keys(await rowsOf(store))).toEqual(['never-saved']);
  });

  test('a direct set without a cookie (no request under way) writes over the tombstone, as connect-session-sequelize did', async () => {
    const store = await ctx.store();
    await store.set('reused', sessionData(60_000, { n: 1 }));
    await store.destroy('reused');
    // What express-session, Fastify and Koa hand over always has a cookie: that save stays out.
    await store.set('reused', sessionData(60_000, { n: 2 }));
    expect(await store.get('reused')).toBeNull();
    const saved = await store.set('reused', { foo: 'bar' } as never);
    expect(saved.get('data')).toBe(JSON.stringify({ foo: 'bar' }));
    expect(await store.get('reused')).toEqual({ foo: 'bar' });
    expect(await store.length()).toBe(1);
  });

  test('a tombstone lasts `expiration` from the logout, or as long as the row would have, if later', async () => {
    const store = await ctx.store({ expiration: 10 * 60_000 });
    const day = 24 * 60 * 60_000;
    await store.set('long', sessionData(day));
    await store.set('short', sessionData(1_000));
    const before = Date.now();
    await store.destroy('long');
    await store.destroy('short');
    const rows = await rowsOf(store);
    const expiry = (sid: string): number => new Date(rows[sid]?.expires as string).getTime();
    expect(expiry('long')).toBeGreaterThan(before + day - 60_000);
    expect(expiry('short')).toBeGreaterThanOrEqual(before + 10 * 60_000 - 1_000);
    expect(expiry('short')).toBeLessThan(before + 11 * 60_000);
  });

  test('destroyWhere, then a set of an ended sid: no session comes back; it resolves to the sessions it ended', async () => {
    const store = await ctx.store();
    await store.set('a', sessionData(60_000, { n: 1 }));
    await store.set('b', sessionData(60_000, { n: 2 }));
    expect(await store.destroyWhere({ sid: 'a' })).toBe(1);
    expect(await store.destroyWhere({ sid: 'a' })).toBe(0); // already ended
    await store.set('a', sessionData(60_000, { n: 3 }));
    expect(await store.get('a')).toBeNull();
    expect(await store.length()).toBe(1);
    expect((await store.all()).map((s) => s.id)).toEqual(['b']);
    expect((await rowsOf(store)).a?.data).toBeNull();
  });

  test('with a JSON data column too: destroy and destroyWhere leave a NULL, not a JSON null', async () => {
    const store = await ctx.store({ dataType: 'json' });
    await store.set('a', sessionData(60_000, { n: 1 }));
    await store.set('b', sessionData(60_000, { n: 2 }));
    await store.destroy('a');
    expect(await store.destroyWhere({ sid: 'b' })).toBe(1);
    await store.set('a', sessionData(60_000, { n: 3 }));
    await store.set('b', sessionData(60_000, { n: 4 }));
    expect(await store.get('a')).toBeNull();
    expect(await store.get('b')).toBeNull();
    expect(await store.length()).toBe(0);
    expect(await store.sessionModel.count({ where: { data: null } })).toBe(2);
  });

  test('a logout of a sid that only collates equal to another (case, trailing space) leaves that session alone', async () => {
    const model = await connectSessionSequelizeTable(ctx); // case-insensitive sid column on MariaDB
    const store = new SequelizeStore({ table: model, checkExpirationInterval: 0 });
    ctx.atEnd(() => store.close());
    await store.set('abc', sessionData(60_000, { n: 1 }));
    await store.destroy('ABC');
    await store.destroy('abc ');
    expect(await store.get('abc')).toMatchObject({ n: 1 });
    await store.set('abc', sessionData(60_000, { n: 2 }));
    expect(await store.get('abc')).toMatchObject({ n: 2 });
  });

  test('the cleanup removes expired tombstones, and the sid is free again', async () => {
    const store = await ctx.store();
    await store.set('s', sessionData());
    await store.destroy('s');
    await store.destroy('live-tombstone');
    await store.sessionModel.update({ expires: new Date(Date.now() - 1_000) }, { where: { sid: 's' } });
    expect(await store.prune()).toBe(1);
    expect(Object.keys(await rowsOf(store))).toEqual(['live-tombstone']);
    await store.set('s', sessionData(60_000, { n: 4 }));
    expect(await store.get('s')).toMatchObject({ n: 4 });
  });

  test('clear() deletes tombstones with everything else', async () => {
    const store = await ctx.store();
    await store.set('s', sessionData());
    await store.destroy('s');
    await store.clear();
    expect(await rowsOf(store)).toEqual({});
  });

  test('a model whose data column refuses NULL: logouts delete, and the logger says so once', async () => {
    const table = uniqueTable();
    const model = ctx.db.define(
      table,
      {
        sid: { type: DataTypes.STRING(255), primaryKey: true },
        expires: DataTypes.DATE,
        data: { type: DataTypes.TEXT, allowNull: false },
      },
      { tableName: table },
    );
    await model.sync();
    ctx.dropLater(model);
    const warnings: string[] = [];
    const store = new SequelizeStore({
      table: model,
      checkExpirationInterval: 0,
      logger: { warn: (message: string) => warnings.push(message) },
    });
    ctx.atEnd(() => store.close());
    await store.set('s', sessionData());
    await store.destroy('s');
    expect(await rowsOf(store)).toEqual({});
    expect(warnings).toEqual([expect.stringMatching(/logouts delete the row.*data with allowNull: false/)]);
  });

  describe('through express', () => {
    let store: Store;
    let server: Server;
    let gate = { entered: signal(), release: signal() };

    beforeAll(async () => {
      store = await ctx.store();
      const app = raceApp(store, {
        entered: () => gate.entered.fire(),
        release: () => gate.release.done,
      });
      server = app.listen(0, '127.0.0.1');
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    test('regenerate (a login) still works: the new sid keeps the session, the old one is gone', async () => {
      const first = sessionCookie(await request(server).get('/count'));
      const login = await request(server).post('/login').set('Cookie', first).expect(200);
      const second = sessionCookie(login);
      expect(sidOf(second)).not.toBe(sidOf(first));
      expect((await request(server).get('/peek').set('Cookie', second)).body).toEqual({ views: null, user: 'ada' });
      expect((await request(server).get('/peek').set('Cookie', first)).body).toEqual({ views: null, user: null });
      expect(await store.get(sidOf(first))).toBeNull();
    });

    test('a logout while another request of the session is under way sticks, 30 times out of 30', async () => {
      const sets: string[] = [];
      const set = store.set.bind(store);
      store.set = (sid: string, data: session.SessionData, callback?: (error?: unknown) => void) => {
        sets.push(sid);
        return set(sid, data, callback);
      };
      const live = await store.length(); // the other tests' sessions
      try {
        for (let round = 0; round < 30; round += 1) {
          gate = { entered: signal(), release: signal() };
          const cookie = sessionCookie(await request(server).get('/count'));
          const sid = sidOf(cookie);
          const slow = request(server)
            .get('/slow')
            .set('Cookie', cookie)
            .then((res) => res);
          await gate.entered.done; // /slow has loaded the session
          await request(server).post('/logout').set('Cookie', cookie).expect(200, { loggedOut: true });
          const savesBefore = sets.filter((s) => s === sid).length;
          gate.release.fire(); // now /slow ends, and express-session saves its changed session
          expect((await slow).status).toBe(200);
          expect(sets.filter((s) => s === sid).length).toBe(savesBefore + 1); // the save did run after the logout

          expect((await rowsOf(store))[sid]?.data).toBeNull();
          expect(await store.get(sid)).toBeNull();
          const next = await request(server).get('/peek').set('Cookie', cookie).expect(200);
          expect(next.body).toEqual({ views: null, user: null });
        }
        expect(await store.length()).toBe(live);
      } finally {
        store.set = set;
      }
    });
  });
});
