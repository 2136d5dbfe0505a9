import { DataTypes, QueryTypes, type Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import { sessionMigrations } from '../../lib/migrations';
import { columnTypes, indexedColumns, tableExists, useFreshDatabase } from '../support/admin';
import { availableBackends, uniqueTable, type Backend } from '../support/backends';
import { sessionData, SequelizeStore, useBackend } from '../support/stores';

/** What the built-in table's columns look like after the migrations, per backend. */
function expectedColumns(backend: Backend): Record<string, string> {
  switch (backend.name) {
    case 'mariadb':
      return { sid: 'varchar(255) binary', expires: 'datetime(3)', data: 'longtext' };
    case 'postgres':
      return { sid: 'character varying(255)', expires: 'timestamp with time zone', data: 'text' };
    default:
      return { sid: 'varchar(255)', expires: 'datetime', data: 'text' };
  }
}

async function ledgerOf(db: Sequelize, ledger: string): Promise<string[]> {
  const table = db.getQueryInterface().queryGenerator as { quoteTable(name: string): string };
  const rows = await db.query<{ name: string }>(`SELECT name FROM ${table.quoteTable(ledger)} ORDER BY name`, {
    type: QueryTypes.SELECT,
  });
  return rows.map((row) => row.name);
}

describe.each(availableBackends())('migrations on $name', (backend) => {
  const ctx = useBackend(backend);

  /** A table name of the test's own on the shared database, dropped when the file ends. */
  function table(prefix: string): string {
    const name = uniqueTable(prefix);
    ctx.dropTableLater(name);
    return name;
  }
  const ledger = (): string => table('ledger');

  describe('on a database of their own, under the default names', () => {
    const fresh = useFreshDatabase(backend, ctx);

    test('store.migrate() creates the Sessions table with its index, silently, in its own ledger; twice is a no-op', async () => {
      const store = new SequelizeStore({ db: fresh.db, checkExpirationInterval: 0 });
      const consoles = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
        jest.spyOn(console, method).mockImplementation(() => {}),
      );
      let applied: string[];
      try {
        applied = await store.migrate();
        for (const spy of consoles) expect(spy).not.toHaveBeenCalled();
      } finally {
        for (const spy of consoles) spy.mockRestore();
      }
      expect(applied).toEqual(['Sessions/01-create-table', 'Sessions/02-widen-columns']);
      expect(await columnTypes(fresh.db, 'Sessions')).toMatchObject(expectedColumns(backend));
      expect(await indexedColumns(fresh.db, 'Sessions')).toContain('expires');
      expect(await ledgerOf(fresh.db, 'SequelizeSessionStoreMeta')).toEqual(applied);
      expect(await tableExists(fresh.db, 'SequelizeMeta')).toBe(false);

      expect(await store.migrate()).toEqual([]);
      await store.set('s', sessionData(60_000, { user: 'ada' }));
      expect((await store.get('s'))?.user).toBe('ada');
      expect(await ledgerOf(fresh.db, 'SequelizeSessionStoreMeta')).toEqual(applied);
    });
  });

  test('a custom tableName gets its own table and its own entries in the ledger', async () => {
    const tableName = table('mig');
    const ledgerTable = ledger();
    const store = new SequelizeStore({ db: ctx.db, tableName, modelKey: tableName, checkExpirationInterval: 0 });
    expect(await store.migrate({ ledgerTable })).toEqual([
      `${tableName}/01-create-table`,
      `${tableName}/02-widen-columns`,
    ]);
    expect(await columnTypes(ctx.db, tableName)).toMatchObject(expectedColumns(backend));
    expect(await indexedColumns(ctx.db, tableName)).toContain('expires');
    expect(await store.migrate({ ledgerTable })).toEqual([]);
    expect(await ledgerOf(ctx.db, ledgerTable)).toEqual([
      `${tableName}/01-create-table`,
      `${tableName}/02-widen-columns`,
    ]);
  });

  test('upgrades a connect-session-sequelize 8 table in place, keeping every row', async () => {
    const tableName = table('css');
    const ledgerTable = ledger();
    // connect-session-sequelize 8's model, as it defines and syncs it: no index, narrow columns.
    const Old = ctx.db.define(
      `${tableName}_old`,
      { sid: { type: DataTypes.STRING(36), primaryKey: true }, expires: DataTypes.DATE, data: DataTypes.TEXT },
      { tableName },
    );
    await Old.sync();
    const now = Date.now();
    const rows = Array.from({ length: 40 }, (_, i) => ({
      sid: `sid-${i}-${'x'.repeat(i % 30)}`.slice(0, 36),
      expires: new Date(Math.floor(now / 1000) * 1000 + (i % 4 === 0 ? -3_600_000 : 3_600_000 + i * 1000)),
      data: JSON.stringify({ cookie: { path: '/' }, user: `user-${i}`, note: 'é ü 😀 "quoted" \\ back', n: i }),
    }));
    rows.push({
      sid: 'big-one',
      expires: new Date(now + 3_600_000),
      data: JSON.stringify({ blob: 'b'.repeat(60_000) }),
    });
    await Old.bulkCreate(rows);
    const snapshot = async (): Promise<unknown[]> =>
      (
        (await Old.findAll({
          attributes: ['sid', 'expires', 'data'],
          order: [['sid', 'ASC']],
          raw: true,
        })) as unknown as {
          sid: string;
          expires: Date;
          data: string;
        }[]
      ).map((row) => [row.sid, new Date(row.expires).getTime(), row.data]);
    const before = await snapshot();
    expect(before).toHaveLength(41);
    expect(await indexedColumns(ctx.db, tableName)).not.toContain('expires');

    const store = new SequelizeStore({ db: ctx.db, tableName, modelKey: tableName, checkExpirationInterval: 0 });
    expect(await store.migrate({ ledgerTable })).toEqual([
      `${tableName}/01-create-table`,
      `${tableName}/02-widen-columns`,
    ]);

    expect(await snapshot()).toEqual(before);
    // SQLite enforces no declared sizes: only the index was missing there.
    const upgraded = { mariadb: expectedColumns(backend), postgres: { sid: 'character varying(255)' }, sqlite: {} };
    expect(await columnTypes(ctx.db, tableName)).toMatchObject(upgraded[backend.name]);
    expect(await indexedColumns(ctx.db, tableName)).toContain('expires');

    // Its users are still logged in, and the wider columns take what the old ones refused.
    expect((await store.get('sid-1-x'))?.user).toBe('user-1');
    expect(await store.get('sid-0-')).toBeNull(); // expired before the upgrade, still expired
    expect(await store.length()).toBe(31);
    const longSid = 's'.repeat(200);
    await store.set(longSid, sessionData(60_000, { user: 'long' }));
    expect((await store.get(longSid))?.user).toBe('long');
    await store.set('big-one', sessionData(60_000, { blob: 'c'.repeat(100_000) }));
    expect((await store.get('big-one'))?.blob).toHaveLength(100_000);
    await store.set('SID-1-X', sessionData(60_000, { user: 'upper' }));
    expect((await store.get('sid-1-x'))?.user).toBe('user-1'); // sids that differ in case are two sessions

    expect(await store.migrate({ ledgerTable })).toEqual([]);
    expect(await store.length()).toBe(33);
  });

  test('down reverts one migration at a time; reverting the creation drops the table', async () => {
    const tableName = table('down');
    const ledgerTable = ledger();
    const store = new SequelizeStore({ db: ctx.db, tableName, modelKey: tableName, checkExpirationInterval: 0 });
    await store.migrate({ ledgerTable });
    await store.set('s', sessionData());

    expect(await store.migrate({ ledgerTable, down: true })).toEqual([`${tableName}/02-widen-columns`]);
    expect((await store.get('s'))?.cookie).toBeDefined(); // the widening stays: undoing it could cut sessions
    expect(await store.migrate({ ledgerTable, down: true })).toEqual([`${tableName}/01-create-table`]);
    expect(await tableExists(ctx.db, tableName)).toBe(false);
    expect(await store.migrate({ ledgerTable, down: true })).toEqual([]);
    expect(await ledgerOf(ctx.db, ledgerTable)).toEqual([]);

    expect(await store.migrate({ ledgerTable })).toHaveLength(2);
    expect(await tableExists(ctx.db, tableName)).toBe(true);
  });

  test('the exported migrations run under your own umzug, with a QueryInterface context and your ledger', async () => {
    const tableName = table('own');
    const ledgerTable = ledger();
    const umzug = new Umzug({
      migrations: sessionMigrations({ tableName }),
      context: ctx.db.getQueryInterface(),
      storage: new SequelizeStorage({ sequelize: ctx.db, tableName: ledgerTable, modelName: ledgerTable }),
      logger: undefined,
    });
    expect((await umzug.up()).map((m) => m.name)).toEqual([
      `${tableName}/01-create-table`,
      `${tableName}/02-widen-columns`,
    ]);
    expect(await columnTypes(ctx.db, tableName)).toMatchObject(expectedColumns(backend));
    const store = new SequelizeStore({ db: ctx.db, tableName, modelKey: tableName, checkExpirationInterval: 0 });
    await store.set('s', sessionData(60_000, { n: 1 }));
    expect((await store.get('s'))?.n).toBe(1);
    expect((await umzug.pending()).length).toBe(0);
  });
});
