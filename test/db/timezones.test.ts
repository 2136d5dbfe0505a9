import type { Sequelize } from 'sequelize';
import { availableBackends, openDb, uniqueTable, SERVER_BACKENDS } from '../support/backends';
import { sessionData, SequelizeStore, type Store } from '../support/stores';

/**
 * The store reads and writes expiries itself, bypassing Sequelize's conversion on the hot path
 * (on MySQL/MariaDB even its typeCast): whatever Sequelize's `timezone`, an expiry must mean the
 * same instant to the store and to Sequelize, and Sequelize's own queries must be left as they were.
 */
// Sequelize refuses a timezone on SQLite: it stores and returns UTC.
const servers = availableBackends().filter((backend) => backend.name !== 'sqlite');

if (servers.length === 0) test.todo('time zones need MariaDB or PostgreSQL');

/**
 * Sequelize's timezone, and what `dialectOptions` tell the driver: on MySQL/MariaDB mysql2 gets a
 * zone of its own there, and the store must then leave dates to Sequelize rather than to mysql2.
 */
const zones: { label: string; timezone: string; dialectOptions?: { timezone: string } }[] = [
  { label: '+00:00 (the default)', timezone: '+00:00' },
  { label: '+05:30', timezone: '+05:30' },
  { label: '-08:00', timezone: '-08:00' },
  { label: 'Asia/Kolkata', timezone: 'Asia/Kolkata' },
  { label: '+05:30, mysql2 told -03:00', timezone: '+05:30', dialectOptions: { timezone: '-03:00' } },
];

// describe.each refuses an empty table: with none of these servers up, the todo above stands alone.
const describeOnServers = servers.length > 0 ? describe.each(servers) : describe.skip.each(SERVER_BACKENDS);
describeOnServers('time zones on $name', (backend) => {
  const cases = zones.filter((zone) => !zone.dialectOptions || backend.name === 'mariadb');
  describe.each(cases)('Sequelize timezone $label', ({ timezone, dialectOptions }) => {
    let db: Sequelize;
    let store: Store;

    beforeAll(async () => {
      // mysql2 says it ignores a named zone: Sequelize converts dates itself then, which is the point.
      const report = console.error.bind(console);
      jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
        if (!String(args[0]).startsWith('Ignoring invalid timezone')) report(...args);
      });
      // One connection: Sequelize's queries below run on the very connection the store used.
      db = openDb(backend, { timezone, pool: { max: 1 }, ...(dialectOptions ? { dialectOptions } : {}) });
      const table = uniqueTable('tz');
      store = new SequelizeStore({
        db,
        tableName: table,
        modelKey: table,
        checkExpirationInterval: 0,
        touchAfter: 300,
      });
      await store.sync();
    });
    afterAll(async () => {
      await store.sessionModel.drop();
      await db.close();
      jest.restoreAllMocks();
    });

    const storedExpiry = async (sid: string): Promise<number> => {
      const row = (await store.sessionModel.findByPk(sid)) as unknown as { expires: Date } | null;
      return row!.expires.getTime();
    };

    test('an expiry written by the store is the same instant to Sequelize', async () => {
      const saved = sessionData(3_600_000, { n: 1 });
      await store.set('a', saved);
      expect(await storedExpiry('a')).toBe(saved.cookie.expires!.getTime());
      expect((await store.get('a'))?.n).toBe(1);
      // Sequelize still reads dates on the connection the store's statements ran on.
      expect(await storedExpiry('a')).toBe(saved.cookie.expires!.getTime());
    });

    test('a session that expired a second ago is gone, one with a minute left is there', async () => {
      await store.set('past', sessionData(-1000));
      await store.set('soon', sessionData(60_000));
      expect(await store.get('past')).toBeNull();
      expect(await store.get('soon')).not.toBeNull();
    });

    test('touchAfter reads back the stored expiry as the instant it is', async () => {
      const saved = sessionData(3_600_000);
      await store.set('t', saved);
      await store.get('t'); // remembers the stored expiry
      const minuteLater = {
        ...saved,
        cookie: { ...saved.cookie, expires: new Date(saved.cookie.expires!.getTime() + 60_000) },
      };
      await store.touch('t', minuteLater);
      // Misread by the zone's offset, the stored expiry would look hours away and the touch would write.
      expect(await storedExpiry('t')).toBe(saved.cookie.expires!.getTime());
    });
  });
});
