import { randomUUID } from 'node:crypto';
import { DataTypes, type Sequelize } from 'sequelize';
import { availableBackends, openDb, sqliteFile, uniqueTable } from '../support/backends';
import { rowsOf, sessionData, SequelizeStore, type Store, type StoreOptions } from '../support/stores';

/** A session whose cookie expires at `at` exactly. */
const expiringAt = (at: number) => {
  const data = sessionData();
  return { ...data, cookie: { ...data.cookie, expires: new Date(at) } };
};

/** Whole seconds: MySQL's plain DATETIME keeps no milliseconds. */
const second = (value: unknown): number => Math.round(new Date(value as string).getTime() / 1000);

/** A multi-row touch, as the store writes it on each dialect. */
const BATCH = /FROM \(VALUES|AS \(VALUES|CASE WHEN/;

/** A multi-row upsert. */
const MULTI_ROW = /VALUES \([^)]*\), \(/;

describe.each(availableBackends())('group commit of touches and saves on $name', (backend) => {
  let db: Sequelize;
  const statements: string[] = [];
  const stores: Store[] = [];
  const storage = sqliteFile();

  beforeAll(() => {
    db = openDb(backend, { logging: (sql: string) => statements.push(sql), pool: { max: 1 }, storage });
  });
  afterAll(async () => {
    for (const store of stores) await store.sessionModel.drop().catch(() => {});
    await db.close();
  });

  async function store(options: StoreOptions = {}): Promise<Store> {
    const table = uniqueTable('gc');
    const names = options.table ? {} : { tableName: table, modelKey: table };
    const made = new SequelizeStore({ db, ...names, checkExpirationInterval: 0, ...options });
    stores.push(made);
    await made.sync();
    return made;
  }

  /** The touches the store sent since the last call. */
  const touchesSent = (): string[] =>
    statements.splice(0).filter((s) => s.includes('sequelize-session-store') && s.includes('UPDATE'));

  async function seed(s: Store, sids: string[], at: number): Promise<void> {
    for (const sid of sids) await s.set(sid, expiringAt(at));
    touchesSent();
  }

  test('is on by default', async () => {
    const s = await store();
    expect(s.options.groupCommit).toBe(true);
    const sids = Array.from({ length: 5 }, (_, i) => `on-${i}`);
    await seed(s, sids, Date.now() + 60_000);
    await Promise.all(sids.map((sid) => s.touch(sid, expiringAt(Date.now() + 120_000))));
    expect(touchesSent().filter((text) => BATCH.test(text))).toHaveLength(1);
  });

  test('groupCommit: false sends one statement per touch and per save', async () => {
    const s = await store({ groupCommit: false });
    const sids = Array.from({ length: 5 }, (_, i) => `off-${i}`);
    await seed(s, sids, Date.now() + 60_000);
    await Promise.all(sids.map((sid) => s.touch(sid, expiringAt(Date.now() + 120_000))));
    const sent = touchesSent();
    expect(sent).toHaveLength(5);
    expect(sent.filter((text) => BATCH.test(text))).toEqual([]);
    await Promise.all(sids.map((sid) => s.set(sid, sessionData())));
    const inserts = statements.splice(0).filter((text) => text.includes('INSERT INTO'));
    expect(inserts).toHaveLength(5);
  });

  test('a lone touch is sent at once, alone, as without group commit', async () => {
    const s = await store({ groupCommit: true });
    await seed(s, ['lone'], Date.now() + 60_000);
    const at = Math.ceil(Date.now() / 1000) * 1000 + 120_000;
    await s.touch('lone', expiringAt(at));
    const sent = touchesSent();
    expect(sent).toHaveLength(1);
    expect(sent[0]).not.toMatch(BATCH);
    expect(second((await rowsOf(s)).lone!.expires)).toBe(at / 1000);
  });

  test('touches that arrive while one is in flight go together as one statement', async () => {
    const s = await store({ groupCommit: true });
    const sids = Array.from({ length: 13 }, (_, i) => `many-${i}`);
    await seed(s, sids, Date.now() + 60_000);
    const at = Math.ceil(Date.now() / 1000) * 1000 + 300_000;
    await Promise.all(sids.map((sid) => s.touch(sid, expiringAt(at))));
    const sent = touchesSent();
    expect(sent).toHaveLength(2); // the first alone, the twelve that waited in one (a batch size)
    expect(sent[0]).not.toMatch(BATCH);
    expect(sent[1]).toMatch(BATCH);
    const rows = await rowsOf(s);
    for (const sid of sids) expect(second(rows[sid]!.expires)).toBe(at / 1000);
  });

  test('keeps the rules of a touch: an expired session stays expired, a move under a second writes nothing', async () => {
    const s = await store({ groupCommit: true });
    const base = Math.ceil(Date.now() / 1000) * 1000 + 60_000;
    await seed(s, ['first', 'near', 'far'], base);
    await s.set('gone', expiringAt(Date.now() - 60_000));
    touchesSent();
    const before = await rowsOf(s);
    await Promise.all([
      s.touch('first', expiringAt(base + 10_000)),
      s.touch('near', expiringAt(base + 400)),
      s.touch('far', expiringAt(base + 20_000)),
      s.touch('gone', expiringAt(base + 20_000)),
    ]);
    expect(touchesSent()[1]).toMatch(BATCH);
    const rows = await rowsOf(s);
    expect(second(rows.near!.expires)).toBe(second(before.near!.expires));
    expect(rows.near!.updatedAt).toEqual(before.near!.updatedAt);
    expect(second(rows.far!.expires)).toBe((base + 20_000) / 1000);
    expect(second(rows.gone!.expires)).toBe(second(before.gone!.expires));
  });

  test('a storm of touches over shared sids leaves each row at its last acknowledged touch', async () => {
    const s = await store({ groupCommit: true });
    const sids = Array.from({ length: 15 }, (_, i) => `storm-${i}`);
    const base = Math.ceil(Date.now() / 1000) * 1000 + 60_000;
    await seed(s, sids, base);
    const acknowledged = new Map<string, number>();
    let random = 7;
    const next = (n: number): number => (random = (random * 48271) % 2147483647) % n;
    for (let wave = 0; wave < 4; wave += 1) {
      const touches = Array.from({ length: 100 }, () => {
        const sid = sids[next(sids.length)]!;
        const at = base + 5_000 * (1 + next(40)); // two touches of one sid differ by 5 s or not at all
        return s.touch(sid, expiringAt(at)).then(() => acknowledged.set(sid, at));
      });
      await Promise.all(touches);
    }
    const sent = touchesSent();
    expect(sent.filter((text) => BATCH.test(text)).length).toBeGreaterThan(0);
    expect(sent.length).toBeLessThan(400);
    const rows = await rowsOf(s);
    for (const [sid, at] of acknowledged) expect([sid, second(rows[sid]!.expires)]).toEqual([sid, at / 1000]);
  });

  /** The upserts the store sent since the last call. */
  const savesSent = (): string[] =>
    statements.splice(0).filter((s) => s.includes('sequelize-session-store') && s.includes('INSERT INTO'));

  test('saves that arrive while one is in flight go as one upsert; each caller gets its own row, as stored', async () => {
    const s = await store({ groupCommit: true });
    const sids = Array.from({ length: 13 }, (_, i) => `save-${i}`);
    savesSent();
    const saved = await Promise.all(sids.map((sid, n) => s.set(sid, sessionData(60_000, { n }))));
    const sent = savesSent();
    expect(sent).toHaveLength(2); // the first alone, the twelve that waited in one (a batch size)
    expect(sent[0]).not.toMatch(MULTI_ROW);
    expect(sent[1]).toMatch(MULTI_ROW);
    saved.forEach((row, n) => {
      expect(row).toBeInstanceOf(s.sessionModel);
      expect(row.get('sid')).toBe(sids[n]);
      expect(JSON.parse(row.get('data') as string)).toMatchObject({ n });
      expect(row.get('createdAt')).toBeInstanceOf(Date);
    });
    for (const [n, sid] of sids.entries()) expect(await s.get(sid)).toMatchObject({ n });
  });

  test('in a batch too, a tombstone keeps a save with a cookie out, and a direct save without one writes', async () => {
    const s = await store({ groupCommit: true });
    await s.set('ended', sessionData(60_000, { n: 0 }));
    await s.destroy('ended');
    await s.set('reused', sessionData(60_000, { n: 0 }));
    await s.destroy('reused');
    savesSent();
    const [first, ended, live, reused] = await Promise.all([
      s.set('first', sessionData(60_000, { n: 1 })),
      s.set('ended', sessionData(60_000, { n: 2 })),
      s.set('live', sessionData(60_000, { n: 3 })),
      s.set('reused', { n: 4 } as never),
    ]);
    expect(savesSent().filter((text) => MULTI_ROW.test(text)).length).toBeGreaterThan(0);
    expect([first, ended, live, reused].map((row) => row.get('sid'))).toEqual(['first', 'ended', 'live', 'reused']);
    expect(await s.get('ended')).toBeNull();
    expect(await s.get('live')).toMatchObject({ n: 3 });
    expect(await s.get('reused')).toEqual({ n: 4 });
    expect((await rowsOf(s)).ended!.data).toBeNull();
  });

  test('a storm of touches and saves over shared sids leaves each row at its last acknowledged write', async () => {
    const s = await store({ groupCommit: true });
    const sids = Array.from({ length: 10 }, (_, i) => `mixed-${i}`);
    const base = Math.ceil(Date.now() / 1000) * 1000 + 60_000;
    await seed(s, sids, base);
    savesSent();
    const lastWrite = new Map<string, number>(); // the expiry of the last acknowledged touch or save
    const lastSave = new Map<string, number>(); // the n of the last acknowledged save
    let random = 11;
    const next = (n: number): number => (random = (random * 48271) % 2147483647) % n;
    let n = 0;
    for (let wave = 0; wave < 4; wave += 1) {
      const writes = Array.from({ length: 100 }, () => {
        const sid = sids[next(sids.length)]!;
        const at = base + 5_000 * (1 + next(40)); // two writes of one sid differ by 5 s or not at all
        if (next(3) > 0) return s.touch(sid, expiringAt(at)).then(() => lastWrite.set(sid, at));
        const saving = (n += 1);
        return s.set(sid, { ...expiringAt(at), n: saving }).then(() => {
          lastWrite.set(sid, at);
          lastSave.set(sid, saving);
        });
      });
      await Promise.all(writes);
    }
    expect(savesSent().filter((text) => MULTI_ROW.test(text)).length).toBeGreaterThan(0);
    const rows = await rowsOf(s);
    for (const [sid, at] of lastWrite) expect([sid, second(rows[sid]!.expires)]).toEqual([sid, at / 1000]);
    for (const [sid, saving] of lastSave) expect([sid, (await s.get(sid))?.n]).toEqual([sid, saving]);
  });

  (backend.name === 'postgres' ? test : test.skip)(
    'a sid column that is not text (uuid) keeps one statement per touch on PostgreSQL',
    async () => {
      const table = uniqueTable('gcuuid');
      const model = db.define(
        table,
        { sid: { type: DataTypes.UUID, primaryKey: true }, expires: DataTypes.DATE, data: DataTypes.TEXT },
        { tableName: table },
      );
      const s = await store({ groupCommit: true, table: model });
      const sids = Array.from({ length: 4 }, () => randomUUID());
      await seed(s, sids, Date.now() + 60_000);
      const at = Math.ceil(Date.now() / 1000) * 1000 + 300_000;
      await Promise.all(sids.map((sid) => s.touch(sid, expiringAt(at))));
      const sent = touchesSent();
      expect(sent).toHaveLength(4);
      const rows = await rowsOf(s);
      for (const sid of sids) expect(second(rows[sid]!.expires)).toBe(at / 1000);
    },
  );

  test('a database error inside a batch reaches each of its callers', async () => {
    const s = await store({ groupCommit: true, retries: 0 });
    const sids = Array.from({ length: 6 }, (_, i) => `fail-${i}`);
    await seed(s, sids, Date.now() + 60_000);
    const at = Date.now() + 300_000;
    const other = openDb(backend, backend.name === 'sqlite' ? { storage } : {});
    try {
      let release: () => Promise<unknown>;
      if (backend.name === 'sqlite') {
        // Another connection holds the file: every statement of the store fails with SQLITE_BUSY.
        await other.query('BEGIN EXCLUSIVE');
        release = () => other.query('ROLLBACK');
      } else {
        // The store's only connection is held while its table is dropped, so the touches all fail.
        const held = await db.transaction();
        await other.getQueryInterface().dropTable(s.sessionModel.getTableName());
        release = () => held.commit();
      }
      const outcomes = sids.map((sid) =>
        s.touch(sid, expiringAt(at)).then(
          () => undefined,
          (error: Error) => error,
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      await (backend.name === 'sqlite' ? Promise.resolve() : release());
      const errors = await Promise.all(outcomes);
      if (backend.name === 'sqlite') await release();
      // sqlite3's errors come from another realm: no instanceof.
      for (const error of errors) expect(error).toEqual(expect.objectContaining({ message: expect.any(String) }));
      const batched = errors.slice(1).map((error) => error!.message);
      expect(new Set(batched).size).toBe(1);
      if (backend.name !== 'sqlite') expect(touchesSent().filter((text) => BATCH.test(text))).toHaveLength(1);
    } finally {
      await other.close();
    }
  });
});
