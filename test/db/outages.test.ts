import express from 'express';
import session from 'express-session';
import type { Sequelize } from 'sequelize';
import request from 'supertest';
import { availableBackends, openDb } from '../support/backends';
import { disconnected, eventsOf, storeOn, viaCallback } from '../support/other-db';
import { poolCounts } from '../support/pool';
import { TcpProxy } from '../support/proxy';
import { rowsOf, sessionData, useBackend } from '../support/stores';
import { waitFor } from '../support/wait';

// The network between the store and the server breaks (through a relay of the test's own): the
// shared servers themselves are never stopped.
describe.each(availableBackends().filter((b) => b.name !== 'sqlite'))('outages on $name', (backend) => {
  const ctx = useBackend(backend);

  let proxy: TcpProxy;
  const dbs: Sequelize[] = [];
  const throughProxy = (pool: number): Sequelize => {
    const db = openDb({ ...backend, url: proxy.via(backend.url) }, { pool: { max: pool } });
    dbs.push(db);
    return db;
  };

  beforeAll(async () => {
    proxy = await TcpProxy.start(backend.url);
  });
  afterAll(async () => {
    for (const db of dbs) await db.close();
    await proxy.close();
  });

  test('connections reset under load: every operation succeeds', async () => {
    const store = await storeOn(ctx, throughProxy(3));
    const operation = (i: number): Promise<unknown> => {
      if (i % 3 === 0) return store.set(`s-${i}`, sessionData(60_000, { i }));
      return i % 3 === 1 ? store.get(`s-${i - 1}`) : store.touch(`s-${i - 2}`, sessionData());
    };
    const batch = (from: number): Promise<unknown>[] => Array.from({ length: 100 }, (_, k) => operation(from + k));
    const first = batch(0);
    proxy.drop(); // while the first batch is under way
    await first[50];
    const second = batch(100);
    proxy.drop();
    const outcomes = await Promise.allSettled([...first, ...second]);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    expect(Object.keys(await rowsOf(store))).toHaveLength(67);
  });

  test('a statement the server stops answering ends at operationTimeout; its connection is cut and given back', async () => {
    const db = throughProxy(1);
    const store = await storeOn(ctx, db, { operationTimeout: 1_000, disableConnectionEvents: true });
    await store.set('s', sessionData(60_000, { n: 1 }));
    proxy.freeze();
    try {
      const calls = await viaCallback((cb) => store.get('s', cb));
      expect(calls).toEqual([[expect.objectContaining({ name: 'OperationTimeoutError' })]]);
      // Given back while the server is still silent: the pool is not left short of a connection.
      await waitFor('the stuck connection to come back to the pool', () => poolCounts(db).using === 0);
    } finally {
      proxy.thaw();
    }
    expect((await store.get('s'))?.n).toBe(1);
    expect(poolCounts(db)).toMatchObject({ using: 0, waiting: 0 });
  });

  test("the database going away: clean failures, 'disconnect', then 'connect' once it is back", async () => {
    const store = await storeOn(ctx, throughProxy(2));
    const events = eventsOf(store);
    await store.set('s', sessionData(60_000, { n: 1 }));

    await proxy.cut();
    try {
      await expect(store.get('s')).rejects.toThrow(/ECONNREFUSED|refused|reset|closed|terminated/i);
      await waitFor("'disconnect'", () => events.length > 0);
      expect(events).toEqual(['disconnect']);
      await expect(store.set('t', sessionData())).rejects.toThrow(/ECONNREFUSED|refused|reset|closed|terminated/i);
    } finally {
      await proxy.restore();
    }
    await waitFor("'connect' from the probe", () => events.length > 1);
    expect(events).toEqual(['disconnect', 'connect']);
    expect((await store.get('s'))?.n).toBe(1);
    expect(Object.keys(await rowsOf(store))).toEqual(['s']);
  });

  test.each([
    [false, 'serves the requests that follow without a session', [200, 200]],
    [true, 'fails every request', [500, 500]],
  ])('express-session, disableConnectionEvents %s: once the database is gone, it %s', async (disable, _, later) => {
    const store = await storeOn(ctx, throughProxy(2), { disableConnectionEvents: disable, retries: 0 });
    const app = express();
    app.use(session({ store, secret: 'outage test', resave: false, saveUninitialized: false }));
    app.post('/login', (req, res) => {
      (req.session as unknown as { user: string }).user = 'ada';
      res.json({ ok: true });
    });
    app.get('/me', (req, res) =>
      res.json({ user: (req.session as unknown as { user?: string } | undefined)?.user ?? null }),
    );
    app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ error: 'the session store failed' });
    });
    const agent = request.agent(app);
    await agent.post('/login').expect(200);
    await agent.get('/me').expect(200, { user: 'ada' });

    await proxy.cut();
    try {
      await agent.get('/me').expect(500); // the request that finds the database gone
      if (!disable) await waitFor("'disconnect'", () => disconnected(store));
      const statuses = [(await agent.get('/me')).status, (await agent.get('/me')).status];
      expect(statuses).toEqual(later);
      if (!disable) await agent.get('/me').expect(200, { user: null }); // no session, no error
    } finally {
      await proxy.restore();
    }
    if (!disable) await waitFor("'connect'", () => !disconnected(store));
    await agent.get('/me').expect(200, { user: 'ada' });
  });

  test('with disableConnectionEvents the store emits neither', async () => {
    const store = await storeOn(ctx, throughProxy(2), { disableConnectionEvents: true, retries: 0 });
    await store.set('s', sessionData(60_000, { n: 1 }));
    await proxy.cut();
    try {
      await expect(store.get('s')).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 300)); // a probe would have failed by now
    } finally {
      await proxy.restore();
    }
    expect((await store.get('s'))?.n).toBe(1);
    expect(eventsOf(store)).toEqual([]);
  });
});
