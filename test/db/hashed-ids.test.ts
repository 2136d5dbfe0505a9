import crypto from 'node:crypto';
import { availableBackends } from '../support/backends';
import {
  connectSessionSequelizeTable,
  errorsOf,
  liveRowsOf,
  rowsOf,
  sameTable,
  sessionData,
  SequelizeStore,
  tagOf,
  useBackend,
} from '../support/stores';

const SID_SECRET = 'sid hashing secret';
const hashOf = (sid: string, secret = SID_SECRET): string =>
  crypto.createHmac('sha256', secret).update(sid).digest('hex');

describe.each(availableBackends())('hashed session ids on $name', (backend) => {
  const ctx = useBackend(backend);

  test('rows are keyed by the HMAC-SHA-256 of the sid, and every operation works', async () => {
    const store = await ctx.store({ sidSecret: SID_SECRET });
    const cookie = 'Xy9-cookie-value_of-alice';
    await store.set(cookie, sessionData(60_000, { user: 'alice' }));
    await store.set('bob-sid', sessionData(60_000, { user: 'bob' }));

    const rows = await rowsOf(store);
    expect(Object.keys(rows).sort()).toEqual([hashOf(cookie), hashOf('bob-sid')].sort());
    expect(JSON.stringify(rows)).not.toContain(cookie);
    expect((await store.get(cookie))?.user).toBe('alice');
    expect(await store.get(hashOf(cookie))).toBeNull();

    const later = sessionData(600_000);
    await store.touch(cookie, later);
    expect(new Date((await rowsOf(store))[hashOf(cookie)]!.expires as string).getTime()).toBe(
      later.cookie.expires!.getTime(),
    );

    expect(await store.length()).toBe(2);
    const listed = await store.all();
    expect(listed.map((s) => s.id).sort()).toEqual([hashOf(cookie), hashOf('bob-sid')].sort());
    expect(listed.find((s) => s.id === hashOf('bob-sid'))?.user).toBe('bob');

    await store.destroy(cookie);
    expect(Object.keys(await liveRowsOf(store))).toEqual([hashOf('bob-sid')]);
    expect(await store.get(cookie)).toBeNull();
  });

  test('another sidSecret, or none, reaches none of the sessions', async () => {
    const store = await ctx.store({ sidSecret: SID_SECRET });
    await store.set('s', sessionData(60_000, { user: 'alice' }));
    const other = await ctx.store({ ...sameTable(store), sidSecret: 'another secret' });
    const unhashed = await ctx.store(sameTable(store));
    expect(await other.get('s')).toBeNull();
    expect(await unhashed.get('s')).toBeNull();
    await other.destroy('s');
    await unhashed.destroy('s');
    expect((await store.get('s'))?.user).toBe('alice');
  });

  test('with encryption too, the ciphertext is bound to the hashed row key and errors name the row, not the sid', async () => {
    const store = await ctx.store({ sidSecret: SID_SECRET, secret: 'data secret' });
    await store.set('admin-cookie', sessionData(60_000, { role: 'admin' }));
    await store.set('mallory-cookie', sessionData(60_000, { role: 'user' }));
    const rows = await rowsOf(store);
    await store.sessionModel.update(
      { data: rows[hashOf('admin-cookie')]!.data },
      { where: { sid: hashOf('mallory-cookie') } },
    );
    const errors = errorsOf(store);
    expect(await store.get('mallory-cookie')).toBeNull();
    expect((await store.get('admin-cookie'))?.role).toBe('admin');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain(`stored session ${tagOf(hashOf('mallory-cookie'))} is unreadable`);
    expect(errors[0]!.message).not.toContain('mallory-cookie');
  });

  test('the re-keying recipe of docs/security.md turns existing rows into hashed ones without logging anyone out', async () => {
    const secret = 'rekey data secret';
    const plain = await ctx.store({ secret });
    await plain.set('alice', sessionData(60_000, { user: 'alice' }));
    await plain.set('bob', sessionData(120_000, { user: 'bob' }));
    const hashed = await ctx.store({ ...sameTable(plain), sidSecret: SID_SECRET, secret });
    expect(await hashed.get('alice')).toBeNull();

    for (const { id, ...session } of await plain.all()) {
      await hashed.set(id, session);
      await plain.destroy(id);
    }

    // The plain rows are tombstones now, pruned when they expire.
    expect(Object.keys(await liveRowsOf(hashed)).sort()).toEqual([hashOf('alice'), hashOf('bob')].sort());
    expect(await hashed.get('alice')).toMatchObject({ user: 'alice' });
    expect(await hashed.get('bob')).toMatchObject({ user: 'bob' });
  });

  test('on connect-session-sequelize’s VARCHAR(36) sid column, set says why the hash does not fit', async () => {
    const Old = await connectSessionSequelizeTable(ctx);
    const store = new SequelizeStore({ db: ctx.db, table: Old, sidSecret: SID_SECRET, checkExpirationInterval: 0 });
    if (backend.name === 'sqlite') {
      // SQLite enforces no declared length: the whole hash is kept.
      await store.set('s', sessionData(60_000, { n: 1 }));
      expect((await store.get('s'))?.n).toBe(1);
      return;
    }
    await expect(store.set('s', sessionData())).rejects.toThrow(
      'sequelize-session-store: session id is stored as its 64-character HMAC-SHA-256 (option `sidSecret`), and its ' +
        'column holds 36: widen the sid column to at least 64 characters',
    );
    expect(await Old.count()).toBe(0);
  });
});
