import { restrictedAccount, statementLog, tableExists } from '../support/admin';
import { availableBackends, openDb, uniqueTable } from '../support/backends';
import { sessionData, SequelizeStore, useBackend, type Store } from '../support/stores';

const creations = (lines: string[]): string[] => lines.filter((line) => /CREATE TABLE/i.test(line));

describe.each(availableBackends())('the createTable option on $name', (backend) => {
  const ctx = useBackend(backend);

  test('creates a missing table once: a hundred concurrent first operations of four stores all wait for one CREATE TABLE', async () => {
    const log = statementLog();
    const db = openDb(backend, { logging: log.logging });
    try {
      const tableName = uniqueTable('create');
      ctx.dropTableLater(tableName); // even when an assertion fails
      const stores: Store[] = Array.from(
        { length: 4 },
        () => new SequelizeStore({ db, tableName, modelKey: tableName, createTable: true, checkExpirationInterval: 0 }),
      );
      const work = stores.flatMap((store, s) =>
        Array.from({ length: 25 }, (_, i) => {
          const sid = `s${s}-${Math.floor(i / 5)}`;
          switch (i % 5) {
            case 0:
              return store.set(sid, sessionData(60_000, { s, i }));
            case 1:
              return store.get(sid);
            case 2:
              return store.touch(sid, sessionData(120_000));
            case 3:
              return store.length();
            default:
              return store.all();
          }
        }),
      );
      const outcomes = await Promise.allSettled(work);
      expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
      expect(creations(log.lines)).toHaveLength(1);
      expect(await stores[0]!.length()).toBe(20);
      expect((await stores[3]!.get('s3-4'))?.i).toBe(20);
    } finally {
      await db.close();
    }
  });

  test('is off by default: no DDL at all, and an operation on a missing table fails', async () => {
    const log = statementLog();
    const db = openDb(backend, { logging: log.logging });
    try {
      const tableName = uniqueTable('nocreate');
      const store = new SequelizeStore({ db, tableName, modelKey: tableName, checkExpirationInterval: 0 });
      await expect(store.set('s', sessionData())).rejects.toThrow();
      await expect(store.get('s')).rejects.toThrow();
      expect(log.lines.filter((line) => /\b(CREATE|ALTER|DROP)\b/i.test(line))).toEqual([]);
      expect(await tableExists(db, tableName)).toBe(false);
    } finally {
      await db.close();
    }
  });

  test('a forgotten store.sync() is explained: what to do, with the driver error as its cause', async () => {
    const db = openDb(backend);
    try {
      const tableName = uniqueTable('nosync');
      const store = new SequelizeStore({ db, tableName, modelKey: tableName, checkExpirationInterval: 0 });
      const driverSays = { sqlite: /no such table/, mariadb: /doesn't exist/, postgres: /relation .* does not exist/ };
      const operations: [string, () => Promise<unknown>][] = [
        ['get', () => store.get('s')],
        ['set', () => store.set('s', sessionData())],
        ['touch', () => store.touch('s', sessionData())],
        ['destroy', () => store.destroy('s')],
        ['length', () => store.length()],
      ];
      for (const [name, operation] of operations) {
        const error = await operation().then(
          () => new Error(`${name} succeeded`),
          (e: unknown) => e as Error & { cause?: Error },
        );
        expect({ name, message: error.message }).toEqual({
          name,
          message: expect.stringContaining(
            `sequelize-session-store: the sessions table ${tableName} does not exist. Create it before the first request: ` +
              'call `await store.sync()` at start, set `createTable: true`, or run ' +
              '`npx sequelize-session-store migrate --url <database url>` as a deploy step',
          ) as unknown,
        });
        expect((error.cause as Error | undefined)?.message).toMatch(driverSays[backend.name]);
      }
      await store.sync();
      await store.set('s', sessionData());
      expect(await store.length()).toBe(1);
    } finally {
      await db.close();
    }
  });

  if (backend.name !== 'sqlite') {
    test('a creation that failed is tried again by the next operation', async () => {
      // An account that may not create the table yet (on MariaDB, not even use the database).
      const account = await restrictedAccount(backend, ctx.db);
      const tableName = uniqueTable('retry');
      const log = statementLog();
      const db = openDb({ ...backend, url: account.url }, { logging: log.logging });
      try {
        const store = new SequelizeStore({
          db,
          tableName,
          modelKey: tableName,
          createTable: true,
          checkExpirationInterval: 0,
        });
        await expect(store.set('s', sessionData(60_000, { n: 1 }))).rejects.toThrow(/denied/);
        await expect(store.get('s')).rejects.toThrow(/denied/);
        expect(await tableExists(ctx.db, tableName)).toBe(false);

        if (backend.name === 'postgres') await ctx.db.query(`GRANT CREATE ON SCHEMA public TO ${account.name}`);
        else await account.grantTable('CREATE, ALTER, INDEX, SELECT, INSERT, UPDATE, DELETE', tableName);
        await store.set('s', sessionData(60_000, { n: 1 }));
        expect((await store.get('s'))?.n).toBe(1);
        expect(await store.length()).toBe(1);
        expect(await tableExists(ctx.db, tableName)).toBe(true);
      } finally {
        await db.close();
        await ctx.db.getQueryInterface().dropTable(tableName);
        await account.drop();
      }
    });
  }
});
