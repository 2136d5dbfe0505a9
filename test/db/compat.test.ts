import { DataTypes, Op, type Sequelize } from 'sequelize';
import { availableBackends, openDb, sqliteFile, uniqueTable } from '../support/backends';
import { liveRowsOf, rowsOf, sessionData, SequelizeStore, useBackend } from '../support/stores';

describe.each(availableBackends())('compatibility on $name', (backend) => {
  useBackend(backend);

  describe('a table created by connect-session-sequelize 8', () => {
    let oldApp: Sequelize;
    let newApp: Sequelize;
    const tableName = uniqueTable('css');
    const live = new Date(Date.now() + 3_600_000);

    beforeAll(async () => {
      const storage = sqliteFile();
      oldApp = openDb(backend, { storage });
      newApp = openDb(backend, { storage });
      // connect-session-sequelize 8's model, as it defines and syncs it.
      const Old = oldApp.define(
        'Session',
        {
          sid: { type: DataTypes.STRING(36), primaryKey: true },
          expires: DataTypes.DATE,
          data: DataTypes.TEXT,
        },
        { tableName },
      );
      await Old.sync();
      await Old.create({
        sid: 'logged-in',
        expires: live,
        data: JSON.stringify({ cookie: { path: '/' }, user: 'ada' }),
      });
      await Old.create({
        sid: 'long-gone',
        expires: new Date(Date.now() - 1000),
        data: JSON.stringify({ user: 'old' }),
      });
    });

    afterAll(async () => {
      await oldApp.models.Session!.drop();
      await oldApp.close();
      await newApp.close();
    });

    test('keeps its users logged in and works unchanged under the default model', async () => {
      const store = new SequelizeStore({ db: newApp, tableName, checkExpirationInterval: 0 });
      expect(await store.get('logged-in')).toEqual({ cookie: { path: '/' }, user: 'ada' });
      expect(await store.get('long-gone')).toBeNull();
      expect(await store.length()).toBe(1);

      await store.set('new-one', sessionData(60_000, { user: 'grace' }));
      await store.touch('logged-in', sessionData(7_200_000));
      expect((await store.get('new-one'))?.user).toBe('grace');
      await store.destroy('new-one');
      expect(await store.prune()).toBe(1);
      expect(Object.keys(await liveRowsOf(store))).toEqual(['logged-in']);
    });

    test('refuses what its narrower columns cannot hold instead of truncating it', async () => {
      const store = new SequelizeStore({ db: newApp, tableName, checkExpirationInterval: 0 });
      if (backend.name === 'sqlite') {
        // SQLite enforces no declared length: a longer sid is kept whole, never cut to 36.
        await store.set('x'.repeat(37), sessionData());
        expect(Object.keys(await rowsOf(store))).toContain('x'.repeat(37));
        await store.destroy('x'.repeat(37));
        return;
      }
      await expect(store.set('x'.repeat(37), sessionData())).rejects.toThrow(
        /session id is 37 characters; its column holds 36/,
      );
      if (backend.name === 'mariadb') {
        const big = sessionData(60_000, { blob: 'x'.repeat(70_000) });
        await expect(store.set('logged-in', big)).rejects.toThrow(/is \d+ bytes; its data column holds 65535/);
      }
      expect((await store.get('logged-in'))?.user).toBe('ada');
    });
  });

  describe('a custom model with extendDefaultFields', () => {
    function defineUserSessions(db: Sequelize, tableName: string) {
      return db.define(
        `${tableName}_model`,
        {
          sid: { type: DataTypes.STRING(64), primaryKey: true, field: 'session_id' },
          userId: { type: DataTypes.STRING(32), allowNull: true, field: 'user_id' },
          expires: { type: DataTypes.DATE, field: 'expires_at' },
          data: { type: DataTypes.TEXT, field: 'payload' },
        },
        { tableName, underscored: true },
      );
    }

    test('fills the extra columns in the one statement of every set', async () => {
      const statements: string[] = [];
      const db = openDb(backend, {
        storage: backend.name === 'sqlite' ? sqliteFile() : undefined,
        logging: (sql: string) => statements.push(sql),
      });
      try {
        const tableName = uniqueTable('users');
        const Model = defineUserSessions(db, tableName);
        await Model.sync();
        const store = new SequelizeStore({
          db,
          table: Model,
          checkExpirationInterval: 0,
          extendDefaultFields: (defaults, session) => ({
            data: defaults.data,
            expires: defaults.expires,
            userId: session.userId ?? null,
          }),
        });
        await store.set('warm-up', sessionData());
        statements.length = 0;
        await store.set('s', sessionData(60_000, { userId: 'u1' }));
        expect(statements).toHaveLength(1);
        expect(statements[0]).toMatch(/user_id/);

        await store.set('s', sessionData(60_000, { userId: 'u2' }));
        const row = (await Model.findByPk('s', { raw: true })) as Record<string, unknown> | null;
        expect(row).toMatchObject({ sid: 's', userId: 'u2' });
        expect(JSON.parse(String(row!.data)).userId).toBe('u2');
        expect((await store.get('s'))?.userId).toBe('u2');

        statements.length = 0;
        await store.get('s');
        await store.touch('s', sessionData(120_000));
        await store.destroy('s');
        expect(statements).toHaveLength(3);
        expect(await Model.count({ where: { data: { [Op.not]: null } } })).toBe(1); // 's' is a tombstone
        await Model.drop();
      } finally {
        await db.close();
      }
    });
  });
});
