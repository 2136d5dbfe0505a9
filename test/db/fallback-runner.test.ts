import { sequelizeRunner } from '../../lib/driver/sequelize-runner';
import { prepareStatements } from '../../lib/sql/hot-statements';
import { availableBackends, uniqueTable } from '../support/backends';
import { liveRowsOf, rowsOf, SequelizeStore, useBackend, type Store } from '../support/stores';

// The runner for dialects and drivers without a driver-level path (the mariadb connector, pg-native,
// mssql): the very same statements through sequelize.query.
describe.each(availableBackends())('the Sequelize fallback runner on $name', (backend) => {
  const ctx = useBackend(backend);

  test('runs the hot statements with their parameters in the right places', async () => {
    const store = await ctx.store();
    const { statements } = prepareStatements(store.sessionModel);
    const runner = sequelizeRunner(ctx.db);
    const date = (ms: number) => new Date(Date.now() + ms).toISOString().replace('T', ' ').replace('Z', ' +00:00');
    const now = date(0);
    const stamp = backend.name === 'mariadb' ? now.slice(0, 23) : now;

    const upsert = statements.upsert(['data', 'expires'])!;
    await runner.run(upsert, {
      key: 'fb',
      values: {
        data: JSON.stringify({ n: 1 }),
        expires: backend.name === 'mariadb' ? date(60_000).slice(0, 23) : date(60_000),
      },
      createdAt: stamp,
      updatedAt: stamp,
    });
    const row = await runner.first(statements.get, { key: 'fb', now: stamp });
    expect(JSON.parse(String(row?.data))).toEqual({ n: 1 });
    expect(await runner.first(statements.get, { key: 'other', now: stamp })).toBeUndefined();

    expect(await store.get('fb')).toEqual({ n: 1 });
    const later = backend.name === 'mariadb' ? date(120_000).slice(0, 23) : date(120_000);
    await runner.run(statements.destroy, { key: 'fb', expires: later, createdAt: stamp, updatedAt: stamp });
    expect(await store.get('fb')).toBeNull();
    expect(await liveRowsOf(store)).toEqual({});
    expect((await rowsOf(store)).fb?.data).toBeNull(); // a tombstone
  });
});

// A later Sequelize or driver release may rename what the fast runners read; the store must then
// still work, through sequelize.query, and say so once.
describe.each(availableBackends())('a Sequelize whose internals the store does not know, on $name', (backend) => {
  const ctx = useBackend(backend);

  test('falls back to sequelize.query, says so once through the logger, and keeps every session', async () => {
    const manager = (ctx.db as unknown as { connectionManager: Record<string, unknown> }).connectionManager;
    const original = manager.releaseConnection;
    manager.releaseConnection = undefined; // what a release without it looks like
    const warnings: string[] = [];
    const logger = { warn: (message: string) => warnings.push(message) };
    const open = (): Store => {
      const table = uniqueTable();
      const store = new SequelizeStore({ db: ctx.db, tableName: table, modelKey: table, logger });
      ctx.dropLater(store.sessionModel);
      ctx.atEnd(() => store.close());
      return store;
    };
    let first: Store, second: Store;
    try {
      first = open(); // the check is made here, once per store
      second = open();
    } finally {
      manager.releaseConnection = original; // Sequelize itself needs it back
    }
    await first.sync();
    await second.sync();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/connectionManager\.getConnection\/releaseConnection.*sequelize\.query/);

    const cookie = { expires: new Date(Date.now() + 60_000).toISOString(), originalMaxAge: 60_000 };
    await first.set('fallback', { cookie, n: 1 } as never);
    expect(await first.get('fallback')).toEqual({ cookie, n: 1 });
    await first.touch('fallback', {
      cookie: { ...cookie, expires: new Date(Date.now() + 120_000).toISOString() },
    } as never);
    expect(Object.keys(await rowsOf(first))).toEqual(['fallback']);
    await first.destroy('fallback');
    expect(await first.get('fallback')).toBeNull();
    expect(await liveRowsOf(first)).toEqual({});
    expect(await second.length()).toBe(0);
  });
});
