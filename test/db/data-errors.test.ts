import { DataTypes } from 'sequelize';
import { availableBackends, uniqueTable } from '../support/backends';
import { rowsOf, sessionData, SequelizeStore, useBackend } from '../support/stores';

describe.each(availableBackends())('bad data on $name', (backend) => {
  const ctx = useBackend(backend);

  test('a session that cannot be serialized is an error to the caller and changes nothing', async () => {
    const store = await ctx.store();
    await store.set('s', sessionData(60_000, { n: 1 }));
    const circular = sessionData(60_000, { n: 2 });
    circular.self = circular;
    await expect(store.set('s', circular)).rejects.toThrow(/session sid#[0-9a-f]{8} cannot be serialized: .*circular/i);
    await expect(store.set('t', circular)).rejects.toThrow(TypeError);
    expect(Object.keys(await rowsOf(store))).toEqual(['s']);
    expect((await store.get('s'))?.n).toBe(1);
  });

  test('a session that is not an object is refused', async () => {
    const store = await ctx.store();
    await expect(store.set('s', null as never)).rejects.toThrow(/session sid#[0-9a-f]{8} must be an object/);
    await expect(store.set('s', 'text' as never)).rejects.toThrow(/session sid#[0-9a-f]{8} must be an object/);
    expect(await rowsOf(store)).toEqual({});
  });

  test('a session too large for its column is an error, never truncated', async () => {
    const table = uniqueTable('small');
    const Small = ctx.db.define(
      table,
      {
        sid: { type: DataTypes.STRING(64), primaryKey: true },
        expires: DataTypes.DATE,
        data: DataTypes.STRING(1000),
      },
      { tableName: table },
    );
    await Small.sync();
    ctx.dropLater(Small);
    const store = new SequelizeStore({ db: ctx.db, table: Small, checkExpirationInterval: 0 });
    await store.set('s', sessionData(60_000, { note: 'small' }));
    const big = sessionData(60_000, { note: 'x'.repeat(2000) });

    if (backend.name === 'sqlite') {
      // SQLite does not enforce declared lengths: the whole session is kept.
      await store.set('s', big);
      expect((await store.get('s'))?.note).toBe('x'.repeat(2000));
    } else {
      await expect(store.set('s', big)).rejects.toThrow(
        /session sid#[0-9a-f]{8} is \d+ characters; its data column holds 1000/,
      );
      expect((await store.get('s'))?.note).toBe('small');
      await expect(store.set('x'.repeat(65), sessionData())).rejects.toThrow(
        /session id is 65 characters; its column holds 64/,
      );
      expect(Object.keys(await rowsOf(store))).toEqual(['s']);
    }
  });

  test('extendDefaultFields must return an object', async () => {
    const store = await ctx.store({ extendDefaultFields: () => null as never });
    await expect(store.set('s', sessionData())).rejects.toThrow(/extendDefaultFields must return an object/);
    expect(await rowsOf(store)).toEqual({});
  });

  describe('a stored row that is not a JSON object', () => {
    const corrupt = ['garbage{', '[1,2]', 'null', '"text"', '42'];

    async function storeWithCorruptRows(options = {}) {
      const store = await ctx.store(options);
      const expires = new Date(Date.now() + 60_000);
      await store.sessionModel.bulkCreate(corrupt.map((data, i) => ({ sid: `bad-${i}`, data, expires })));
      await store.set('good', sessionData(60_000, { ok: true }));
      return store;
    }

    test('is no session plus an error event', async () => {
      const store = await storeWithCorruptRows();
      const errors: Error[] = [];
      store.on('error', (error: Error) => errors.push(error));
      for (let i = 0; i < corrupt.length; i += 1) expect(await store.get(`bad-${i}`)).toBeNull();
      expect(errors).toHaveLength(corrupt.length);
      expect(errors[0]!.name).toBe('CorruptSessionError');
      expect(errors[0]!.message).toMatch(/stored session sid#[0-9a-f]{8} is unreadable \(data is not JSON\)/);
      expect(errors[1]!.message).toMatch(/sid#[0-9a-f]{8} is unreadable \(data is not a JSON object\)/);

      const all = await store.all();
      expect(all.map((s) => s.id)).toEqual(['good']);
      expect(errors).toHaveLength(corrupt.length * 2);
      expect((await store.get('good'))?.ok).toBe(true);
    });

    test('goes to the logger when nobody listens for errors, and never throws', async () => {
      const warnings: string[] = [];
      const store = await storeWithCorruptRows({ logger: { warn: (message: string) => warnings.push(message) } });
      expect(await store.get('bad-0')).toBeNull();
      expect(warnings).toEqual([
        expect.stringMatching(/^sequelize-session-store: stored session sid#[0-9a-f]{8} is unreadable/),
      ]);
    });

    test('is silent with logger: false', async () => {
      const store = await storeWithCorruptRows({ logger: false });
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
      try {
        expect(await store.get('bad-0')).toBeNull();
        expect(warn).not.toHaveBeenCalled();
      } finally {
        warn.mockRestore();
      }
    });
  });
});
