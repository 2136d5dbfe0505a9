import { DataTypes, type Model } from 'sequelize';
import { availableBackends, uniqueTable } from '../support/backends';
import { rowsOf, SequelizeStore, useBackend, type Store } from '../support/stores';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The rows of connect-session-sequelize's test suite (test/test.js, 8.0.6), each as a test of ours. */
describe.each(availableBackends())('what connect-session-sequelize 8 checks, on $name', (backend) => {
  const ctx = useBackend(backend);
  const sessionData = { foo: 'bar', baz: '42' } as never;

  /** Its test model (test/resources/model.js), on a table of its own. */
  function defineTestSession(name = uniqueTable('TestSession')): ReturnType<typeof ctx.db.define> {
    const model = ctx.db.define(
      name,
      {
        sid: { type: DataTypes.STRING, primaryKey: true },
        userId: DataTypes.STRING,
        expires: DataTypes.DATE,
        data: DataTypes.STRING(50000),
      },
      { tableName: name },
    );
    ctx.dropLater(model);
    return model;
  }

  test('a new store has no length', async () => {
    const store = await ctx.store();
    expect(await store.length()).toBe(0);
  });

  test('it takes the model named by `table`, else Session on Sessions, or the modelKey and tableName given', () => {
    const model = defineTestSession();
    const off = { db: ctx.db, checkExpirationInterval: -1 };
    expect(new SequelizeStore({ ...off, table: model.name }).sessionModel.name).toBe(model.name);
    const plain = new SequelizeStore(off).sessionModel;
    expect([plain.name, plain.tableName]).toEqual(['Session', 'Sessions']);
    const custom = new SequelizeStore({ ...off, modelKey: 'CustomSessionModel', tableName: 'CustomSessionsTable' });
    expect([custom.sessionModel.name, custom.sessionModel.tableName]).toEqual([
      'CustomSessionModel',
      'CustomSessionsTable',
    ]);
  });

  test('set hands back the saved row as a model instance, with a future expires', async () => {
    const store = await ctx.store();
    const saved = await store.set('1234a', sessionData);
    expect(saved).toBeInstanceOf(store.sessionModel);
    expect(saved.get('expires')).toBeInstanceOf(Date);
    expect((saved.get('expires') as Date).getTime()).toBeGreaterThan(Date.now());
    expect(typeof saved.save).toBe('function');
    expect(typeof saved.update).toBe('function');
    expect(await store.length()).toBe(1);
    expect(await store.get('1234a')).toEqual(sessionData);
    const viaCallback = await new Promise<Model | undefined>((resolve, reject) =>
      store.set('1234a', sessionData, (error, row) => (error ? reject(error as Error) : resolve(row))),
    );
    expect(viaCallback?.get('sid')).toBe('1234a');
  });

  test('the instance is the row as stored: extra columns, a column default, createdAt of an existing row', async () => {
    const name = uniqueTable('TestSession');
    const model = ctx.db.define(
      name,
      {
        sid: { type: DataTypes.STRING, primaryKey: true },
        userId: DataTypes.STRING,
        origin: { type: DataTypes.STRING, defaultValue: 'web' },
        expires: DataTypes.DATE,
        data: DataTypes.TEXT, // its STRING(50000) is too wide a VARCHAR for a MariaDB row
      },
      { tableName: name },
    );
    ctx.dropLater(model);
    const store = new SequelizeStore({
      db: ctx.db,
      table: model,
      checkExpirationInterval: 0,
      extendDefaultFields: (defaults, session) => ({ ...defaults, userId: (session as { baz?: string }).baz }),
    });
    await store.sync();
    const first = await store.set('testupdateFields', { foo: 'bar', baz: 'a' } as never);
    await sleep(20);
    const second = await store.set('testupdateFields', { baz: 'baz', yolo: 'haha' } as never);
    const found = await model.findOne({ where: { userId: 'baz' } });
    expect(second.dataValues).toEqual(found!.dataValues);
    expect(second.get('origin')).toBe('web');
    expect((second.get('createdAt') as Date).getTime()).toBe((first.get('createdAt') as Date).getTime());
  });

  test('touch moves the expires forward', async () => {
    const store = await ctx.store();
    const saved = await store.set('1234a', sessionData);
    await sleep(5);
    await store.touch('1234a', sessionData);
    const row = await store.sessionModel.findOne({ where: { sid: '1234a' } });
    expect((row!.get('expires') as Date).getTime()).toBeGreaterThan((saved.get('expires') as Date).getTime());
  });

  test('store.options.disableTouch set at run time stops touch from writing, and back', async () => {
    const store = await ctx.store();
    expect(store.options.disableTouch).toBe(false);
    store.options.disableTouch = true;
    const saved = await store.set('1234a', sessionData);
    await sleep(5);
    await store.touch('1234a', sessionData);
    const row = await store.sessionModel.findOne({ where: { sid: '1234a' } });
    expect((row!.get('expires') as Date).getTime()).toBe((saved.get('expires') as Date).getTime());
    store.options.disableTouch = false;
    await store.touch('1234a', sessionData);
    const touched = await store.sessionModel.findOne({ where: { sid: '1234a' } });
    expect((touched!.get('expires') as Date).getTime()).toBeGreaterThan((saved.get('expires') as Date).getTime());
  });

  test('clearExpiredSessions deletes a session expired through the instance set handed back', async () => {
    const store = await ctx.store();
    const saved = await store.set('1234a', sessionData);
    saved.set('expires', new Date(Date.now() - 3_600_000));
    await saved.save();
    expect(await store.clearExpiredSessions()).toBe(1);
    expect(await store.length()).toBe(0);
    expect(await rowsOf(store)).toEqual({});
  });

  test('_expirationInterval is the timer handle, null once stopExpiringSessions ran', () => {
    const store: Store = new SequelizeStore({ db: ctx.db, table: defineTestSession(), checkExpirationInterval: 100 });
    try {
      expect(store._expirationInterval).toBeTruthy();
      store.stopExpiringSessions();
      expect(store._expirationInterval).toBeNull();
      expect(new SequelizeStore({ db: ctx.db, checkExpirationInterval: -1 })._expirationInterval).toBeNull();
    } finally {
      store.stopExpiringSessions();
    }
  });
});
