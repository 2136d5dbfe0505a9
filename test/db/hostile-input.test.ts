import { availableBackends } from '../support/backends';
import {
  connectSessionSequelizeTable,
  liveRowsOf,
  rowsOf,
  sessionData,
  SequelizeStore,
  useBackend,
  type Store,
} from '../support/stores';

const expiresOf = async (store: Store, sid: string): Promise<number> =>
  new Date((await rowsOf(store))[sid]!.expires as string).getTime();

describe.each(availableBackends())('hostile session ids on $name', (backend) => {
  const ctx = useBackend(backend);
  const mysql = backend.name === 'mariadb';

  /** Every operation on `sid` rejects with `error`, and the rows stay as they were. */
  async function refusedEverywhere(store: Store, sid: unknown, error: RegExp): Promise<void> {
    const before = await rowsOf(store);
    const id = sid as string;
    await expect(store.get(id)).rejects.toThrow(error);
    await expect(store.set(id, sessionData(60_000, { intruder: true }))).rejects.toThrow(error);
    await expect(store.touch(id, sessionData(600_000))).rejects.toThrow(error);
    await expect(store.destroy(id)).rejects.toThrow(error);
    expect(await rowsOf(store)).toEqual(before);
  }

  test('a sid that is not a non-empty string is a TypeError on every operation', async () => {
    const store = await ctx.store();
    await store.set('good', sessionData(60_000, { n: 1 }));
    for (const sid of [undefined, null, 42, {}, ['good'], Buffer.from('good'), { toString: () => 'good' }, '']) {
      await refusedEverywhere(store, sid, /a session id must be a non-empty string, received/);
    }
    await expect(store.get('')).rejects.toThrow(TypeError);
    expect((await store.get('good'))?.n).toBe(1);
  });

  test('a sid with a NUL character or a lone surrogate is refused alike on every backend', async () => {
    const store = await ctx.store();
    // Where a lone surrogate would land once encoded as UTF-8, and what a NUL would be cut to.
    await store.set('a\uFFFD', sessionData(60_000, { who: 'replacement' }));
    await store.set('a', sessionData(60_000, { who: 'a' }));
    for (const sid of ['a\0', 'a\0b', '\0']) await refusedEverywhere(store, sid, /must not contain NUL characters/);
    for (const sid of ['a\uD800', 'a\uDC00', '\uDBFF', 'a\uDC00\uD800']) {
      await refusedEverywhere(store, sid, /must be well-formed Unicode \(it contains a lone surrogate\)/);
    }
    // A well-formed pair is an ordinary character.
    await store.set('a\uD83D\uDE00', sessionData(60_000, { who: 'emoji' }));
    expect((await store.get('a😀'))?.who).toBe('emoji');
    expect(Object.keys(await rowsOf(store)).sort()).toEqual(['a', 'a\uFFFD', 'a😀'].sort());
  });

  test('SQL metacharacters are ordinary characters of a sid', async () => {
    const store = await ctx.store();
    const sids = [
      "'",
      "a'; DROP TABLE sessions; --",
      "' OR '1'='1",
      '%',
      '_',
      'a%',
      '\\',
      '\\0',
      '"',
      '`',
      '$1',
      '?',
      ' leading',
      'a\nb',
      'a\tb',
      'é',
      'e\u0301',
      '\u2028',
    ];
    for (const [i, sid] of sids.entries()) await store.set(sid, sessionData(60_000, { i }));
    for (const [i, sid] of sids.entries()) expect((await store.get(sid))?.i).toBe(i);
    expect(Object.keys(await rowsOf(store)).sort()).toEqual([...sids].sort());

    await store.destroy('%');
    await store.destroy("' OR '1'='1");
    expect(Object.keys(await liveRowsOf(store))).toHaveLength(sids.length - 2);
    expect((await store.get('a%'))?.i).toBe(sids.indexOf('a%'));
    expect(await store.get('%')).toBeNull();
  });

  test('a sid longer than its column: set is a clear error, and no operation reaches the row it starts with', async () => {
    const store = await ctx.store();
    const prefix = 'x'.repeat(255);
    const long = `${prefix}y`;
    const saved = sessionData(60_000, { who: 'prefix' });
    await store.set(prefix, saved);

    if (backend.name === 'sqlite') {
      // SQLite enforces no declared length: the long sid is a session of its own.
      await store.set(long, sessionData(60_000, { who: 'long' }));
      expect((await store.get(long))?.who).toBe('long');
    } else {
      await expect(store.set(long, sessionData(60_000, { who: 'long' }))).rejects.toThrow(
        /session id is 256 characters; its column holds 255/,
      );
      expect(await store.get(long)).toBeNull();
      await store.touch(long, sessionData(600_000));
      await store.destroy(long);
    }
    expect((await store.get(prefix))?.who).toBe('prefix');
    expect(await expiresOf(store, prefix)).toBe(saved.cookie.expires!.getTime());
  });

  test('sids that merely collate alike (trailing space, case, accents) never reach each other’s rows', async () => {
    const store = await ctx.store();
    const saved = sessionData(60_000, { who: 'abc' });
    await store.set('abc', saved);

    // MySQL/MariaDB collations are PAD SPACE: 'abc ' = 'abc' in SQL, even in a binary collation.
    expect(await store.get('abc ')).toBeNull();
    await store.touch('abc ', sessionData(600_000));
    await store.destroy('abc ');
    expect(await expiresOf(store, 'abc')).toBe(saved.cookie.expires!.getTime());

    if (mysql) {
      await expect(store.set('abc ', sessionData(60_000, { who: 'space' }))).rejects.toThrow(
        /must not end with a space on MySQL\/MariaDB/,
      );
    } else {
      // 'abc ' is a sid of its own here, destroyed above: its tombstone refuses the save (logouts stick).
      await store.set('abc ', sessionData(60_000, { who: 'space' }));
      expect(await store.get('abc ')).toBeNull();
      expect((await rowsOf(store))['abc ']?.data).toBeNull();
    }
    for (const other of ['ABC', 'ábc', 'abc\t', ' abc']) {
      expect(await store.get(other)).toBeNull();
      await store.set(other, sessionData(60_000, { who: other }));
      expect((await store.get(other))?.who).toBe(other);
    }
    expect((await store.get('abc'))?.who).toBe('abc');
    expect(await expiresOf(store, 'abc')).toBe(saved.cookie.expires!.getTime());
    await store.destroy('ABC');
    expect((await store.get('abc'))?.who).toBe('abc');
  });

  test('on connect-session-sequelize’s table (case-insensitive on MySQL), a sid in another case never reaches the row', async () => {
    const Old = await connectSessionSequelizeTable(ctx);
    const store = new SequelizeStore({ db: ctx.db, table: Old, checkExpirationInterval: 0 });
    const saved = sessionData(60_000, { who: 'lower' });
    await store.set('abc', saved);
    const before = (await rowsOf(store)).abc!;

    expect(await store.get('ABC')).toBeNull();
    await store.touch('ABC', sessionData(600_000));
    await store.destroy('ABC');
    await store.set('ABC', sessionData(60_000, { who: 'upper' }));

    expect((await store.get('abc'))?.who).toBe('lower');
    expect((await rowsOf(store)).abc!.data).toBe(before.data);
    expect(await expiresOf(store, 'abc')).toBe(new Date(before.expires as string).getTime());
    // On MySQL 'ABC' and 'abc' are one primary key: the second session cannot be stored beside the
    // first. Elsewhere 'ABC' is a row of its own, destroyed above: its tombstone refuses the save.
    expect(await store.get('ABC')).toBeNull();
    if (!mysql) expect((await rowsOf(store)).ABC?.data).toBeNull();
  });
});

