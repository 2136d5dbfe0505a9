import { Sequelize } from 'sequelize';
import { availableBackends, openDb, uniqueTable } from '../support/backends';
import { build, runCli } from '../support/built';
import { SequelizeStore, sessionData } from '../support/stores';

// The `schema` option: a session table outside `public` on PostgreSQL, for every way to reach it.

const postgres = availableBackends().find((backend) => backend.name === 'postgres');
const SCHEMA = 'sss_schema_test';

(postgres ? describe : describe.skip)('a session table in another PostgreSQL schema', () => {
  let db: Sequelize;
  const tables: string[] = [];

  /** The tables of that name in each schema. */
  const whereIs = async (table: string): Promise<string[]> => {
    const [rows] = await db.query('SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = ?', {
      replacements: [table],
    });
    return (rows as { schema: string }[]).map((row) => row.schema);
  };
  const fresh = (): string => {
    const table = uniqueTable('schema');
    tables.push(table);
    return table;
  };

  beforeAll(async () => {
    build();
    db = openDb(postgres!);
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
  });

  afterAll(async () => {
    for (const table of tables) await db.query(`DROP TABLE IF EXISTS ${SCHEMA}."${table}"`);
    await db.close();
  });

  test('createTable, get, set, touch, destroy and the cleanup all work on it, and public stays empty', async () => {
    const table = fresh();
    const store = new SequelizeStore({ db, schema: SCHEMA, tableName: table, modelKey: table, createTable: true });
    try {
      await store.set('a', sessionData(60_000, { n: 1 }));
      await store.touch('a', sessionData(120_000, { n: 1 }));
      expect(await store.get('a')).toMatchObject({ n: 1 });
      await store.set('old', sessionData(-1_000, { n: 2 }));
      expect(await store.prune()).toBe(1);
      expect(await store.length()).toBe(1);
      await store.destroy('a');
      expect(await store.get('a')).toBeNull();
      await store.set('b', sessionData(60_000, { n: 3 }));
      const [rows] = await db.query(`SELECT sid FROM ${SCHEMA}."${table}" WHERE data IS NOT NULL`);
      expect(rows).toEqual([{ sid: 'b' }]); // 'a' is a tombstone
      expect(await whereIs(table)).toEqual([SCHEMA]);
    } finally {
      await store.close();
    }
  });

  test('sync() and migrate() create it there', async () => {
    for (const make of ['sync', 'migrate'] as const) {
      const table = fresh();
      const store = new SequelizeStore({ db, schema: SCHEMA, tableName: table, modelKey: table });
      try {
        if (make === 'sync') await store.sync();
        else
          expect(await store.migrate()).toEqual([
            `${SCHEMA}.${table}/01-create-table`,
            `${SCHEMA}.${table}/02-widen-columns`,
          ]);
        await store.set('s', sessionData());
        expect(await whereIs(table)).toEqual([SCHEMA]);
      } finally {
        await store.close();
      }
    }
  });

  test('the command line: migrate, prune and sql take --schema', async () => {
    const table = fresh();
    const url = postgres!.url;
    const migrated = await runCli(['migrate', '--url', url, '--table', table, '--schema', SCHEMA]);
    expect(migrated).toMatchObject({ code: 0, stderr: '' });
    expect(await whereIs(table)).toEqual([SCHEMA]);
    await db.query(
      `INSERT INTO ${SCHEMA}."${table}" (sid, expires, data, "createdAt", "updatedAt") ` +
        `VALUES ('gone', now() - interval '1 hour', '{}', now(), now())`,
    );
    const pruned = await runCli(['prune', '--url', url, '--table', table, '--schema', SCHEMA]);
    expect(pruned).toMatchObject({ code: 0 });
    expect(pruned.stdout).toMatch(new RegExp(`pruned 1 expired session from ${SCHEMA}\\.${table}`));
    const sql = await runCli(['sql', '--dialect', 'postgres', '--table', 'S', '--schema', SCHEMA]);
    expect(sql.stdout).toContain(`CREATE TABLE IF NOT EXISTS "${SCHEMA}"."S"`);
    expect(sql.stdout).toContain(`ON "${SCHEMA}"."S"`);
    const mysql = await runCli(['sql', '--dialect', 'mariadb', '--schema', SCHEMA]);
    expect(mysql).toMatchObject({ code: 2 });
  });
});

describe('the schema option elsewhere', () => {
  test.each(availableBackends().filter((backend) => backend.name !== 'postgres'))(
    'is refused on $name, naming the option',
    (backend) => {
      const db = openDb(backend);
      try {
        expect(() => new SequelizeStore({ db, schema: 'other' })).toThrow(/option `schema`/);
      } finally {
        void db.close();
      }
    },
  );
});
