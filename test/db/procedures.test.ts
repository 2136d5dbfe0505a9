import { DataTypes, type Sequelize } from 'sequelize';
import { restrictedAccount, statementLog } from '../support/admin';
import { availableBackends, openDb, uniqueTable, SERVER_BACKENDS } from '../support/backends';
import { fillSessions, liveSids, sidsOf } from '../support/fill';
import { rowsOf, sessionData, SequelizeStore, useBackend, type StoreOptions } from '../support/stores';

const PROCEDURES = ['get', 'set', 'touch', 'destroy', 'length', 'all', 'clear', 'prune'];

/** A model with renamed columns and extra ones, declared in an order unlike the store's. */
function defineUserSessions(db: Sequelize, tableName: string) {
  return db.define(
    tableName,
    {
      sid: { type: DataTypes.STRING(64), primaryKey: true, field: 'session_id' },
      tenant: { type: DataTypes.STRING(32), allowNull: true },
      expires: { type: DataTypes.DATE(3), field: 'expires_at' },
      userId: { type: DataTypes.STRING(32), allowNull: true, field: 'user_id' },
      data: { type: DataTypes.TEXT('long'), field: 'payload' },
    },
    { tableName, underscored: true },
  );
}

const mariadb = availableBackends().filter((backend) => backend.name === 'mariadb');
if (mariadb.length === 0) test.todo('stored-procedure mode needs MariaDB');

// describe.each refuses an empty table: with none of these servers up, the todo above stands alone.
const describeOnMariadb =
  mariadb.length > 0
    ? describe.each(mariadb)
    : describe.skip.each(SERVER_BACKENDS.filter((backend) => backend.name === 'mariadb'));
