import type { Sequelize } from 'sequelize';
import { sqlScript } from '../../lib/cli/sql-command';
import { restrictedAccount, statementLog, statementsOf, type Account } from '../support/admin';
import { availableBackends, openDb, uniqueTable, SERVER_BACKENDS } from '../support/backends';
import { liveRowsOf, rowsOf, sessionData, SequelizeStore, useBackend } from '../support/stores';
import { waitFor } from '../support/wait';

const DDL = /^Executing \([^)]*\): (CREATE|ALTER|DROP|TRUNCATE|GRANT|RENAME)\b/i;

const servers = availableBackends().filter((backend) => backend.name !== 'sqlite');
if (servers.length === 0) test.todo('least privilege needs MariaDB or PostgreSQL');

// describe.each refuses an empty table: with none of these servers up, the todo above stands alone.
const describeOnServers = servers.length > 0 ? describe.each(servers) : describe.skip.each(SERVER_BACKENDS);
describeOnServers('least privilege on $name', (backend) => {
  const ctx = useBackend(backend);
  let account: Account;
  let tableName: string;
  let db: Sequelize;
  const log = statementLog();

  beforeAll(async () => {
    tableName = uniqueTable('lp');
    ctx.dropTableLater(tableName);
    // The DBA's part: the table from the `sql` command, then a narrower sid than the model declares,
    // so that the store must read the real column sizes to refuse what does not fit.
    for (const statement of statementsOf(
      sqlScript(backend.name === 'mariadb' ? 'mariadb' : 'postgres', { tableName }),
    )) {
      await ctx.db.query(statement);
    }
    await ctx.db.query(
      backend.name === 'mariadb'
        ? `ALTER TABLE \`${tableName}\` MODIFY sid VARCHAR(40) BINARY NOT NULL`
        : `ALTER TABLE "${tableName}" ALTER COLUMN sid TYPE VARCHAR(40)`,
    );
    account = await restrictedAccount(backend, ctx.db);
    await account.grantTable('SELECT, INSERT, UPDATE, DELETE', tableName);
    ctx.atEnd(() => account.drop());
    db = openDb({ ...backend, url: account.url }, { logging: log.logging });
    ctx.atEnd(() => db.close());
  });

  test('the account really has no DDL rights', async () => {
    await expect(db.query(`CREATE TABLE ${uniqueTable('nope')} (x INT)`)).rejects.toThrow(/denied/);
  });

  test('every store operation works with only SELECT, INSERT, UPDATE and DELETE on the table, and sends no DDL', async () => {
    log.clear();
    const store = new SequelizeStore({ db, tableName, modelKey: tableName, checkExpirationInterval: 0 });
    const admin = new SequelizeStore({ db: ctx.db, tableName, modelKey: tableName, checkExpirationInterval: 0 });

    await store.set('a', sessionData(60_000, { user: 'ada' }));
    await store.set('b', sessionData(60_000, { user: 'bob' }));
    await store.set('old', sessionData(-60_000, { user: 'gone' }));
    expect((await store.get('a'))?.user).toBe('ada');
    const later = sessionData(600_000);
    await store.touch('a', later);
    expect(new Date((await rowsOf(admin)).a!.expires as string).getTime()).toBe(later.cookie.expires!.getTime());
    expect(await store.length()).toBe(2);
    expect((await store.all()).map((s) => s.id).sort()).toEqual(['a', 'b']);
    expect((await store.findWhere({ sid: 'b' })).map((s) => s.user)).toEqual(['bob']);
    expect(await store.destroyWhere({ sid: 'b' })).toBe(1);
    expect(await store.prune()).toBe(1);
    expect(Object.keys(await liveRowsOf(admin))).toEqual(['a']); // 'b' is a tombstone
    await store.destroy('a');
    await store.set('c', sessionData());
    await store.clear();
    expect(await rowsOf(admin)).toEqual({});

    // The real column holds 40 characters; the store read that without any extra privilege.
    await expect(store.set('x'.repeat(41), sessionData())).rejects.toThrow(
      /session id is 41 characters; its column holds 40/,
    );

    expect(log.lines.filter((line) => DDL.test(line))).toEqual([]);
  });

  test('the cleanup timer sweeps with the same rights', async () => {
    const admin = new SequelizeStore({ db: ctx.db, tableName, modelKey: tableName, checkExpirationInterval: 0 });
    await admin.set('expired', sessionData(-1000));
    await admin.set('live', sessionData(60_000));
    const store = new SequelizeStore({ db, tableName, modelKey: tableName, checkExpirationInterval: 20 });
    const errors: Error[] = [];
    store.on('error', (error: Error) => errors.push(error));
    try {
      // The timer's sweep, not a prune() of ours, removes the expired row.
      await waitFor('the first sweep', async () => !('expired' in (await rowsOf(admin))));
    } finally {
      store.stopExpiringSessions();
    }
    expect(errors).toEqual([]);
    expect(Object.keys(await rowsOf(admin))).toEqual(['live']);
    await admin.clear();
  });
});
