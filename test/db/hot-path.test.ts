import fs from 'node:fs';
import os from 'node:os';
import { ConnectionAcquireTimeoutError, type Sequelize } from 'sequelize';
import { availableBackends, openDb, uniqueTable } from '../support/backends';
import { rowsOf, sessionData, SequelizeStore, type Store, type StoreOptions } from '../support/stores';

const expiresOf = async (store: Store, sid: string): Promise<number> =>
  new Date((await rowsOf(store))[sid]!.expires as string).getTime();

describe.each(availableBackends())('the hot path on $name', (backend) => {
  let db: Sequelize;
  const statements: string[] = [];
  const stores: Store[] = [];

  beforeAll(() => {
    db = openDb(backend, { logging: (sql: string) => statements.push(sql), pool: { max: 1 } });
  });
  afterAll(async () => {
    for (const store of stores) await store.sessionModel.drop();
    await db.close();
  });

  async function store(options: StoreOptions = {}): Promise<Store> {
    const table = uniqueTable('hot');
    const made = new SequelizeStore({ db, tableName: table, modelKey: table, checkExpirationInterval: 0, ...options });
    stores.push(made);
    await made.sync();
    await made.set('warm-up', sessionData()); // the first save reads the column sizes once
    statements.length = 0;
    return made;
  }

  /** The statements `run` sends, by the store (it logs through Sequelize's logging option). */
  async function sent(run: () => Promise<unknown>): Promise<string[]> {
    statements.length = 0;
    await run();
    return statements.splice(0).filter((s) => s.includes('sequelize-session-store'));
  }

  test('get, set, touch and destroy are one statement each, through Sequelize’s own pool', async () => {
    const s = await store();
    expect(await sent(() => s.set('a', sessionData()))).toEqual([expect.stringMatching(/INSERT INTO/)]);
    expect(await sent(() => s.get('a'))).toEqual([expect.stringMatching(/SELECT/)]);
    expect(await sent(() => s.touch('a', sessionData(120_000)))).toEqual([expect.stringMatching(/UPDATE/)]);
    // A logout leaves a tombstone (data NULL) that no save under way can overwrite.
    expect(await sent(() => s.destroy('a'))).toEqual([
      expect.stringMatching(/INSERT INTO .* VALUES \((\?|\$1), NULL, /),
    ]);
  });

  test('a pool of one connection serves 200 concurrent operations and is free afterwards', async () => {
    const s = await store();
    const work = Array.from({ length: 200 }, (_, i) => {
      const sid = `sid-${Math.floor(i / 4) % 20}`;
      switch (i % 4) {
        case 0:
          return s.set(sid, sessionData(60_000, { i }));
        case 1:
          return s.get(sid);
        case 2:
          return s.touch(sid, sessionData(90_000));
        default:
          return s.length();
      }
    });
    const outcomes = await Promise.allSettled(work);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    expect(await s.length()).toBe(21);
    // Nothing still holds the single connection: the next query gets it at once.
    await expect(db.query('SELECT 1')).resolves.toBeDefined();
  });

  // SQLite's connection manager has no pool and runs no pool hooks.
  if (backend.name !== 'sqlite') {
    describe('borrowing from Sequelize’s pool', () => {
      test('a beforePoolAcquire / afterPoolAcquire hook still runs for every statement', async () => {
        const hooked = openDb(backend, { pool: { max: 2 } });
        const table = uniqueTable('hooks');
        const s = new SequelizeStore({ db: hooked, tableName: table, modelKey: table, checkExpirationInterval: 0 });
        try {
          await s.sync();
          await s.set('a', sessionData()); // the first save also reads the column sizes
          const seen: string[] = [];
          hooked.addHook('beforePoolAcquire', () => void seen.push('before'));
          hooked.addHook('afterPoolAcquire', () => void seen.push('after'));
          await s.get('a');
          await s.touch('a', sessionData(120_000));
          expect(seen).toEqual(['before', 'after', 'before', 'after']);
        } finally {
          await s.sessionModel.drop();
          await hooked.close();
        }
      });

      test('a pool that hands out no connection in time fails with ConnectionAcquireTimeoutError', async () => {
        const tight = openDb(backend, { pool: { max: 1, acquire: 200 } });
        const table = uniqueTable('acquire');
        const s = new SequelizeStore({
          db: tight,
          tableName: table,
          modelKey: table,
          checkExpirationInterval: 0,
          retries: 0,
        });
        try {
          await s.sync();
          await s.set('a', sessionData());
          const held = await tight.transaction(); // takes the only connection
          try {
            await expect(s.get('a')).rejects.toBeInstanceOf(ConnectionAcquireTimeoutError);
          } finally {
            await held.rollback();
          }
          expect(await s.get('a')).not.toBeNull(); // and the pool works again
        } finally {
          await s.sessionModel.drop();
          await tight.close();
        }
      });
    });
  }

  describe('the one-second rule of touch', () => {
    /** The session of a later request of the same visitor, its expiry moved by `ms`. */
    const movedBy = (saved: ReturnType<typeof sessionData>, ms: number): ReturnType<typeof sessionData> => ({
      ...saved,
      cookie: { ...saved.cookie, expires: new Date(saved.cookie.expires!.getTime() + ms) },
    });
    const updatedAtOf = async (s: Store, sid: string): Promise<number> =>
      new Date((await rowsOf(s))[sid]!.updatedAt as string).getTime();

    test('a touch that moves the expiry by less than a second, either way, changes nothing', async () => {
      const s = await store();
      const saved = sessionData(3_600_000);
      await s.set('a', saved);
      const updatedAt = await updatedAtOf(s, 'a');
      await new Promise((resolve) => setTimeout(resolve, 20)); // a write now would change updatedAt
      await s.touch('a', movedBy(saved, 999));
      await s.touch('a', movedBy(saved, -999));
      expect(await expiresOf(s, 'a')).toBe(saved.cookie.expires!.getTime());
      expect(await updatedAtOf(s, 'a')).toBe(updatedAt);
    });

    test('a touch that moves it by a second or more writes it, forward and back', async () => {
      const s = await store();
      const saved = sessionData(3_600_000);
      await s.set('a', saved);
      const later = movedBy(saved, 1000);
      await s.touch('a', later);
      expect(await expiresOf(s, 'a')).toBe(later.cookie.expires!.getTime());
      const shorter = movedBy(saved, -1000);
      await s.touch('a', shorter);
      expect(await expiresOf(s, 'a')).toBe(shorter.cookie.expires!.getTime());
    });
  });

  describe('touchAfter', () => {
    test('skips the write when the stored expiry is recent enough', async () => {
      const s = await store({ touchAfter: 300 });
      const saved = sessionData(3_600_000);
      await s.set('a', saved);
      await s.get('a');
      const nextRequest = sessionData(3_600_000 + 60_000); // one minute later
      expect(await sent(() => s.touch('a', nextRequest))).toEqual([]);
      expect(await expiresOf(s, 'a')).toBe(saved.cookie.expires!.getTime());
    });

    test('writes when the stored expiry would lag by touchAfter or more', async () => {
      const s = await store({ touchAfter: 300 });
      await s.set('a', sessionData(3_600_000));
      await s.get('a');
      const muchLater = sessionData(3_600_000 + 301_000);
      expect(await sent(() => s.touch('a', muchLater))).toHaveLength(1);
      expect(await expiresOf(s, 'a')).toBe(muchLater.cookie.expires!.getTime());
    });

    test('writes when this process has not read the session', async () => {
      const s = await store({ touchAfter: 300 });
      await s.set('a', sessionData(3_600_000));
      const soon = sessionData(3_600_000 + 1000);
      expect(await sent(() => s.touch('a', soon))).toHaveLength(1);
      expect(await expiresOf(s, 'a')).toBe(soon.cookie.expires!.getTime());
    });

    test('never skips a touch that would shorten the stored expiry', async () => {
      const s = await store({ touchAfter: 300 });
      await s.set('a', sessionData(3_600_000));
      await s.get('a');
      const shorter = sessionData(60_000);
      expect(await sent(() => s.touch('a', shorter))).toHaveLength(1);
      expect(await expiresOf(s, 'a')).toBe(shorter.cookie.expires!.getTime());
    });

    test('is 0 by default: every touch writes, as in connect-session-sequelize', async () => {
      const s = await store();
      await s.set('a', sessionData(3_600_000));
      await s.get('a');
      expect(await sent(() => s.touch('a', sessionData(3_600_000 + 1000)))).toHaveLength(1);
    });
  });
});

describe('the embedded SQLite database', () => {
  test('closes cleanly after prepared statements ran, and keeps its sessions', async () => {
    const path = `${os.tmpdir()}/sss-embedded-${process.pid}.sqlite`;
    const first = new SequelizeStore({ sqlitePath: path });
    await first.set('a', sessionData(60_000, { n: 1 }));
    expect((await first.get('a'))?.n).toBe(1);
    await first.close();
    const second = new SequelizeStore({ sqlitePath: path });
    expect((await second.get('a'))?.n).toBe(1);
    const [rows] = await second.db.query('PRAGMA journal_mode');
    expect(rows).toEqual([{ journal_mode: 'wal' }]);
    await second.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(path + suffix, { force: true });
  });
});

describe('prepared statements on SQLite', () => {
  test('run in up to four copies side by side, each call getting its own result, and all close', async () => {
    // sqlite3 runs one prepared statement's calls one after the other, waiting for the event loop
    // in between: concurrent calls get copies of their own (as many as libuv has threads, 4 here).
    const sqlite3 = (await import('sqlite3')).default;
    const path = `${os.tmpdir()}/sss-copies-${process.pid}.sqlite`;
    const store = new SequelizeStore({ sqlitePath: path, checkExpirationInterval: 0 });
    const sids = Array.from({ length: 200 }, (_, i) => `copy-${i}`);
    for (const [i, sid] of sids.entries()) await store.set(sid, sessionData(60_000, { i }));
    const prepare = jest.spyOn(sqlite3.Database.prototype, 'prepare');
    try {
      const read = await Promise.all(sids.map((sid) => store.get(sid)));
      expect(read.map((session) => session?.i)).toEqual(sids.map((_, i) => i));
      const made = prepare.mock.calls.filter(([text]) => String(text).startsWith('SELECT')).length;
      expect(made).toBeGreaterThan(1);
      expect(made).toBeLessThanOrEqual(Number(process.env.UV_THREADPOOL_SIZE) || 4); // one per libuv thread
    } finally {
      prepare.mockRestore();
      await store.close(); // refuses (SQLITE_BUSY) if a copy were left unfinalized
    }
    const again = new SequelizeStore({ sqlitePath: path, checkExpirationInterval: 0 });
    expect((await again.get('copy-7'))?.i).toBe(7);
    await again.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(path + suffix, { force: true });
  });
  test('leave one of libuv’s threads to the app while writes wait for another process’s lock', async () => {
    // A write that finds the file locked waits on a libuv thread for up to the busy timeout (5 s):
    // at most three writes at once, so the app's own file work still gets the fourth thread.
    const sqlite3 = (await import('sqlite3')).default;
    const path = `${os.tmpdir()}/sss-lanes-${process.pid}.sqlite`;
    const store = new SequelizeStore({ sqlitePath: path, checkExpirationInterval: 0, groupCommit: false });
    await store.set('first', sessionData());
    const other = new sqlite3.Database(path);
    const exec = (sql: string): Promise<void> =>
      new Promise((resolve, reject) => other.exec(sql, (error) => (error ? reject(error) : resolve())));
    try {
      await exec('BEGIN IMMEDIATE'); // the write lock, held by another connection
      let released = false;
      const writes = Array.from({ length: 12 }, (_, i) => store.set(`w${i}`, sessionData(60_000, { i })));
      await new Promise((resolve) => setTimeout(resolve, 200)); // the writes reach the lock
      const statted = fs.promises.stat(path).then(() => released);
      const releasing = new Promise((resolve) => setTimeout(resolve, 1500)).then(async () => {
        released = true;
        await exec('COMMIT');
      });
      expect(await statted).toBe(false); // fs.stat finished while the lock was still held
      await releasing;
      await Promise.all(writes);
      expect((await store.get('w11'))?.i).toBe(11);
    } finally {
      await new Promise((resolve) => other.close(resolve));
      await store.close();
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(path + suffix, { force: true });
    }
  });
});
