import { Sequelize } from 'sequelize';
import { availableBackends, uniqueTable } from '../support/backends';
import { SequelizeStore, sessionData } from '../support/stores';

// Tables the store creates on MySQL/MariaDB are utf8mb4 whatever the database's default.

const mariadb = availableBackends().find((backend) => backend.name === 'mariadb');
const DATABASE = 'test_latin1_sss';
const EMOJI = 'caf\u00e9 \u{1F600} \u{1F9D1}\u200D\u{1F4BB}';

(mariadb ? describe : describe.skip)('a session table in a latin1 database (MariaDB)', () => {
  let admin: Sequelize;
  let db: Sequelize;

  beforeAll(async () => {
    admin = new Sequelize(mariadb!.url, { logging: false });
    await admin.query(`CREATE DATABASE IF NOT EXISTS ${DATABASE} CHARACTER SET latin1 COLLATE latin1_swedish_ci`);
    const url = new URL(mariadb!.url);
    url.pathname = `/${DATABASE}`;
    db = new Sequelize(url.toString(), { logging: false });
  });

  afterAll(async () => {
    await db?.close();
    await admin?.close();
  });

  test.each([
    ['createTable: true', { createTable: true }],
    ['sync()', { createTable: false }],
  ])('made by %s, is utf8mb4, and an emoji round-trips', async (_, options) => {
    const table = uniqueTable('utf8');
    const store = new SequelizeStore({ db, tableName: table, modelKey: table, checkExpirationInterval: 0, ...options });
    try {
      if (!options.createTable) await store.sync();
      await store.set('emoji', sessionData(60_000, { name: EMOJI }));
      expect((await store.get('emoji'))?.name).toBe(EMOJI);
      const [rows] = await admin.query(
        'SELECT TABLE_COLLATION AS collation FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
        { replacements: [DATABASE, table] },
      );
      expect((rows as { collation: string }[])[0]?.collation).toMatch(/^utf8mb4_/);
      const [columns] = await admin.query(
        'SELECT COLUMN_NAME AS name, COLLATION_NAME AS collation FROM information_schema.COLUMNS ' +
          'WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME IN (?, ?)',
        { replacements: [DATABASE, table, 'sid', 'data'] },
      );
      const collations = Object.fromEntries(
        (columns as { name: string; collation: string }[]).map((c) => [c.name, c.collation]),
      );
      expect(collations).toEqual({ sid: 'utf8mb4_bin', data: expect.stringMatching(/^utf8mb4_/) as unknown });
    } finally {
      await store.close();
      await admin.query(`DROP TABLE IF EXISTS ${DATABASE}.\`${table}\``);
    }
  });
});
