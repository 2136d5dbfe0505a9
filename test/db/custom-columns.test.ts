import { DataTypes, QueryTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';
import { columnTypes, indexedColumns } from '../support/admin';
import { availableBackends, uniqueTable } from '../support/backends';
import { sessionData, SequelizeStore, useBackend, type Store } from '../support/stores';

/** Sessions of logged-in users, with every column renamed through `field`. */
function defineUserSessions(db: Sequelize, tableName: string): ModelStatic<Model> {
  return db.define(
    tableName,
    {
      sid: { type: DataTypes.STRING(64), primaryKey: true, field: 'session_id' },
      userId: { type: DataTypes.STRING(32), allowNull: true, field: 'user_id' },
      expires: { type: DataTypes.DATE(3), field: 'expires_at' },
      data: { type: DataTypes.TEXT, field: 'payload' },
    },
    { tableName, underscored: true },
  );
}

/** The rows as the database holds them, by their real column names. */
async function rawRows(db: Sequelize, table: string): Promise<Record<string, Record<string, unknown>>> {
  const generator = db.getQueryInterface().queryGenerator as { quoteTable(name: string): string };
  const rows = await db.query<Record<string, unknown>>(`SELECT * FROM ${generator.quoteTable(table)}`, {
    type: QueryTypes.SELECT,
  });
  return Object.fromEntries(rows.map((row) => [String(row.session_id), row]));
}

/** The rows of live sessions: a destroyed session keeps its row as a tombstone, with a NULL payload. */
async function liveRawRows(db: Sequelize, table: string): Promise<Record<string, Record<string, unknown>>> {
  const rows = await rawRows(db, table);
  return Object.fromEntries(Object.entries(rows).filter(([, row]) => row.payload !== null));
}

describe.each(availableBackends())('a model with its own column names on $name', (backend) => {
  const ctx = useBackend(backend);
  let store: Store;
  let table: string;

  /** A store on a new user-sessions table, which its migrations create. */
  async function userStore(): Promise<{ store: Store; table: string }> {
    const name = uniqueTable('users');
    const ledger = uniqueTable('ledger');
    ctx.dropTableLater(name);
    ctx.dropTableLater(ledger);
    const made = new SequelizeStore({
      db: ctx.db,
      table: defineUserSessions(ctx.db, name),
      checkExpirationInterval: 0,
      extendDefaultFields: (defaults, session) => ({ ...defaults, userId: session.userId ?? null }),
    });
    await made.migrate({ ledgerTable: ledger });
    return { store: made, table: name };
  }

  beforeAll(async () => {
    ({ store, table } = await userStore());
  });
  beforeEach(() => store.clear());

  test('migrate() creates its table from the model, with the index on its own expires column', async () => {
    expect(Object.keys(await columnTypes(ctx.db, table)).sort()).toEqual([
      'created_at',
      'expires_at',
      'payload',
      'session_id',
      'updated_at',
      'user_id',
    ]);
    expect(await indexedColumns(ctx.db, table)).toContain('expires_at');
  });

  test('every operation reads and writes its columns, the cleanup included', async () => {
    await store.set('a', sessionData(60_000, { userId: 'u1', n: 1 }));
    await store.set('b', sessionData(60_000, { userId: 'u2', n: 2 }));
    await store.set('old', sessionData(-60_000, { userId: 'u1', n: 3 }));
    let rows = await rawRows(ctx.db, table);
    expect(rows.a).toMatchObject({ session_id: 'a', user_id: 'u1' });
    expect(JSON.parse(String(rows.a!.payload)).n).toBe(1);

    expect((await store.get('a'))?.n).toBe(1);
    const later = sessionData(600_000);
    await store.touch('a', later);
    rows = await rawRows(ctx.db, table);
    expect(new Date(rows.a!.expires_at as string).getTime()).toBe(later.cookie.expires!.getTime());
    expect(await store.length()).toBe(2);
    expect((await store.all()).map((s) => `${s.id}:${String(s.n)}`).sort()).toEqual(['a:1', 'b:2']);
    expect(await store.prune()).toBe(1);
    await store.destroy('b');
    expect(Object.keys(await liveRawRows(ctx.db, table))).toEqual(['a']);
    expect((await rawRows(ctx.db, table)).b?.payload).toBeNull();
    await store.clear();
    expect(await rawRows(ctx.db, table)).toEqual({});
  });

  test('findWhere and destroyWhere by an extra column: log a user out everywhere', async () => {
    const other = await userStore();
    await store.set('phone', sessionData(60_000, { userId: 'u1', device: 'phone' }));
    await store.set('laptop', sessionData(60_000, { userId: 'u1', device: 'laptop' }));
    await store.set('stale', sessionData(-60_000, { userId: 'u1', device: 'old tablet' }));
    await store.set('theirs', sessionData(60_000, { userId: 'u2', device: 'phone' }));
    await other.store.set('elsewhere', sessionData(60_000, { userId: 'u1' }));

    const found = await store.findWhere({ userId: 'u1' });
    expect(found.map((s) => `${s.id}:${String(s.device)}`).sort()).toEqual(['laptop:laptop', 'phone:phone']);
    expect(found.find((s) => s.id === 'phone')).toMatchObject({ userId: 'u1', cookie: { path: '/' } });

    expect(await store.destroyWhere({ userId: 'u1' })).toBe(3);
    expect(Object.keys(await liveRawRows(ctx.db, table))).toEqual(['theirs']);
    expect(await store.get('phone')).toBeNull();
    expect(await store.findWhere({ userId: 'u1' })).toEqual([]);
    expect(Object.keys(await rawRows(ctx.db, other.table))).toEqual(['elsewhere']); // another store's table
  });

  test('findWhere and destroyWhere refuse an empty condition, which would match every session', async () => {
    await store.set('a', sessionData(60_000, { userId: 'u1' }));
    await expect(store.destroyWhere({})).rejects.toThrow(/destroyWhere needs a condition .*use clear\(\)/);
    await expect(store.destroyWhere(undefined as never)).rejects.toThrow(TypeError);
    await expect(store.findWhere({})).rejects.toThrow(/findWhere needs a condition/);
    expect(Object.keys(await rawRows(ctx.db, table))).toEqual(['a']);
  });
});
