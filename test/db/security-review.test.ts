import crypto from 'node:crypto';
import session from 'express-session';
import { DataTypes, Op, type WhereOptions } from 'sequelize';
import { sqlScript } from '../../lib/cli/sql-command';
import { sequelizeRunner } from '../../lib/driver/sequelize-runner';
import { prepareStatements } from '../../lib/sql/hot-statements';
import { availableBackends, openDb, uniqueTable } from '../support/backends';
import { errorsOf, liveRowsOf, rowsOf, sameTable, SequelizeStore, sessionData, useBackend } from '../support/stores';

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

  describe('the MySQL CREATE TABLE and its index on expires (item 7)', () => {
    test('a table name holding `) ENGINE=` stays inside its quotes, and the table is created with its index', async () => {
      const name = `evil) ENGINE=InnoDB ${crypto.randomBytes(3).toString('hex')}`;
      // The sql command writes MySQL's DDL whatever the backend under test.
      expect(sqlScript('mysql', { tableName: name })).toContain(
        `CREATE TABLE IF NOT EXISTS \`${name}\` (\`sid\` VARCHAR(255) BINARY NOT NULL , \`expires\` DATETIME(3), ` +
          `\`data\` LONGTEXT, \`createdAt\` DATETIME NOT NULL, \`updatedAt\` DATETIME NOT NULL, ` +
          `PRIMARY KEY (\`sid\`), INDEX \`${name}_expires\` (\`expires\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;`,
      );
      const ledgerTable = uniqueTable('ledger');
      ctx.dropTableLater(name);
      ctx.dropTableLater(ledgerTable);
      const store = new SequelizeStore({ db: ctx.db, tableName: name, modelKey: name, checkExpirationInterval: 0 });
      await store.migrate({ ledgerTable }); // the create step runs createTableStatements
      await store.set('s', sessionData());
      expect(Object.keys(await rowsOf(store))).toEqual(['s']);
      const indexes = (await ctx.db.getQueryInterface().showIndex(name)) as { fields: { attribute: string }[] }[];
      expect(indexes.some((index) => index.fields.map((f) => f.attribute).join() === 'expires')).toBe(true);
    });
  });

  describe('passwords in log lines (item 3)', () => {
    test('a database URL in a reported error is logged with its password masked', async () => {
      const lines: string[] = [];
      const adapter = {
        encrypt: (text: string) => Buffer.from(text).toString('base64'),
        decrypt: (): string => {
          throw new Error('the key service at mysql://kms:s3cret-pw@kms.example/keys refused');
        },
      };
      const store = await ctx.store({ encryption: adapter, logger: { warn: (line: string) => lines.push(line) } });
      await store.set('s', sessionData());
      expect(await store.get('s')).toBeNull();
      expect(lines).toEqual([expect.stringContaining('mysql://kms:***@kms.example/keys refused')]);
      expect(lines.join()).not.toContain('s3cret-pw');
    });
  });

  describe('values through the portable runner, used by the mariadb dialect (item 12)', () => {
    test('the sid and the data are bound, never inlined in the SQL that Sequelize logs', async () => {
      const logged: string[] = [];
      const { storage } = (ctx.db as unknown as { options: { storage?: string } }).options; // SQLite: the same file
      const db = openDb(backend, { logging: (sql: string) => logged.push(sql), ...(storage ? { storage } : {}) });
      ctx.atEnd(() => db.close());
      const store = await ctx.store();
      const { statements } = prepareStatements(store.sessionModel);
      const runner = sequelizeRunner(db);
      const stamp = new Date().toISOString().replace('T', ' ').slice(0, 23);
      const upsert = statements.upsert(['data', 'expires'])!;
      await runner.run(upsert, {
        key: 'sid-never-logged',
        values: { data: JSON.stringify({ secret: 'data-never-logged' }), expires: '2999-01-01 00:00:00.000' },
        createdAt: stamp,
        updatedAt: stamp,
      });
      const row = await runner.first(statements.get, { key: 'sid-never-logged', now: stamp });
      expect(JSON.parse(String(row?.data))).toEqual({ secret: 'data-never-logged' });
      expect(logged.length).toBeGreaterThanOrEqual(2);
      expect(logged.join('\n')).not.toMatch(/sid-never-logged|data-never-logged/);
    });
  });

  describe('weak secrets, the salt and the key id (item 5)', () => {
    const LONG = 'a-long-random-secret-of-44-characters-abcdefg';

    test('a secret shorter than 32 characters is warned about through the logger, once per store', async () => {
      const lines: string[] = [];
      const logger = { warn: (line: string) => lines.push(line) };
      await ctx.store({ secret: ['short passphrase', LONG], logger });
      expect(lines).toEqual([expect.stringMatching(/a `secret` is shorter than 32 characters/)]);
      await ctx.store({ secret: LONG, logger });
      expect(lines).toHaveLength(1);
    });

    test("secretSalt makes the key, and so the key id, the deployment's own", async () => {
      const salted = await ctx.store({ secret: LONG, secretSalt: 'shop.example.com sessions' });
      await salted.set('s', sessionData(60_000, { user: 'ada' }));
      const unsalted = await ctx.store({ ...sameTable(salted), secret: LONG });
      const errors = errorsOf(unsalted);
      expect(await unsalted.get('s')).toBeNull();
      expect(errors).toHaveLength(1);
      const again = await ctx.store({ ...sameTable(salted), secret: LONG, secretSalt: 'shop.example.com sessions' });
      expect((await again.get('s'))?.user).toBe('ada');
      await unsalted.set('u', sessionData());
      const keyId = (data: unknown): string => String(data).split('.')[1]!;
      const rows = await rowsOf(salted);
      expect(keyId(rows.s!.data)).not.toBe(keyId(rows.u!.data));
      expect(() => new SequelizeStore({ db: ctx.db, secretSalt: 'x', checkExpirationInterval: 0 })).toThrow(
        /option `secretSalt` must be used with `secret`/,
      );
    });

    test('a wrong key is reported without the key id of the row', async () => {
      const store = await ctx.store({ secret: LONG });
      await store.set('s', sessionData());
      const keyId = String((await rowsOf(store)).s!.data).split('.')[1]!;
      expect(keyId).toMatch(/^[0-9a-f]{8}$/);
      const other = await ctx.store({ ...sameTable(store), secret: `${LONG}-other` });
      const errors = errorsOf(other);
      expect(await other.get('s')).toBeNull();
      expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/a key none of the secrets derives/)]);
      expect(errors[0]!.message).not.toContain(keyId);
    });
  });

  describe('the size of a row read (reads)', () => {
    test('a stored row over maxSize is refused with an error, not parsed', async () => {
      const store = await ctx.store({ maxSize: 300 });
      await store.set('s', sessionData());
      const big = JSON.stringify(sessionData(60_000, { padding: 'x'.repeat(5_000) }));
      await store.sessionModel.update({ data: big }, { where: { sid: 's' } });
      const errors = errorsOf(store);
      expect(await store.get('s')).toBeNull();
      expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/bytes, over maxSize 300/)]);
    });
  });

  describe('control characters in names that enter generated SQL (item 6)', () => {
    const hostile = ['Sessions\n-- DROP TABLE users', 'Sessions\u0000', 'Sessions\u007f', 'Ses\tsions'];

    test.each(hostile)('tableName and modelKey %j are refused when the store is built', (name) => {
      expect(() => new SequelizeStore({ db: ctx.db, tableName: name, checkExpirationInterval: 0 })).toThrow(
        /option `tableName` must be a name without control characters/,
      );
      expect(() => new SequelizeStore({ db: ctx.db, modelKey: name, checkExpirationInterval: 0 })).toThrow(
        /option `modelKey` must be a name without control characters/,
      );
    });

    test('a model of your own whose table or column name holds a newline is refused with a TypeError', () => {
      const columns = {
        sid: { type: DataTypes.STRING, primaryKey: true },
        expires: DataTypes.DATE,
        data: DataTypes.TEXT,
      };
      const table = ctx.db.define('HostileTable', columns, { tableName: 'hostile\nname' });
      expect(() => new SequelizeStore({ table, checkExpirationInterval: 0 })).toThrow(TypeError);
      expect(() => new SequelizeStore({ table, checkExpirationInterval: 0 })).toThrow(
        /table name .* control character/,
      );
      const column = ctx.db.define(
        'HostileColumn',
        { ...columns, data: { type: DataTypes.TEXT, field: 'data\r\nx' } },
        { tableName: 'hostile_column' },
      );
      expect(() => new SequelizeStore({ table: column, checkExpirationInterval: 0 })).toThrow(
        /column name of `data` "data\\r\\nx" holds a control character/,
      );
    });

    test('a ledger table with a control character is refused before anything is created', async () => {
      const store = await ctx.store();
      await expect(store.migrate({ ledgerTable: 'ledger\u0000' })).rejects.toThrow(
        /ledger table "ledger\\u0000" holds a control character/,
      );
    });
  });
});
