import { DataTypes, type Model, type ModelStatic } from 'sequelize';
import { availableBackends, uniqueTable } from '../support/backends';
import { rowsOf, sessionData, SequelizeStore, useBackend, type Store } from '../support/stores';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The rows of connect-session-sequelize's test suite (test/test.js, 8.0.6), each as a test of ours. */
describe.each(availableBackends())('what connect-session-sequelize 8 checks, on $name', (backend) => {
  const ctx = useBackend(backend);
  const suiteData = { foo: 'bar', baz: '42' } as never;

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
    const saved = await store.set('1234a', suiteData);
    expect(saved).toBeInstanceOf(store.sessionModel);
    expect(saved.get('expires')).toBeInstanceOf(Date);
    expect((saved.get('expires') as Date).getTime()).toBeGreaterThan(Date.now());
    expect(typeof saved.save).toBe('function');
    expect(typeof saved.update).toBe('function');
    expect(await store.length()).toBe(1);
    expect(await store.get('1234a')).toEqual(suiteData);
    const viaCallback = await new Promise<Model | undefined>((resolve, reject) => {
      void store.set('1234a', suiteData, (error, row) =>
        error ? reject(new Error('set failed', { cause: error })) : resolve(row),
      );
    });
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

  test('touch moves the expires forward, even within the millisecond of the set', async () => {
    const store = await ctx.store();
    // Its suite touches right after the set; a fast set often ends in the same millisecond.
    for (let i = 0; i < 30; i += 1) {
      const saved = await store.set('1234a', suiteData);
      await store.touch('1234a', suiteData);
      const row = await store.sessionModel.findOne({ where: { sid: '1234a' } });
      expect((row!.get('expires') as Date).getTime()).toBeGreaterThan((saved.get('expires') as Date).getTime());
    }
  });

  test('store.options.disableTouch set at run time stops touch from writing, and back', async () => {
    const store = await ctx.store();
    expect(store.options.disableTouch).toBe(false);
    store.options.disableTouch = true;
    const saved = await store.set('1234a', suiteData);
    await sleep(5);
    await store.touch('1234a', suiteData);
    const row = await store.sessionModel.findOne({ where: { sid: '1234a' } });
    expect((row!.get('expires') as Date).getTime()).toBe((saved.get('expires') as Date).getTime());
    store.options.disableTouch = false;
    await store.touch('1234a', suiteData);
    const touched = await store.sessionModel.findOne({ where: { sid: '1234a' } });
    expect((touched!.get('expires') as Date).getTime()).toBeGreaterThan((saved.get('expires') as Date).getTime());
  });

  test('clearExpiredSessions deletes a session expired through the instance set handed back', async () => {
    const store = await ctx.store();
    const saved = await store.set('1234a', suiteData);
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

describe.each(availableBackends())('custom models written for connect-session-sequelize, on $name', (backend) => {
  const ctx = useBackend(backend);

  function storeOn(model: ModelStatic<Model>, warn = jest.fn()): Store {
    ctx.dropLater(model);
    return new SequelizeStore({ db: ctx.db, table: model, checkExpirationInterval: 0, logger: { warn } });
  }

  test('a sid beside an auto-increment id: no duplicate rows, even under concurrent saves of one sid', async () => {
    const name = uniqueTable('IdSession');
    const model = ctx.db.define(
      name,
      { sid: DataTypes.STRING, expires: DataTypes.DATE, data: DataTypes.TEXT },
      { tableName: name },
    );
    const warn = jest.fn();
    const store = storeOn(model, warn);
    await store.sync();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/has no unique index on sid: .*`store.migrate\(\)`.* adds the unique index/);
    const saves = Array.from({ length: 20 }, (_, n) => store.set('shared', sessionData(60_000, { n })));
    const saved = await Promise.all(saves);
    expect(await model.count({ where: { sid: 'shared' } })).toBe(1);
    expect(saved.every((row) => row.get('sid') === 'shared')).toBe(true);
    expect(typeof (await store.get('shared'))?.n).toBe('number');
    await store.set('shared', sessionData(60_000, { n: 'last' }));
    expect(await model.count()).toBe(1);
    expect((await store.get('shared'))?.n).toBe('last');
    await store.destroy('shared');
    expect(await model.count()).toBe(0);
  });

  test('migrate offers the unique index on sid, and refuses clearly while a sid has several rows', async () => {
    const define = (name: string) =>
      ctx.db.define(
        name,
        { sid: DataTypes.STRING, expires: DataTypes.DATE, data: DataTypes.TEXT },
        { tableName: name },
      );
    const ledgerTable = uniqueTable('ledger');
    ctx.dropTableLater(ledgerTable);
    const clean = define(uniqueTable('IdSession'));
    const store = storeOn(clean);
    await store.sync();
    await store.set('a', sessionData());
    const applied = await store.migrate({ ledgerTable });
    expect(applied).toContain(`${clean.tableName}/04-unique-sid`);
    const indexes = (await ctx.db.getQueryInterface().showIndex(clean.tableName)) as {
      unique: boolean;
      fields: { attribute: string }[];
    }[];
    expect(indexes.some((i) => i.unique && i.fields.length === 1 && i.fields[0]!.attribute === 'sid')).toBe(true);

    const doubled = define(uniqueTable('IdSession'));
    const other = storeOn(doubled);
    await other.sync();
    await doubled.bulkCreate([
      { sid: 'twice', expires: new Date(Date.now() + 60_000), data: '{}' },
      { sid: 'twice', expires: new Date(Date.now() + 60_000), data: '{}' },
    ]);
    await expect(other.migrate({ ledgerTable })).rejects.toThrow(
      /cannot add a unique index on .*1 sid\(s\) have several rows, such as "twice" \(2 rows\)/,
    );
  });

  test('hooks, validations and JavaScript defaults apply, on the model path, said once', async () => {
    const name = uniqueTable('HookedSession');
    const destroyed: string[] = [];
    const model = ctx.db.define(
      name,
      {
        sid: { type: DataTypes.STRING, primaryKey: true },
        userId: DataTypes.STRING,
        token: { type: DataTypes.STRING, defaultValue: () => 'generated' },
        expires: DataTypes.DATE,
        data: { type: DataTypes.TEXT, validate: { len: [0, 500] } },
      },
      {
        tableName: name,
        hooks: {
          beforeSave: (row: Model) => {
            row.set('userId', 'hooked');
          },
          afterDestroy: (row: Model) => {
            destroyed.push(String(row.get('sid')));
          },
        },
      },
    );
    const warn = jest.fn();
    const store = storeOn(model, warn);
    await store.sync();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(
      /has hooks \(.*beforeSave, afterDestroy\), validations \(data\), JavaScript defaultValue \(token\): .*model API/,
    );
    const saved = await store.set('a', sessionData());
    expect([saved.get('userId'), saved.get('token')]).toEqual(['hooked', 'generated']);
    expect(await rowsOf(store)).toMatchObject({ a: { userId: 'hooked', token: 'generated' } });
    await expect(store.set('a', sessionData(60_000, { blob: 'x'.repeat(600) }))).rejects.toThrow(/Validation/);
    await store.touch('a', sessionData(120_000));
    expect(await store.get('a')).toBeTruthy();
    await store.destroy('a');
    expect(destroyed).toEqual(['a']);
    expect(await store.get('a')).toBeNull();
  });

  test('paranoid: a destroyed session is never returned, counted or listed, and a new save brings it back', async () => {
    const name = uniqueTable('ParanoidSession');
    const model = ctx.db.define(
      name,
      { sid: { type: DataTypes.STRING, primaryKey: true }, expires: DataTypes.DATE, data: DataTypes.TEXT },
      { tableName: name, paranoid: true },
    );
    const store = storeOn(model);
    await store.sync();
    await store.set('a', sessionData(60_000, { user: 'a' }));
    await store.set('b', sessionData(60_000, { user: 'b' }));
    expect(await store.destroyWhere({ sid: 'a' })).toBe(1);
    expect(await store.get('a')).toBeNull();
    expect(await store.length()).toBe(1);
    expect((await store.all()).map((s) => s.id)).toEqual(['b']);
    expect(await store.findWhere({ sid: 'a' })).toEqual([]);
    await store.destroy('b');
    expect(await store.get('b')).toBeNull();
    expect(await store.length()).toBe(0);
    expect(await model.count({ paranoid: false })).toBe(2);
    await store.set('a', sessionData(60_000, { user: 'again' }));
    expect((await store.get('a'))?.user).toBe('again');
    expect(await store.length()).toBe(1);
  });

  test('a plain model keeps the fast path and says nothing', async () => {
    const name = uniqueTable('PlainSession');
    const model = ctx.db.define(
      name,
      { sid: { type: DataTypes.STRING, primaryKey: true }, expires: DataTypes.DATE, data: DataTypes.TEXT },
      { tableName: name },
    );
    const warn = jest.fn();
    const store = storeOn(model, warn);
    await store.sync();
    await store.set('a', sessionData());
    expect(warn).not.toHaveBeenCalled();
  });
});
