import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { QueryTypes, type Sequelize } from 'sequelize';
import { columnTypes, indexedColumns, statementsOf, useFreshDatabase } from '../support/admin';
import { availableBackends } from '../support/backends';
import { build, ROOT, runCli } from '../support/built';
import { liveRowsOf, rowsOf, sessionData, SequelizeStore, useBackend } from '../support/stores';

const SQL_DIR = path.join(ROOT, 'sql');
const FILES: Record<string, string[]> = {
  'mysql.sql': ['--dialect', 'mysql'],
  'mariadb.sql': ['--dialect', 'mariadb'],
  'postgres.sql': ['--dialect', 'postgres'],
  'sqlite.sql': ['--dialect', 'sqlite'],
  'mysql-procedures.sql': ['--dialect', 'mysql', '--procedures'],
  'mariadb-procedures.sql': ['--dialect', 'mariadb', '--procedures'],
};
const file = (name: string): string => readFileSync(path.join(SQL_DIR, name), 'utf8');

beforeAll(build, 120_000);

describe('the shipped sql/ files', () => {
  test('are exactly what the sql command prints, and nothing else is there', async () => {
    expect(readdirSync(SQL_DIR).sort()).toEqual(Object.keys(FILES).sort());
    const outcomes = await Promise.all(Object.values(FILES).map((args) => runCli(['sql', ...args])));
    Object.keys(FILES).forEach((name, i) => {
      const outcome = outcomes[i]!;
      expect({ name, code: outcome.code, stderr: outcome.stderr }).toEqual({ name, code: 0, stderr: '' });
      expect({ name, sql: outcome.stdout }).toEqual({ name, sql: file(name) });
    });
  });

  test('hold the same statements for MySQL and MariaDB', () => {
    expect(statementsOf(file('mysql.sql'))).toEqual(statementsOf(file('mariadb.sql')));
    expect(statementsOf(file('mysql-procedures.sql'))).toEqual(statementsOf(file('mariadb-procedures.sql')));
  });
});

describe.each(availableBackends())('a table made from the sql/ file on $name', (backend) => {
  const ctx = useBackend(backend);
  const fresh = useFreshDatabase(backend, ctx);
  let db: Sequelize;

  beforeAll(async () => {
    db = fresh.db;
    // Run twice: a DBA may run the file again.
    for (let i = 0; i < 2; i += 1)
      for (const statement of statementsOf(file(`${backend.name}.sql`))) await db.query(statement);
  });

  test('has the columns and the index of the model', async () => {
    const synced = new SequelizeStore({ db, tableName: 'Synced', modelKey: 'Synced', checkExpirationInterval: 0 });
    await synced.sync();
    expect(await columnTypes(db, 'Sessions')).toEqual(await columnTypes(db, 'Synced'));
    expect(await indexedColumns(db, 'Sessions')).toContain('expires');
  });

  test('works with the store: set, get, touch, destroy and prune', async () => {
    const store = new SequelizeStore({ db, checkExpirationInterval: 0 });
    await store.set('a', sessionData(60_000, { user: 'ada' }));
    await store.set('old', sessionData(-60_000));
    expect((await store.get('a'))?.user).toBe('ada');
    const later = sessionData(600_000);
    await store.touch('a', later);
    expect(new Date((await rowsOf(store)).a!.expires as string).getTime()).toBe(later.cookie.expires!.getTime());
    expect(await store.prune()).toBe(1);
    await store.set('b', sessionData());
    await store.destroy('b');
    expect(Object.keys(await liveRowsOf(store))).toEqual(['a']);
  });

  if (backend.name === 'mariadb') {
    test('with the procedures file, in stored-procedure mode', async () => {
      for (let i = 0; i < 2; i += 1)
        for (const statement of statementsOf(file('mariadb-procedures.sql'))) await db.query(statement);
      const routines = await db.query<{ name: string }>(
        `SELECT ROUTINE_NAME AS name FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY 1`,
        { type: QueryTypes.SELECT },
      );
      expect(routines.map((r) => r.name)).toEqual(
        ['all', 'clear', 'destroy', 'get', 'length', 'prune', 'set', 'touch'].map((op) => `Sessions_${op}`),
      );
      const store = new SequelizeStore({ db, storedProcedures: true, checkExpirationInterval: 0 });
      await store.clear();
      await store.set('p', sessionData(60_000, { user: 'proc' }));
      await store.set('gone', sessionData(-60_000));
      expect((await store.get('p'))?.user).toBe('proc');
      await store.touch('p', sessionData(120_000));
      expect(await store.length()).toBe(1);
      expect(await store.prune()).toBe(1);
      await store.destroy('p');
      expect(await rowsOf(store)).toEqual({});
    });
  }
});
