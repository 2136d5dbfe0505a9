import crypto from 'node:crypto';
import { availableBackends } from '../support/backends';
import { errorsOf, rowsOf, sameTable, sessionData, tagOf, useBackend, type Store } from '../support/stores';

const CIPHERTEXT = /^sss1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+$/;

const dataOf = async (store: Store, sid: string): Promise<string> => String((await rowsOf(store))[sid]!.data);
const keyIdOf = (data: string): string => data.split('.')[1]!;

describe.each(availableBackends())('encryption at rest on $name', (backend) => {
  const ctx = useBackend(backend);

  async function overwrite(store: Store, sid: string, data: string): Promise<void> {
    await store.sessionModel.update({ data }, { where: { sid } });
  }

  test('with a secret, the data column holds ciphertext and never the session', async () => {
    const store = await ctx.store({ secret: 'a long random secret' });
    const session = sessionData(60_000, { user: 'ada', note: 'the-plaintext-marker' });
    await store.set('s', session);
    const data = await dataOf(store, 's');
    expect(data).toMatch(CIPHERTEXT);
    expect(data).not.toContain('ada');
    expect(Buffer.from(data.split('.')[2]!, 'base64url').toString('latin1')).not.toContain('plaintext-marker');
    expect(await store.get('s')).toEqual(JSON.parse(JSON.stringify(session)));
    expect(await store.all()).toEqual([{ ...JSON.parse(JSON.stringify(session)), id: 's' }]);
  });

  test('every save draws a fresh IV: one session never encrypts to the same text twice', async () => {
    const store = await ctx.store({ secret: 'iv-secret' });
    const session = sessionData(60_000, { user: 'ada' });
    await store.set('a', session);
    const first = await dataOf(store, 'a');
    await store.set('a', session);
    await store.set('b', session);
    const texts = [first, await dataOf(store, 'a'), await dataOf(store, 'b')];
    expect(new Set(texts).size).toBe(3);
    expect(
      new Set(texts.map((text) => Buffer.from(text.split('.')[2]!, 'base64url').subarray(0, 12).toString('hex'))).size,
    ).toBe(3);
  });

  test.each(['aes-256-gcm', 'aes-128-gcm', 'aes-192-gcm', 'chacha20-poly1305', 'aes-256-ocb', 'aes-256-ccm'])(
    '%s encrypts and decrypts',
    async (algorithm) => {
      const store = await ctx.store({ secret: 'algorithm-secret', algorithm });
      await store.set('s', sessionData(60_000, { algorithm }));
      expect(await dataOf(store, 's')).toMatch(CIPHERTEXT);
      expect((await store.get('s'))?.algorithm).toBe(algorithm);
    },
  );

  test('rows written under one algorithm are unreadable under another, as under another secret', async () => {
    const store = await ctx.store({ secret: 'algorithm-secret' });
    await store.set('s', sessionData());
    const other = await ctx.store({ ...sameTable(store), secret: 'algorithm-secret', algorithm: 'chacha20-poly1305' });
    const errors = errorsOf(other);
    expect(await other.get('s')).toBeNull();
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/a key none of the secrets derives/)]);
  });

  test('keys rotate: the first secret encrypts, any decrypts, and a save re-encrypts with the first', async () => {
    const before = await ctx.store({ secret: 'old-secret' });
    await before.set('kept', sessionData(60_000, { n: 1 }));
    await before.set('left', sessionData(60_000, { n: 2 }));
    const oldKey = keyIdOf(await dataOf(before, 'kept'));

    const rotating = await ctx.store({ ...sameTable(before), secret: ['new-secret', 'old-secret'] });
    expect((await rotating.get('kept'))?.n).toBe(1);
    await rotating.set('kept', sessionData(60_000, { n: 3 }));
    const newKey = keyIdOf(await dataOf(rotating, 'kept'));
    expect(newKey).not.toBe(oldKey);
    expect(keyIdOf(await dataOf(rotating, 'left'))).toBe(oldKey);

    const after = await ctx.store({ ...sameTable(before), secret: 'new-secret' });
    const errors = errorsOf(after);
    expect((await after.get('kept'))?.n).toBe(3);
    expect(await after.get('left')).toBeNull();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe(
      `sequelize-session-store: stored session ${tagOf('left')} is unreadable (encrypted with a key none of ` +
        'the secrets derives (a wrong or retired secret)); treated as no session',
    );
  });

  test('allowPlaintext: turning encryption on keeps plaintext rows readable, and encrypts each on its next save', async () => {
    const plain = await ctx.store();
    await plain.set('old', sessionData(60_000, { user: 'ada' }));
    await plain.set('other', sessionData(60_000, { user: 'grace' }));

    const encrypting = await ctx.store({ ...sameTable(plain), secret: 'now-encrypted', allowPlaintext: true });
    expect((await encrypting.get('old'))?.user).toBe('ada');
    expect(await dataOf(encrypting, 'old')).toMatch(/^\{/);
    await encrypting.set('old', sessionData(60_000, { user: 'ada', visits: 2 }));
    expect(await dataOf(encrypting, 'old')).toMatch(CIPHERTEXT);
    expect(await dataOf(encrypting, 'other')).toMatch(/^\{/);
    expect((await encrypting.get('old'))?.visits).toBe(2);

    // A store without the secret cannot read it, and says why.
    const errors = errorsOf(plain);
    expect(await plain.get('old')).toBeNull();
    expect(errors[0]?.message).toMatch(
      /sid#[0-9a-f]{8} is unreadable \(encrypted with a `secret`, but the store has none\)/,
    );
  });

  test('disablePlaintext (now the default): a row that is not encrypted is no session, plus an error', async () => {
    const plain = await ctx.store();
    await plain.set('old', sessionData(60_000, { user: 'ada' }));
    const strict = await ctx.store({ ...sameTable(plain), secret: 'strict-secret', disablePlaintext: true });
    const errors = errorsOf(strict);
    expect(await strict.get('old')).toBeNull();
    expect(await strict.all()).toEqual([]);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /sid#[0-9a-f]{8} is unreadable \(not encrypted, and the store encrypts \(allowPlaintext is off\)\)/,
      ),
      expect.stringMatching(/sid#[0-9a-f]{8} is unreadable/),
    ]);
    await strict.set('old', sessionData(60_000, { user: 'ada', again: true }));
    expect((await strict.get('old'))?.again).toBe(true);
  });

  describe('a row that fails to decrypt or authenticate', () => {
    let store: Store;
    beforeAll(async () => {
      store = await ctx.store({ secret: 'tamper-secret' });
    });
    beforeEach(() => store.removeAllListeners('error'));

    const damaged: [string, (data: string) => string, RegExp][] = [
      [
        'one character changed',
        (d) => `${d.slice(0, 30)}${d[30] === 'A' ? 'B' : 'A'}${d.slice(31)}`,
        /fails authentication/,
      ],
      ['its tag cut off', (d) => d.slice(0, -8), /fails authentication/],
      ['cut to its IV', (d) => d.slice(0, 14 + 16), /truncated ciphertext/],
      ['cut to its header', (d) => d.slice(0, 14), /malformed ciphertext/],
      ['a key id that is not one', (d) => d.replace(/^sss1\.[0-9a-f]{8}/, 'sss1.zz'), /malformed ciphertext/],
      [
        'an unknown key id',
        (d) => d.replace(/^sss1\.[0-9a-f]{8}/, 'sss1.00000000'),
        /encrypted with a key none of the secrets derives/,
      ],
      ['garbage after the marker', () => 'sss1.not encrypted at all', /malformed ciphertext/],
    ];

    test.each(damaged)('is no session plus an error event when it has %s', async (_, damage, reason) => {
      await store.clear();
      await store.set('victim', sessionData(60_000, { role: 'user' }));
      await store.set('good', sessionData(60_000, { ok: true }));
      await overwrite(store, 'victim', damage(await dataOf(store, 'victim')));
      const errors = errorsOf(store);

      expect(await store.get('victim')).toBeNull();
      const calls: unknown[][] = [];
      await new Promise<void>((resolve) => {
        void store.get('victim', (...args: unknown[]) => {
          calls.push(args);
          resolve();
        });
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(calls).toEqual([[null, null]]);
      expect((await store.all()).map((s) => s.id)).toEqual(['good']);
      expect(errors).toHaveLength(3);
      expect(errors[0]!.name).toBe('CorruptSessionError');
      expect(errors[0]!.message).toMatch(reason);
      expect((await store.get('good'))?.ok).toBe(true);
    });

    test('is no session when only unused bits of its last base64 character changed (the bytes did not)', async () => {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      // Grow the session until the base64 text ends in a character with unused bits.
      let data = '';
      for (let pad = 0; data === '' || data.split('.')[2]!.length % 4 === 0; pad += 1) {
        await store.set('victim', sessionData(60_000, { pad: 'x'.repeat(pad) }));
        data = await dataOf(store, 'victim');
      }
      const last = alphabet.indexOf(data.at(-1)!);
      const variant = `${data.slice(0, -1)}${alphabet[last ^ 1]}`;
      expect(Buffer.from(variant.split('.')[2]!, 'base64url')).toEqual(Buffer.from(data.split('.')[2]!, 'base64url'));
      await overwrite(store, 'victim', variant);
      const errors = errorsOf(store);
      expect(await store.get('victim')).toBeNull();
      expect(errors[0]?.message).toMatch(/sid#[0-9a-f]{8} is unreadable \(malformed ciphertext\)/);
    });

    test('is no session when it was copied from another session’s row', async () => {
      await store.set('admin', sessionData(60_000, { role: 'admin' }));
      await store.set('mallory', sessionData(60_000, { role: 'user' }));
      await overwrite(store, 'mallory', await dataOf(store, 'admin'));
      const errors = errorsOf(store);
      expect(await store.get('mallory')).toBeNull();
      expect(errors[0]?.message).toMatch(/sid#[0-9a-f]{8} is unreadable \(ciphertext fails authentication/);
      expect((await store.get('admin'))?.role).toBe('admin');
    });

    test('goes to the logger when nobody listens for errors, and never throws', async () => {
      const warnings: string[] = [];
      const logged = await ctx.store({
        secret: 'logged-secret, long enough not to be warned about',
        logger: { warn: (message: string) => warnings.push(message) },
      });
      await logged.set('s', sessionData());
      await overwrite(logged, 's', (await dataOf(logged, 's')).slice(0, -4));
      expect(await logged.get('s')).toBeNull();
      expect(warnings).toEqual([
        expect.stringMatching(/^sequelize-session-store: stored session sid#[0-9a-f]{8} is unreadable/),
      ]);
    });
  });

  test('keys are derived once per store, never per request', async () => {
    const scrypt = jest.spyOn(crypto, 'scrypt');
    try {
      const store = await ctx.store({ secret: ['first-secret', 'second-secret'] });
      for (let i = 0; i < 10; i += 1) {
        await store.set(`s${i}`, sessionData(60_000, { i }));
        expect((await store.get(`s${i}`))?.i).toBe(i);
      }
      expect(scrypt).toHaveBeenCalledTimes(2);
    } finally {
      scrypt.mockRestore();
    }
  });

  describe('your own encryption adapter and serializer', () => {
    /** A stand-in for a KMS: AES-256-GCM under a key of its own, the sid bound as associated data. */
    function kms() {
      const key = crypto.randomBytes(32);
      const sids: string[] = [];
      return {
        sids,
        adapter: {
          async encrypt(text: string, sid: string): Promise<string> {
            sids.push(sid);
            const iv = crypto.randomBytes(12);
            const cipher = crypto.createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(sid));
            const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
            return JSON.stringify([iv, body, cipher.getAuthTag()].map((b) => b.toString('base64')));
          },
          async decrypt(text: string, sid: string): Promise<string> {
            const [iv, body, tag] = (JSON.parse(text) as string[]).map((b) => Buffer.from(b, 'base64'));
            const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv!).setAAD(Buffer.from(sid));
            decipher.setAuthTag(tag!);
            return Buffer.concat([decipher.update(body!), decipher.final()]).toString('utf8');
          },
        },
      };
    }

    test('encrypt what the serializer writes, and read it back through both', async () => {
      const { adapter, sids } = kms();
      const serializer = {
        stringify: (session: object) => `v1:${JSON.stringify(session)}`,
        parse: (text: string): unknown => JSON.parse(text.slice(3)),
      };
      const store = await ctx.store({ encryption: adapter, serializer });
      await store.set('s', sessionData(60_000, { user: 'ada' }));
      // The adapter's own output starts with '[': the marker keeps it apart from plaintext JSON.
      expect(await dataOf(store, 's')).toMatch(/^sss1\.x\.\["/);
      expect(sids).toEqual(['s']);
      expect((await store.get('s'))?.user).toBe('ada');

      const plain = await ctx.store({ ...sameTable(store), serializer });
      await plain.set('p', sessionData(60_000, { user: 'grace' }));
      expect(await dataOf(plain, 'p')).toMatch(/^v1:\{/);
      // A plaintext row is refused under encryption unless the migration window is open.
      expect(await store.get('p')).toBeNull();
      const migrating = await ctx.store({ ...sameTable(store), encryption: adapter, serializer, allowPlaintext: true });
      expect((await migrating.get('p'))?.user).toBe('grace');
    });

    test('a row the adapter refuses is no session plus an error; a row of the built-in cipher is refused by name', async () => {
      const { adapter } = kms();
      const store = await ctx.store({ encryption: adapter });
      await store.set('s', sessionData());
      const withSecret = await ctx.store({ ...sameTable(store), secret: 'built-in' });
      await withSecret.set('b', sessionData());
      await overwrite(store, 's', `sss1.x.${JSON.stringify(['AAAA', 'AAAA', 'AAAA'])}`);
      const errors = errorsOf(store);
      expect(await store.get('s')).toBeNull();
      expect(await store.get('b')).toBeNull();
      expect(errors.map((e) => e.message)).toEqual([
        expect.stringMatching(/sid#[0-9a-f]{8} is unreadable \(/),
        expect.stringMatching(/sid#[0-9a-f]{8} is unreadable \(encrypted with a `secret`, but the store has none\)/),
      ]);
      const otherErrors = errorsOf(withSecret);
      await withSecret.set('s', sessionData());
      await store.set('s', sessionData());
      expect(await withSecret.get('s')).toBeNull();
      expect(otherErrors[0]?.message).toMatch(/encrypted by an `encryption` adapter, but the store has none/);
    });

    test('an adapter that fails to encrypt is an error to the caller, and nothing is written', async () => {
      const store = await ctx.store({
        encryption: { encrypt: () => Promise.reject(new Error('KMS unavailable')), decrypt: (text: string) => text },
      });
      await expect(store.set('s', sessionData())).rejects.toThrow(
        /session sid#[0-9a-f]{8} cannot be encrypted: KMS unavailable/,
      );
      expect(await rowsOf(store)).toEqual({});
    });
  });
});
