import { Sequelize } from 'sequelize';
import { availableBackends, openDb } from '../support/backends';
import { holdRowLock, impatientDb } from '../support/contention';
import { storeOn, viaCallback } from '../support/other-db';
import { poolCounts } from '../support/pool';
import { rowsOf, sessionData, useBackend } from '../support/stores';
import { waitFor } from '../support/wait';

describe.each(availableBackends())('retries, deadlines and the pool on $name', (backend) => {
  const ctx = useBackend(backend);

  describe('a statement that meets a lock', () => {
    const statements: string[] = [];
    const attempts = (): number =>
      statements.filter((sql) => sql.includes('sequelize-session-store') && sql.includes('INSERT')).length;
    let db: Sequelize;

    beforeAll(() => {
      db = impatientDb(backend, ctx.db, (sql) => statements.push(sql));
    });
    afterAll(() => db.close());

    test('is tried again until the lock is gone, then succeeds', async () => {
      const store = await storeOn(ctx, db, { retries: 10 });
      await store.set('s', sessionData(60_000, { n: 1 }));
      const lock = await holdRowLock(ctx.db, backend, store.sessionModel.getTableName() as string, 's');
      statements.length = 0;
      const saving = store.set('s', sessionData(60_000, { n: 2 }));
      try {
        await waitFor('a second attempt', () => attempts() >= 2, 20_000); // the first one failed on the lock
      } finally {
        await lock.release();
      }
      await expect(saving).resolves.toBeInstanceOf(store.sessionModel); // the saved row
      expect(JSON.parse(String((await rowsOf(store)).s!.data)).n).toBe(2);
    });

    test('fails at once with the database’s error when retries is 0', async () => {
      const store = await storeOn(ctx, db, { retries: 0 });
      await store.set('s', sessionData(60_000, { n: 1 }));
      const lock = await holdRowLock(ctx.db, backend, store.sessionModel.getTableName() as string, 's');
      statements.length = 0;
      try {
        const saving = store.set('s', sessionData(60_000, { n: 2 }));
        await expect(saving).rejects.toThrow(/lock wait timeout|lock timeout|SQLITE_BUSY/i);
      } finally {
        await lock.release();
      }
      expect(attempts()).toBe(1);
      expect(JSON.parse(String((await rowsOf(store)).s!.data)).n).toBe(1);
    });
  });

  test('500 concurrent mixed operations on a pool of one connection all complete, and leave it free', async () => {
    const db = openDb(backend, { pool: { max: 1 } });
    try {
      // The point is the pool, not durability: spare the SQLite file a sync per write.
      if (backend.name === 'sqlite') await db.query('PRAGMA synchronous = OFF');
      const store = await storeOn(ctx, db);
      const ids = Array.from({ length: 100 }, (_, i) => i);
      const expires = new Date(Date.now() + 60_000);
      await store.sessionModel.bulkCreate(
        ids.flatMap((i) =>
          ['get', 'touch', 'del'].map((kind) => ({ sid: `${kind}-${i}`, expires, data: `{"i":${i}}` })),
        ),
      );
      const later = sessionData(600_000);
      const work: Promise<unknown>[] = [];
      for (const i of ids) {
        work.push(store.set(`new-${i}`, sessionData(60_000, { i })));
        work.push(store.get(`get-${i}`));
        work.push(store.touch(`touch-${i}`, later));
        work.push(store.destroy(`del-${i}`));
        work.push([store.length(), store.all(), store.prune()][i % 3]!);
      }
      const outcomes = await Promise.allSettled(work);
      expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
      expect(
        outcomes.filter((_, k) => k % 5 === 1).map((o) => (o as PromiseFulfilledResult<{ i: number }>).value.i),
      ).toEqual(ids);

      const rows = await rowsOf(store);
      expect(Object.keys(rows).filter((sid) => sid.startsWith('new-'))).toHaveLength(100);
      // Destroyed: tombstones, no data.
      expect(Object.values(rows).filter((row) => String(row.sid).startsWith('del-') && row.data !== null)).toEqual([]);
      for (const i of ids)
        expect(new Date(rows[`touch-${i}`]!.expires as string).getTime()).toBe(later.cookie.expires!.getTime());
      expect(poolCounts(db)).toMatchObject({ using: 0, waiting: 0 });
    } finally {
      await db.close();
    }
  });

  if (backend.name === 'sqlite') return;

  test('waiting for a pooled connection ends at operationTimeout; the connection, when it comes, is given back', async () => {
    const db = openDb(backend, { pool: { max: 1 } });
    try {
      const store = await storeOn(ctx, db, { operationTimeout: 300 });
      await store.set('s', sessionData(60_000, { n: 1 }));
      const holder = await db.transaction(); // takes the only connection
      const calls = await viaCallback((cb) => store.get('s', cb));
      expect(calls).toHaveLength(1);
      expect(calls[0]![0]).toMatchObject({
        name: 'OperationTimeoutError',
        message: 'sequelize-session-store: get did not finish within 300 ms (operationTimeout)',
      });
      expect(poolCounts(db)).toMatchObject({ using: 1, waiting: 1 }); // still in line for the connection
      await holder.commit();
      // With one connection, this runs only once the store has given back the one it got too late.
      await db.query('SELECT 1');
      expect(poolCounts(db)).toMatchObject({ using: 0, waiting: 0 });
      expect((await store.get('s'))?.n).toBe(1);
    } finally {
      await db.close();
    }
  });

  test('reads go to the primary: every operation works while the read replicas are unreachable', async () => {
    const url = new URL(backend.url);
    const primary = { host: url.hostname, port: Number(url.port) };
    const db = new Sequelize(
      url.pathname.slice(1),
      decodeURIComponent(url.username),
      decodeURIComponent(url.password),
      {
        dialect: backend.name === 'mariadb' ? 'mysql' : 'postgres',
        logging: false,
        replication: { write: primary, read: [{ host: '127.0.0.1', port: 1 }] }, // nothing listens on port 1
      },
    );
    try {
      const store = await storeOn(ctx, db);
      await store.set('s', sessionData(60_000, { n: 1 }));
      expect((await store.get('s'))?.n).toBe(1);
      await store.touch('s', sessionData(120_000));
      expect(await store.length()).toBe(1);
      expect((await store.all()).map((s) => s.id)).toEqual(['s']);
      expect(await store.prune()).toBe(0);
      await store.destroy('s');
      await store.clear();
      // Sequelize sends any other read to a replica: that one fails.
      await expect(store.sessionModel.count()).rejects.toThrow(/refused/i);
    } finally {
      await db.close();
    }
  });
});
