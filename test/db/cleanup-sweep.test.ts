import type { Sequelize } from 'sequelize';
import { availableBackends, openDb, uniqueTable, type Backend } from '../support/backends';
import { fillSessions, liveSids, sidsOf } from '../support/fill';
import { waitFor } from '../support/wait';
import { SequelizeStore, useBackend, type Store, type StoreOptions } from '../support/stores';
import { describeSessionTable } from '../../lib/sql/session-table';
import { mysqlSkipsLocked, sweepStatement } from '../../lib/sql/sweep-statement';

const until = (check: () => boolean | Promise<boolean>): Promise<void> => waitFor('the cleanup timer', check, 20_000);

const isPrune = (sql: string): boolean =>
  /sequelize-session-store\): DELETE/.test(sql) && !/WHERE \S+ = [?$]/.test(sql);

/** The query plan of a logged statement, as text, with its date placeholder filled in. */
async function planOf(db: Sequelize, backend: Backend, logged: string): Promise<string> {
  const text = logged
    .replace(/^Executing \(sequelize-session-store\): /, '')
    .replace(/\?|\$1/g, `'2000-01-01 00:00:00'`);
  const explain = backend.name === 'sqlite' ? 'EXPLAIN QUERY PLAN' : 'EXPLAIN';
  const [rows] = await db.query(`${explain} ${text}`);
  return JSON.stringify(rows);
}

test.each([
  ['10.11.19-MariaDB-0+deb12u1', true],
  ['10.6.0-MariaDB', true],
  ['11.4.2-MariaDB-log', true],
  ['10.5.23-MariaDB-1:10.5.23+maria~deb11', false],
  ['8.0.36', true],
  ['8.0.1', true],
  ['8.0.0-dmr', false],
  ['5.7.44-log', false],
  ['something else', false],
])('a MySQL-family server %s skips locked rows: %s', (version, skips) => {
  expect(mysqlSkipsLocked(version)).toBe(skips);
});