describeOnMariadb('stored-procedure mode on $name', (backend) => {
  const ctx = useBackend(backend);

  /** Installs the procedures as the admin; resolves to a database connection that may only EXECUTE them. */
  async function executeOnly(admin: InstanceType<typeof SequelizeStore>, tableName: string) {
    const ledgerTable = uniqueTable('ledger');
    ctx.dropTableLater(tableName);
    ctx.dropTableLater(ledgerTable);
    expect(await admin.migrate({ ledgerTable, procedures: true })).toEqual([
      `${tableName}/01-create-table`,
      `${tableName}/02-widen-columns`,
      `${tableName}/03-procedures`,
    ]);
    ctx.atEnd(async () => {
      expect(await admin.migrate({ ledgerTable, procedures: true, down: true })).toEqual([
        `${tableName}/03-procedures`,
      ]);
    });
    const account = await restrictedAccount(backend, ctx.db);
    ctx.atEnd(() => account.drop());
    for (const procedure of PROCEDURES) await account.grantExecute(`${tableName}_${procedure}`);
    const log = statementLog();
    const db = openDb({ ...backend, url: account.url }, { logging: log.logging });
    ctx.atEnd(() => db.close());
    await expect(db.query(`SELECT * FROM \`${tableName}\``)).rejects.toThrow(/denied/);
    return { db, log };
  }

  /** A table of its own, its admin store, and a stored-procedure store on an EXECUTE-only user. */
  async function procedureStore(prefix: string, options: StoreOptions = {}) {
    const tableName = uniqueTable(prefix);
    const admin = new SequelizeStore({ db: ctx.db, tableName, modelKey: tableName, checkExpirationInterval: 0 });
    const { db, log } = await executeOnly(admin, tableName);
    const store = new SequelizeStore({
      db,
      tableName,
      modelKey: tableName,
      storedProcedures: true,
      checkExpirationInterval: 0,
      ...options,
    });
    return { tableName, admin, store, log };
  }

  test('every operation is a CALL, by a user that may only EXECUTE the procedures', async () => {
    const { admin, store, log } = await procedureStore('proc');
    log.clear();

    await store.set('a', sessionData(60_000, { user: 'ada' }));
    await store.set('A', sessionData(60_000, { user: 'upper' }));
    await store.set('old', sessionData(-60_000, { user: 'gone' }));
    expect((await store.get('a'))?.user).toBe('ada');
    expect((await store.get('A'))?.user).toBe('upper');
    expect(await store.get('old')).toBeNull();
    const later = sessionData(600_000);
    await store.touch('a', later);
    await store.touch('old', later); // an expired session stays expired
    const rows = await rowsOf(admin);
    expect(new Date(rows.a!.expires as string).getTime()).toBe(later.cookie.expires!.getTime());
    expect(new Date(rows.old!.expires as string).getTime()).toBeLessThan(Date.now());
    expect(JSON.parse(String(rows.a!.data)).user).toBe('ada');
    expect(await store.length()).toBe(2);
    expect((await store.all()).map((s) => `${s.id}:${s.user}`).sort()).toEqual(['A:upper', 'a:ada']);
    expect(await store.prune()).toBe(1);
    await store.destroy('A');
    expect(Object.keys(await rowsOf(admin))).toEqual(['a']);
    await store.set('b', sessionData());
    await store.clear();
    expect(await rowsOf(admin)).toEqual({});
    // Column sizes cannot be read without SELECT: the model's are used, and still nothing is truncated.
    await expect(store.set('x'.repeat(256), sessionData())).rejects.toThrow(
      /session id is 256 characters; its column holds 255/,
    );

    const notCalls = log.lines.filter((line) => !/: CALL `/.test(line));
    expect(notCalls).toEqual([expect.stringMatching(/^Executing \(default\): SHOW FULL COLUMNS/)]);
  });

  test('the cleanup sweeps in batches: CALL <table>_prune(now, batch) until a batch comes back short', async () => {
    const { tableName, admin, store, log } = await procedureStore('procp', { pruneBatchSize: 10 });
    await fillSessions(admin.sessionModel, 25, 2);
    log.clear();
    expect(await store.prune()).toBe(25);
    expect(log.lines).toEqual(Array(3).fill(expect.stringMatching(new RegExp(`: CALL \`${tableName}_prune\``))));
    expect(await sidsOf(admin.sessionModel)).toEqual(liveSids(2));
  });

  test('touchAfter works through the procedures too: get hands back the stored expiry', async () => {
    const { store, log } = await procedureStore('proct', { touchAfter: 300 });
    const saved = sessionData(3_600_000);
    await store.set('a', saved);
    await store.get('a');
    log.clear();
    await store.touch('a', sessionData(3_600_000 + 60_000));
    expect(log.lines).toEqual([]);
    await store.get('a');
    await store.touch('a', sessionData(3_600_000 + 400_000));
    expect(log.lines.filter((line) => line.includes('_touch'))).toHaveLength(1);
  });

  test('the procedures follow a custom model: its column names and its extra columns', async () => {
    const tableName = uniqueTable('procu');
    const AdminModel = defineUserSessions(ctx.db, tableName);
    const admin = new SequelizeStore({
      db: ctx.db,
      table: AdminModel,
      storedProcedures: true,
      checkExpirationInterval: 0,
    });
    const { db } = await executeOnly(admin, tableName);
    const store = new SequelizeStore({
      db,
      table: defineUserSessions(db, tableName),
      storedProcedures: true,
      checkExpirationInterval: 0,
      extendDefaultFields: (defaults, session) => ({ userId: session.userId ?? null, ...defaults }),
    });

    await store.set('s1', sessionData(60_000, { userId: 'u1' }));
    await store.set('s2', sessionData(60_000, { userId: 'u2' }));
    await store.set('s3', sessionData(-60_000, { userId: 'u1' }));
    const rows = (await AdminModel.findAll({ raw: true, order: [['sid', 'ASC']] })) as unknown as Record<
      string,
      unknown
    >[];
    expect(rows.map((r) => [r.sid, r.userId, r.tenant])).toEqual([
      ['s1', 'u1', null],
      ['s2', 'u2', null],
      ['s3', 'u1', null],
    ]);
    const [columns] = await ctx.db.query(
      `SELECT session_id, user_id, payload FROM \`${tableName}\` WHERE session_id = 's1'`,
    );
    expect(columns).toEqual([{ session_id: 's1', user_id: 'u1', payload: expect.stringContaining('"userId":"u1"') }]);

    expect((await store.get('s1'))?.userId).toBe('u1');
    const later = sessionData(600_000);
    await store.touch('s1', later);
    const touched = (await AdminModel.findByPk('s1', { raw: true })) as Record<string, unknown> | null;
    expect(new Date(touched!.expires as string).getTime()).toBe(later.cookie.expires!.getTime());
    expect(await store.length()).toBe(2);
    expect((await store.all()).map((s) => s.id).sort()).toEqual(['s1', 's2']);
    expect(await store.prune()).toBe(1);
    await store.destroy('s2');
    expect(await AdminModel.count()).toBe(1);
    await store.clear();
    expect(await AdminModel.count()).toBe(0);
  });
});
