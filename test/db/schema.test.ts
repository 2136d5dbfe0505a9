import { Sequelize } from 'sequelize';
import { availableBackends, openDb, uniqueTable, type Backend } from '../support/backends';
import { build, runCli } from '../support/built';
import { SequelizeStore, sessionData } from '../support/stores';

// The `schema` option: a session table outside `public` on PostgreSQL, for every way to reach it.

/** Where a test's tables go instead of the connection's default, and how to find them there. */
interface OtherPlace {
  /** The schema (PostgreSQL) or database (MariaDB/MySQL). */
  name: string;
  /** A table's name there, quoted for SQL. */
  qualified: (table: string) => string;
  /** SQL naming the schemas or databases that hold a table (one parameter: its name), as column `place`. */
  locate: string;
  /** Run once after the tables are dropped. */
  cleanUp?: string;
}

/** Opens `backend`, makes the other place, and drops every table a test made there at the end. */
function inOtherPlace(backend: Backend, place: OtherPlace) {
  const made: string[] = [];
  const fixture = {
    db: undefined as unknown as Sequelize,
    /** A new table name, dropped after the tests. */
    fresh(): string {
      const table = uniqueTable('schema');
      made.push(table);
      return table;
    },
    /** The schemas or databases that hold a table of that name. */
    async whereIs(table: string): Promise<string[]> {
      const [rows] = await fixture.db.query(place.locate, { replacements: [table] });
      return (rows as { place: string }[]).map((row) => row.place);
    },
  };
  beforeAll(async () => {
    build();
    fixture.db = openDb(backend);
    await fixture.db.query(`CREATE ${backend.name === 'postgres' ? 'SCHEMA' : 'DATABASE'} IF NOT EXISTS ${place.name}`);
  });
  afterAll(async () => {
    for (const table of made) await fixture.db.query(`DROP TABLE IF EXISTS ${place.qualified(table)}`);
    if (place.cleanUp) await fixture.db.query(place.cleanUp).catch(() => {});
    await fixture.db.close();
  });
  return fixture;
}

const postgres = availableBackends().find((backend) => backend.name === 'postgres');
const SCHEMA = 'sss_schema_test';

(postgres ? describe : describe.skip)('a session table in another PostgreSQL schema', () => {
  const place = inOtherPlace(postgres!, {
    name: SCHEMA,
    qualified: (table) => `${SCHEMA}."${table}"`,
    locate: 'SELECT table_schema AS place FROM information_schema.tables WHERE table_name = ?',
  });
  const { fresh, whereIs } = place;

  test('createTable, get, set, touch, destroy and the cleanup all work on it, and public stays empty', async () => {
    const table = fresh();
    const store = new SequelizeStore({
      db: place.db,
      schema: SCHEMA,
      tableName: table,
      modelKey: table,
      createTable: true,
    });
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
      const [rows] = await place.db.query(`SELECT sid FROM ${SCHEMA}."${table}" WHERE data IS NOT NULL`);
      expect(rows).toEqual([{ sid: 'b' }]); // 'a' is a tombstone
      expect(await whereIs(table)).toEqual([SCHEMA]);
    } finally {
      await store.close();
    }
  });

  test('sync() and migrate() create it there', async () => {
    for (const make of ['sync', 'migrate'] as const) {
      const table = fresh();
      const store = new SequelizeStore({ db: place.db, schema: SCHEMA, tableName: table, modelKey: table });
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
    await place.db.query(
      `INSERT INTO ${SCHEMA}."${table}" (sid, expires, data, "createdAt", "updatedAt") ` +
        `VALUES ('gone', now() - interval '1 hour', '{}', now(), now())`,
    );
    const pruned = await runCli(['prune', '--url', url, '--table', table, '--schema', SCHEMA]);
    expect(pruned).toMatchObject({ code: 0 });
    expect(pruned.stdout).toMatch(new RegExp(`pruned 1 expired session from ${SCHEMA}\\.${table}`));
    const sql = await runCli(['sql', '--dialect', 'postgres', '--table', 'S', '--schema', SCHEMA]);
    expect(sql.stdout).toContain(`CREATE TABLE IF NOT EXISTS "${SCHEMA}"."S"`);
    expect(sql.stdout).toContain(`ON "${SCHEMA}"."S"`);
    const sqlite = await runCli(['sql', '--dialect', 'sqlite', '--schema', SCHEMA]);
    expect(sqlite).toMatchObject({ code: 2 });
  });
});

const mariadb = availableBackends().find((backend) => backend.name === 'mariadb');
const DATABASE = 'test_schema_sss';