describe.each(availableBackends())('cleanup on $name', (backend) => {
  const ctx = useBackend(backend);

  describe('batches', () => {
    let db: Sequelize;
    const statements: string[] = [];
    const stores: Store[] = [];

    beforeAll(() => {
      db = openDb(backend, { logging: (sql: string) => statements.push(sql) });
    });
    afterAll(async () => {
      for (const store of stores) await store.sessionModel.drop();
      await db.close();
    });

    async function store(options: StoreOptions = {}): Promise<Store> {
      const table = uniqueTable('prune');
      const made = new SequelizeStore({
        db,
        tableName: table,
        modelKey: table,
        checkExpirationInterval: 0,
        ...options,
      });
      stores.push(made);
      await made.sync();
      return made;
    }

    test('prune() deletes 95 expired rows in batches of 10 (ten DELETEs), leaves the live ones, resolves to 95', async () => {
      const s = await store({ pruneBatchSize: 10 });
      await fillSessions(s.sessionModel, 95, 7);
      statements.length = 0;

      expect(await s.prune()).toBe(95);
      const deletes = statements.filter(isPrune);
      expect(deletes).toHaveLength(10);
      for (const sql of deletes) expect(sql).toMatch(/LIMIT 10\b/);
      expect(await sidsOf(s.sessionModel)).toEqual(liveSids(7));
      expect(await s.prune()).toBe(0);
    });

    test('a batch reads the expired rows through the expires index', async () => {
      const s = await store({ pruneBatchSize: 10 });
      await fillSessions(s.sessionModel, 300, 300);
      statements.length = 0;
      await s.prune();
      const plan = await planOf(db, backend, statements.find(isPrune)!);
      expect(plan).toContain(`${s.sessionModel.getTableName() as string}_expires`);
    });

    if (backend.name === 'mariadb') {
      test('on servers without SKIP LOCKED, the plain batched DELETE removes the oldest expired rows', async () => {
        const s = await store();
        await fillSessions(s.sessionModel, 25, 2);
        const plain = sweepStatement(describeSessionTable(s.sessionModel), 'mysql', 10, false);
        expect(plain.text).not.toMatch(/SKIP LOCKED/);
        const run = (): Promise<unknown> => db.query(plain.text, { replacements: [new Date()] });
        await run();
        // old-0 expired last; old-24 first: the ten oldest are gone.
        expect((await sidsOf(s.sessionModel)).filter((sid) => sid.startsWith('old-')).length).toBe(15);
        expect(await sidsOf(s.sessionModel)).not.toContain('old-24');
        expect(await sidsOf(s.sessionModel)).toContain('old-0');
        await run();
        await run();
        expect(await sidsOf(s.sessionModel)).toEqual(liveSids(2));
      });
    }

    test('the default batch is 1000 rows', async () => {
      const s = await store();
      await fillSessions(s.sessionModel, 1001, 1);
      statements.length = 0;
      expect(await s.prune()).toBe(1001);
      const batchOf1000 = expect.stringMatching(/LIMIT 1000\b/);
      expect(statements.filter(isPrune)).toEqual([batchOf1000, batchOf1000]);
      expect(await sidsOf(s.sessionModel)).toEqual(['live-0']);
    });

    /** Closes the store `target()` names as soon as it sends a batch; `closing` is that close. */
    async function closingOnFirstBatch(
      target: () => Store | undefined,
      work: (watch: { closing?: Promise<void> }) => Promise<void>,
    ) {
      const watch: { closing?: Promise<void> } = {};
      const log = statements.push.bind(statements);
      statements.push = (...sql: string[]): number => {
        const store = target();
        if (store && !watch.closing && sql.some(isPrune)) watch.closing = store.close(); // the batch is on its way
        return log(...sql);
      };
      try {
        await work(watch);
      } finally {
        statements.push = log;
      }
    }

    test('close() during a timer sweep stops it after the batch under way', async () => {
      const filled = await store(); // no timer: nothing sweeps while the rows go in
      await fillSessions(filled.sessionModel, 95, 3);
      statements.length = 0;
      let s: Store | undefined;
      await closingOnFirstBatch(
        () => s,
        async (watch) => {
          s = new SequelizeStore({ db, table: filled.sessionModel, pruneBatchSize: 10, checkExpirationInterval: 50 });
          await until(() => watch.closing !== undefined);
          await watch.closing;
          expect(statements.filter(isPrune)).toHaveLength(1);
          expect((await sidsOf(filled.sessionModel)).length).toBe(85 + 3);
        },
      );
    });

    test('prune() during close() stops after its batch and resolves to what it deleted', async () => {
      const s = await store({ pruneBatchSize: 10 });
      await fillSessions(s.sessionModel, 95, 0);
      await closingOnFirstBatch(
        () => s,
        async (watch) => {
          expect(await s.prune()).toBe(10);
          await watch.closing;
          expect(await s.sessionModel.count()).toBe(85);
        },
      );
    });
  });

  describe('a failed sweep', () => {
    const expectTableGone = /doesn't exist|does not exist|no such table/;

    test('is emitted as "error" and given to onCleanupError; no crash; the next sweep runs once the table is back', async () => {
      const hooked: Error[] = [];
      const emitted: Error[] = [];
      const s = await ctx.store({
        checkExpirationInterval: 50,
        onCleanupError: (error) => void hooked.push(error),
        logger: false, // a sweep may run before the listener below is on
      });
      s.on('error', (error: Error) => emitted.push(error));
      await fillSessions(s.sessionModel, 5, 1);
      await until(async () => (await sidsOf(s.sessionModel)).length === 1); // a sweep ran

      await s.sessionModel.drop();
      await until(() => emitted.length >= 2); // failed twice: the timer went on after the first
      expect(emitted[0]!.message).toMatch(expectTableGone);
      expect(hooked.slice(0, 2)).toEqual(emitted.slice(0, 2));

      await s.sync();
      await fillSessions(s.sessionModel, 5, 2);
      await until(async () => (await sidsOf(s.sessionModel)).length === 2);
      expect(await sidsOf(s.sessionModel)).toEqual(liveSids(2));
      s.stopExpiringSessions();
    });

    test('goes to the logger when nobody listens for "error"', async () => {
      const warnings: string[] = [];
      const s = await ctx.store({ checkExpirationInterval: 50, logger: { warn: (message) => warnings.push(message) } });
      await s.sessionModel.drop();
      await until(() => warnings.length >= 1);
      s.stopExpiringSessions();
      expect(warnings[0]).toMatch(/^sequelize-session-store: /);
      expect(warnings[0]).toMatch(expectTableGone);
      await s.sync(); // for the context to drop
    });

    test('of a closed database is reported, sweep after sweep, without crashing the process', async () => {
      const db = openDb(backend);
      const table = uniqueTable('closed');
      const emitted: Error[] = [];
      const s = new SequelizeStore({ db, tableName: table, modelKey: table, checkExpirationInterval: 50 });
      s.on('error', (error: Error) => emitted.push(error));
      await s.sync();
      await s.sessionModel.drop();
      await db.close();
      // Failed sweep after failed sweep (the first may still meet the dropped table).
      await until(() => emitted.filter((error) => /closed/.test(error.message)).length >= 2);
      s.stopExpiringSessions();
    });
  });
});
