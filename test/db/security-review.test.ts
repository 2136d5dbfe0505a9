import crypto from 'node:crypto';
import session from 'express-session';
import { Op, type WhereOptions } from 'sequelize';
import { availableBackends } from '../support/backends';
import { errorsOf, liveRowsOf, rowsOf, sameTable, sessionData, useBackend } from '../support/stores';

// Issue 18: what a security review of the store found, each proved closed on every backend.
describe.each(availableBackends())('security review on $name', (backend) => {
  const ctx = useBackend(backend);

  describe('plaintext rows once encryption is on (item 1)', () => {
    test('with a secret, a plaintext row written by someone with table access is no session, plus an error', async () => {
      const encrypted = await ctx.store({ secret: 'a long random secret for the review tests' });
      await encrypted.set('victim', sessionData(60_000, { role: 'user' }));
      // Whoever can write the table swaps the ciphertext for plain JSON of their choosing.
      await encrypted.sessionModel.update(
        { data: JSON.stringify(sessionData(60_000, { role: 'admin' })) },
        { where: { sid: 'victim' } },
      );
      const errors = errorsOf(encrypted);
      expect(await encrypted.get('victim')).toBeNull();
      expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/is unreadable \(not encrypted/)]);
    });

    test('with an encryption adapter, a plaintext row is refused too', async () => {
      const adapter = {
        encrypt: (text: string) => Buffer.from(text).toString('base64'),
        decrypt: (text: string) => Buffer.from(text, 'base64').toString(),
      };
      const plain = await ctx.store();
      await plain.set('old', sessionData(60_000, { role: 'admin' }));
      const store = await ctx.store({ ...sameTable(plain), encryption: adapter });
      const errors = errorsOf(store);
      expect(await store.get('old')).toBeNull();
      expect(errors).toHaveLength(1);
    });

    test('allowPlaintext: true keeps plaintext rows readable while a table is being encrypted', async () => {
      const plain = await ctx.store();
      await plain.set('old', sessionData(60_000, { user: 'ada' }));
      const migrating = await ctx.store({ ...sameTable(plain), secret: 'migrating-secret', allowPlaintext: true });
      expect((await migrating.get('old'))?.user).toBe('ada');
      await migrating.set('old', sessionData(60_000, { user: 'ada', saved: true }));
      expect(String((await rowsOf(migrating)).old!.data)).toMatch(/^sss1\./);
    });
  });

  describe('session ids in messages (item 4)', () => {
    const SID = 'bearer-credential-value-4711';
    const TAG = `sid#${crypto.createHash('sha256').update(SID).digest('hex').slice(0, 8)}`;

    async function messageOf(work: Promise<unknown>): Promise<string> {
      try {
        await work;
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('expected a rejection');
    }

    test('an unreadable row and a wrong key are reported by a short tag, never by the session id', async () => {
      const store = await ctx.store({ secret: 'the key of the tag tests' });
      await store.set(SID, sessionData());
      const other = await ctx.store({ ...sameTable(store), secret: 'another key of the tag tests' });
      const errors = errorsOf(other);
      expect(await other.get(SID)).toBeNull();
      await store.sessionModel.update({ data: 'garbage' }, { where: { sid: SID } });
      expect(await other.get(SID)).toBeNull();
      expect(errors).toHaveLength(2);
      for (const error of errors) {
        expect(error.message).toContain(TAG);
        expect(error.message).not.toContain(SID);
        expect(JSON.stringify(error)).not.toContain(SID);
      }
    });

    test('maxSize, serialization and shape refusals name the tag, never the session id', async () => {
      const store = await ctx.store({ maxSize: 200 });
      const circular: Record<string, unknown> = { ...sessionData() };
      circular.self = circular;
      const messages = [
        await messageOf(store.set(SID, sessionData(60_000, { big: 'x'.repeat(500) }))),
        await messageOf(store.set(SID, circular as never)),
        await messageOf(store.set(SID, 'not a session' as never)),
      ];
      for (const message of messages) {
        expect(message).toContain(TAG);
        expect(message).not.toContain(SID);
      }
    });
  });

  describe('destroyWhere and findWhere with an empty condition in disguise (item 8)', () => {
    const disguised: [string, WhereOptions][] = [
      ['an empty Op.and', { [Op.and]: [] }],
      ['an Op.and of an empty object', { [Op.and]: [{}] }],
      ['an Op.or of empty conditions', { [Op.or]: [{}, { [Op.and]: [] }] }],
      ['Op.and over an empty object, not an array', { [Op.and]: {} }],
    ];

    test.each(disguised)('%s is refused and deletes nothing', async (_name, where) => {
      const store = await ctx.store();
      await store.set('a', sessionData());
      await store.set('b', sessionData());
      await expect(store.destroyWhere(where)).rejects.toThrow(/destroyWhere needs a condition/);
      await expect(store.findWhere(where)).rejects.toThrow(/findWhere needs a condition/);
      expect(Object.keys(await rowsOf(store)).sort()).toEqual(['a', 'b']);
    });

    test('a real condition inside Op.and / Op.or still works', async () => {
      const store = await ctx.store();
      await store.set('a', sessionData());
      await store.set('b', sessionData());
      expect(await store.destroyWhere({ [Op.or]: [{}, { sid: 'a' }] })).toBe(1);
      expect(Object.keys(await liveRowsOf(store))).toEqual(['b']);
    });
  });

  describe('maxSize and extendDefaultFields (item 9)', () => {
    test('a data column replaced by extendDefaultFields is measured as written, and refused when too big', async () => {
      const store = await ctx.store({
        maxSize: 300,
        extendDefaultFields: (defaults) => ({
          ...defaults,
          data: JSON.stringify({ ...JSON.parse(defaults.data), padding: 'x'.repeat(10_000) }),
        }),
      });
      await expect(store.set('big', sessionData())).rejects.toThrow(/bytes stored; maxSize is 300/);
      expect(await rowsOf(store)).toEqual({});
    });
  });

  describe('`__proto__` keys in a stored row (item 11)', () => {
    test('are dropped when read, so express-session rebuilds the cookie with its own prototype', async () => {
      const store = await ctx.store();
      const stored = JSON.stringify(sessionData()).replace(
        '"cookie":{',
        '"cookie":{"__proto__":{"broken":true},"nested":{"__proto__":{"isAdmin":true}},',
      );
      await store.set('s', sessionData());
      await store.sessionModel.update({ data: stored }, { where: { sid: 's' } });
      const read = await store.get('s');
      expect(read).not.toBeNull();
      const cookie = read!.cookie as unknown as Record<string, unknown>;
      expect(Object.hasOwn(cookie, '__proto__')).toBe(false);
      expect(Object.hasOwn(cookie.nested as object, '__proto__')).toBe(false);

      const req = { sessionID: 's', sessionStore: store } as unknown as Parameters<typeof store.createSession>[0];
      const rebuilt = store.createSession(req, read!);
      expect(rebuilt.cookie).toBeInstanceOf(session.Cookie);
      expect(typeof (rebuilt.cookie as unknown as Record<string, unknown>).serialize).toBe('function'); // fails with a 500 when its prototype is replaced
    });
  });
});