describe.each(availableBackends())('hostile session data on $name', (backend) => {
  const ctx = useBackend(backend);

  const pollution = (): boolean =>
    (({}) as Record<string, unknown>).polluted !== undefined || ({} as Record<string, unknown>).isAdmin !== undefined;

  test.each([
    ['plain JSON', {}],
    ['encrypted', { secret: 'proto-test-secret' }],
  ])(
    '`__proto__` keys are dropped and `constructor` keys come back as plain data, never as a prototype (%s)',
    async (_, options) => {
      const store = await ctx.store(options);
      // As body-parser would hand them over: JSON.parse makes `__proto__` an own property.
      const hostile = JSON.parse(
        '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}},' +
          ' "nested": {"__proto__": {"isAdmin": true}}, "list": [{"__proto__": {"isAdmin": true}}]}',
      ) as Record<string, unknown>;
      const session = { ...sessionData(60_000), ...hostile };
      await store.set('s', session);

      const back = (await store.get('s')) as Record<string, unknown>;
      const [listed] = (await store.all()) as unknown as Record<string, unknown>[];
      for (const read of [back, listed!]) {
        expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
        expect(Object.hasOwn(read, '__proto__')).toBe(false);
        expect(read.polluted).toBeUndefined();
        expect(read.constructor).toEqual({ prototype: { polluted: 'yes' } });
        expect((read.nested as Record<string, unknown>).isAdmin).toBeUndefined();
        expect(Object.getPrototypeOf(read.nested)).toBe(Object.prototype);
      }
      expect(pollution()).toBe(false);
      expect(back).toEqual(JSON.parse(JSON.stringify(session).replaceAll(/"__proto__":\{[^{}]*\},?/g, '')));
    },
  );

  test.each([
    ['plain JSON', {}],
    ['encrypted', { secret: 'unicode-test-secret' }],
  ])('lone surrogates and NUL characters in session data round-trip exactly (%s)', async (_, options) => {
    const store = await ctx.store(options);
    const data = {
      'key\0with nul': 'value\0with nul',
      lone: '\uD800 high, \uDC00 low, \uDC00\uD800 reversed',
      pair: 'a😀b',
      separators: '\u2028\u2029',
      nested: { '\uDFFF': ['\0', '\uD83D'] },
    };
    await store.set('s', sessionData(60_000, data));
    expect(await store.get('s')).toMatchObject(data);
    const row = String((await rowsOf(store)).s!.data);
    expect(row.includes('\0')).toBe(false);
    expect(/\p{Cs}/u.test(row)).toBe(false);
  });

  test('a session over maxSize is a RangeError counted in stored bytes, and the row keeps the last one that fit', async () => {
    const store = await ctx.store({ maxSize: 400 });
    await store.set('s', sessionData(60_000, { note: 'small' }));
    const characters = sessionData(60_000, { note: 'é'.repeat(150) });
    const text = JSON.stringify(characters);
    // Fewer characters than maxSize, more bytes: the bytes count.
    expect(text.length).toBeLessThan(400);
    expect(Buffer.byteLength(text)).toBeGreaterThan(400);
    await expect(store.set('s', characters)).rejects.toThrow(
      new RegExp(`session sid#[0-9a-f]{8} is ${Buffer.byteLength(text)} bytes stored; maxSize is 400`),
    );
    await expect(store.set('t', characters)).rejects.toThrow(RangeError);
    expect((await store.get('s'))?.note).toBe('small');
    expect(Object.keys(await rowsOf(store))).toEqual(['s']);
  });

  test('maxSize counts the encrypted text, which is what the column holds', async () => {
    const store = await ctx.store({ maxSize: 300, secret: 'size-secret' });
    const session = sessionData(60_000, { note: 'x'.repeat(120) });
    expect(Buffer.byteLength(JSON.stringify(session))).toBeLessThan(300);
    await expect(store.set('s', session)).rejects.toThrow(
      /session sid#[0-9a-f]{8} is \d+ bytes stored; maxSize is 300/,
    );
    expect(await rowsOf(store)).toEqual({});
  });

  test('a serializer whose text holds a NUL or a lone surrogate is refused before the database sees it', async () => {
    for (const bad of ['{"a":"\0"}', '{"a":"\uD800"}']) {
      const store = await ctx.store({
        serializer: { stringify: () => bad, parse: (text): unknown => JSON.parse(text) },
      });
      await expect(store.set('s', sessionData())).rejects.toThrow(
        /session sid#[0-9a-f]{8} serializes to text with a NUL character or a lone surrogate/,
      );
      expect(await rowsOf(store)).toEqual({});
    }
  });
});
