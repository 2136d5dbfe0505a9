import session from 'express-session';
import { DataTypes, Sequelize } from 'sequelize';
import sequelizeSessionStore = require('../../lib');
import { resolveOptions } from '../../lib/options/resolve';
import { sqliteFile } from '../support/backends';

const SequelizeStore = sequelizeSessionStore(session.Store);

describe('options are checked when the store is built', () => {
  let db: Sequelize;
  beforeAll(() => {
    db = new Sequelize({ dialect: 'sqlite', storage: sqliteFile(), logging: false });
  });
  afterAll(() => db.close());

  const bad: [string, unknown, RegExp][] = [
    ['db', { not: 'sequelize' }, /option `db` must be a Sequelize instance, received an object \(Object\)/],
    ['table', 42, /option `table` must be a Sequelize model or the name of one, received 42/],
    ['modelKey', '', /option `modelKey` must be a non-empty string, received ""/],
    ['tableName', 7, /option `tableName` must be a non-empty string, received 7/],
    ['extendDefaultFields', 'userId', /option `extendDefaultFields` must be a function, received "userId"/],
    ['disableTouch', 'yes', /option `disableTouch` must be a boolean, received "yes"/],
    [
      'checkExpirationInterval',
      '15m',
      /option `checkExpirationInterval` must be a number of milliseconds or false, received "15m"/,
    ],
    [
      'checkExpirationInterval',
      2 ** 31,
      /option `checkExpirationInterval` must be at most 2147483647 ms, received 2147483648/,
    ],
    ['pruneBatchSize', 0, /option `pruneBatchSize` must be a whole number of rows from 1 to 1000000, received 0/],
    ['pruneBatchSize', 2.5, /option `pruneBatchSize` must be a whole number of rows from 1 to 1000000, received 2.5/],
    [
      'pruneBatchSize',
      '500 rows',
      /option `pruneBatchSize` must be a whole number of rows from 1 to 1000000, received "500 rows"/,
    ],
    ['expiration', '1d', /option `expiration` must be a positive number of milliseconds, received "1d"/],
    ['touchAfter', ' 60', /option `touchAfter` must be a number of seconds, 0 or more, received " 60"/],
    [
      'pruneBatchSize',
      2e6,
      /option `pruneBatchSize` must be a whole number of rows from 1 to 1000000, received 2000000/,
    ],
    ['onCleanupError', true, /option `onCleanupError` must be a function, received true/],
    ['expiration', 0, /option `expiration` must be a positive number of milliseconds, received 0/],
    ['expiration', NaN, /option `expiration` must be a positive number of milliseconds, received NaN/],
    [
      'ttl',
      0,
      /option `ttl` must be a positive number of milliseconds or a function \(session\) => milliseconds, received 0/,
    ],
    ['ttl', '1h', /option `ttl` must be a positive number of milliseconds or a function/],
    [
      'logger',
      console.log,
      /option `logger` must be an object with a warn\(message\) method, or false, received a function/,
    ],
    ['createTable', 'yes', /option `createTable` must be a boolean, received "yes"/],
    ['storedProcedures', 1, /option `storedProcedures` must be a boolean, received 1/],
    [
      'storedProcedures',
      true,
      /option `storedProcedures` must be false on sqlite \(it needs the mysql dialect\), received true/,
    ],
    ['dataType', 'xml', /option `dataType` must be "text" or "json", received "xml"/],
    ['retries', -1, /option `retries` must be a whole number from 0 to 100, received -1/],
    ['retries', 1.5, /option `retries` must be a whole number from 0 to 100, received 1.5/],
    [
      'operationTimeout',
      '10s',
      /option `operationTimeout` must be a number of milliseconds from 0 \(no bound\) to 2147483647, received "10s"/,
    ],
    [
      'operationTimeout',
      -1,
      /option `operationTimeout` must be a number of milliseconds from 0 \(no bound\) to 2147483647, received -1/,
    ],
    ['disableConnectionEvents', 1, /option `disableConnectionEvents` must be a boolean, received 1/],
  ];

  test.each(bad)('a bad %s is a TypeError naming the option and the value', (name, value, message) => {
    expect(() => new SequelizeStore({ db, [name]: value })).toThrow(TypeError);
    expect(() => new SequelizeStore({ db, [name]: value })).toThrow(message);
  });

  // Issue 17 changed this: connect-session-sequelize ignores unknown keys, so a config that worked
  // there must start here. It was a TypeError; it is now a warning naming the closest option.
  test('an unknown option is a warning through the logger naming the closest known one, not a throw', () => {
    const warn = jest.fn();
    const store = new SequelizeStore({ db, expirationn: 5, checkExpirationInterval: 0, logger: { warn } } as never);
    expect(store.options.expiration).toBe(24 * 60 * 60 * 1000);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/unknown option `expirationn` is ignored; did you mean `expiration`\?/);
    new SequelizeStore({ db, DisableTouch: true, checkExpirationInterval: 0, logger: { warn } } as never);
    expect(warn.mock.calls[1]![0]).toMatch(/did you mean `disableTouch`\?/);
    expect(() => new SequelizeStore({ db, tabel: 'x', logger: false } as never).stopExpiringSessions()).not.toThrow();
  });

  test('numbers read from the environment as text are taken strictly: digits only', () => {
    const store = new SequelizeStore({
      db,
      checkExpirationInterval: '900000',
      expiration: '3600000',
      touchAfter: '60',
      pruneBatchSize: '500',
      retries: '2',
      operationTimeout: '5000',
      maxSize: '65536',
    } as never);
    store.stopExpiringSessions();
    const { checkExpirationInterval, expiration, touchAfter, pruneBatchSize, retries, operationTimeout, maxSize } =
      store.options;
    expect([
      checkExpirationInterval,
      expiration,
      touchAfter,
      pruneBatchSize,
      retries,
      operationTimeout,
      maxSize,
    ]).toEqual([900000, 3600000, 60, 500, 2, 5000, 65536]);
    expect(new SequelizeStore({ db, checkExpirationInterval: '-1' } as never).options.checkExpirationInterval).toBe(0);
    for (const text of ['15m', '1e6', '0x10', '', '900000 ']) {
      expect(() => new SequelizeStore({ db, checkExpirationInterval: text } as never)).toThrow(
        /option `checkExpirationInterval` must be a number of milliseconds or false, received/,
      );
    }
  });

  test('options that are not an object are refused', () => {
    expect(() => new SequelizeStore('db' as never)).toThrow(/options must be an object, received "db"/);
  });

  test('storedProcedures is refused without a MySQL db, and dataType with your own model', () => {
    expect(() => new SequelizeStore({ storedProcedures: true })).toThrow(/must be false on the embedded sqlite/);
    const Mine = db.define('JsonlessSession', {
      sid: { type: DataTypes.STRING, primaryKey: true },
      expires: DataTypes.DATE,
      data: DataTypes.TEXT,
    });
    expect(() => new SequelizeStore({ db, dataType: 'json', secret: 'k' })).toThrow(
      /option `dataType` must be "text" with `secret`, `encryption` or `serializer`, received "json"/,
    );
    expect(() => new SequelizeStore({ db, table: Mine, dataType: 'json' })).toThrow(
      /option `dataType` must be left out with `table` \(your model declares its data column\), received "json"/,
    );
  });

  test('a model name in `table` that db does not define is refused', () => {
    expect(() => new SequelizeStore({ db, table: 'Nope' })).toThrow(/`table` names "Nope", but db has no such model/);
  });

  test('a `table` model without the session attributes is refused', () => {
    const Thing = db.define('Thing', { name: DataTypes.STRING });
    expect(() => new SequelizeStore({ db, table: Thing })).toThrow(/lacks the attribute\(s\) sid, expires, data/);
  });

  test('an unrelated app model called Session is never overwritten by the default model', () => {
    const local = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
    const AppSession = local.define('Session', { title: DataTypes.STRING });
    expect(() => new SequelizeStore({ db: local, checkExpirationInterval: 0 })).toThrow(
      /already has a model named "Session"/,
    );
    expect(local.models.Session).toBe(AppSession);
    return local.close();
  });

  test('`table` wins over an unrelated model called Session', () => {
    const local = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
    local.define('Session', { title: DataTypes.STRING });
    const Mine = local.define('MySession', {
      sid: { type: DataTypes.STRING, primaryKey: true },
      expires: DataTypes.DATE,
      data: DataTypes.TEXT,
    });
    expect(new SequelizeStore({ db: local, table: 'MySession', checkExpirationInterval: 0 }).sessionModel).toBe(Mine);
    expect(new SequelizeStore({ db: local, table: Mine, checkExpirationInterval: 0 }).sessionModel).toBe(Mine);
    return local.close();
  });

  test('retries, operationTimeout and disableConnectionEvents default to 3, 10 s and false', () => {
    expect(resolveOptions({ db })).toMatchObject({
      retries: 3,
      operationTimeout: 10_000,
      disableConnectionEvents: false,
    });
    expect(resolveOptions({ db, retries: 0, operationTimeout: 0 })).toMatchObject({ retries: 0, operationTimeout: 0 });
  });

  test('the factory refuses something that is not a Store class', () => {
    expect(() => sequelizeSessionStore(undefined as never)).toThrow(/pass the Store class of express-session/);
  });
});