(mariadb ? describe : describe.skip)('a session table in another MariaDB/MySQL database', () => {
  const place = inOtherPlace(mariadb!, {
    name: DATABASE,
    qualified: (table) => `${DATABASE}.\`${table}\``,
    locate: 'SELECT TABLE_SCHEMA AS place FROM information_schema.TABLES WHERE TABLE_NAME = ?',
    cleanUp: `DELETE FROM SequelizeSessionStoreMeta WHERE name LIKE '${DATABASE}.%'`,
  });
  const { fresh, whereIs } = place;

  test("createTable, get, set, touch, destroy, length, all and the cleanup all work on it; the connection's database has no such table", async () => {
    const table = fresh();
    const store = new SequelizeStore({
      db: place.db,
      schema: DATABASE,
      tableName: table,
      modelKey: table,
      createTable: true,
    });
    try {
      await store.set('a', sessionData(60_000, { n: 1 }));
      await store.touch('a', sessionData(120_000, { n: 1 }));
      expect(await store.get('a')).toMatchObject({ n: 1 });
      await store.set('old', sessionData(-1_000, { n: 2 }));
      expect(await store.prune()).toBe(1);
      expect(await store.length()).toBe(1);
      expect((await store.all()).map((session) => session.id)).toEqual(['a']);
      await store.destroy('a');
      expect(await store.get('a')).toBeNull();
      await store.set('b', sessionData(60_000, { n: 3 }));
      // A destroyed session leaves a tombstone (data NULL): the live rows are b's alone.
      const [rows] = await place.db.query(`SELECT sid FROM ${DATABASE}.\`${table}\` WHERE data IS NOT NULL`);
      expect(rows).toEqual([{ sid: 'b' }]);
      expect(await whereIs(table)).toEqual([DATABASE]);
    } finally {
      await store.close();
    }
  });

  test('sync() and migrate() create it there, utf8mb4 with its index, and do nothing the second time; migrate down drops it there', async () => {
    for (const make of ['sync', 'migrate'] as const) {
      const table = fresh();
      const store = new SequelizeStore({ db: place.db, schema: DATABASE, tableName: table, modelKey: table });
      try {
        if (make === 'sync') {
          await store.sync();
          await store.sync();
        } else {
          expect(await store.migrate()).toEqual([
            `${DATABASE}.${table}/01-create-table`,
            `${DATABASE}.${table}/02-widen-columns`,
          ]);
          expect(await store.migrate()).toEqual([]);
        }
        await store.set('s', sessionData(60_000, { emoji: '\u{1F600}' }));
        expect(await store.get('s')).toMatchObject({ emoji: '\u{1F600}' });
        expect(await whereIs(table)).toEqual([DATABASE]);
        const [indexes] = await place.db.query(
          `SHOW INDEX FROM ${DATABASE}.\`${table}\` WHERE Column_name = 'expires'`,
        );
        expect(indexes).toHaveLength(1);
        if (make === 'migrate') {
          await store.migrate({ down: true }); // the widening: nothing to undo
          await store.migrate({ down: true }); // the creation: drops the table there
          expect(await whereIs(table)).toEqual([]);
        }
      } finally {
        await store.close();
      }
    }
  });

  test('the command line: migrate, prune and sql take --schema', async () => {
    const table = fresh();
    const url = mariadb!.url;
    const migrated = await runCli(['migrate', '--url', url, '--table', table, '--schema', DATABASE]);
    expect(migrated).toMatchObject({ code: 0, stderr: '' });
    expect(await whereIs(table)).toEqual([DATABASE]);
    await place.db.query(
      `INSERT INTO ${DATABASE}.\`${table}\` (sid, expires, data, createdAt, updatedAt) ` +
        `VALUES ('gone', NOW() - INTERVAL 1 HOUR, '{}', NOW(), NOW())`,
    );
    const pruned = await runCli(['prune', '--url', url, '--table', table, '--schema', DATABASE]);
    expect(pruned).toMatchObject({ code: 0 });
    expect(pruned.stdout).toMatch(new RegExp(`pruned 1 expired session from ${DATABASE}\\.${table}`));
    const sql = await runCli(['sql', '--dialect', 'mariadb', '--table', 'S', '--schema', DATABASE]);
    expect(sql.stdout).toContain(`CREATE TABLE IF NOT EXISTS \`${DATABASE}\`.\`S\``);
    const procedures = await runCli(['sql', '--dialect', 'mysql', '--schema', DATABASE, '--procedures']);
    expect(procedures).toMatchObject({ code: 2 });
  });

  test('is refused with storedProcedures, naming the option', () => {
    expect(() => new SequelizeStore({ db: place.db, schema: DATABASE, storedProcedures: true })).toThrow(
      /option `schema`/,
    );
  });
});

describe('the schema option elsewhere', () => {
  const sqlite = availableBackends().filter((backend) => backend.name === 'sqlite');
  // test.each refuses an empty table: SQLite is left out when SSS_TEST_ONLY names servers only.
  if (sqlite.length === 0) test.todo('the schema option is refused on SQLite (SQLite not under test in this run)');
  else
    test.each(sqlite)('is refused on $name, naming the option', (backend) => {
      const db = openDb(backend);
      try {
        expect(() => new SequelizeStore({ db, schema: 'other' })).toThrow(/option `schema`/);
      } finally {
        void db.close();
      }
    });
});
