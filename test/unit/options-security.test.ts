import { Sequelize } from 'sequelize';
import { sqliteFile } from '../support/backends';
import { SequelizeStore, type StoreOptions } from '../support/stores';

describe('the security options are checked when the store is built', () => {
  let db: Sequelize;
  beforeAll(() => {
    db = new Sequelize({ dialect: 'sqlite', storage: sqliteFile(), logging: false });
  });
  afterAll(() => db.close());

  const adapter = { encrypt: (text: string) => text, decrypt: (text: string) => text };
  const bad: [string, Record<string, unknown>, RegExp][] = [
    [
      'an empty secret',
      { secret: '' },
      /option `secret` must be a non-empty string or a non-empty array of them, received ""/,
    ],
    ['an empty list of secrets', { secret: [] }, /option `secret` must be .*, received an array/],
    ['a list with a non-string secret', { secret: ['ok', 42] }, /option `secret` must be .*, received an array/],
    ['a numeric secret', { secret: 42 }, /option `secret` must be .*, received 42/],
    [
      'a cipher without authentication',
      { secret: 's', algorithm: 'aes-256-cbc' },
      /option `algorithm` must be an authenticated \(AEAD\) cipher Node offers, such as 'aes-256-gcm' or 'chacha20-poly1305', received "aes-256-cbc"/,
    ],
    [
      'a stream cipher',
      { secret: 's', algorithm: 'aes-256-ctr' },
      /option `algorithm` must be an authenticated .*, received "aes-256-ctr"/,
    ],
    [
      'a plain ChaCha20',
      { secret: 's', algorithm: 'chacha20' },
      /option `algorithm` must be an authenticated .*, received "chacha20"/,
    ],
    [
      'an unknown cipher',
      { secret: 's', algorithm: 'rot13' },
      /option `algorithm` must be an authenticated .*, received "rot13"/,
    ],
    [
      'an algorithm without a secret',
      { algorithm: 'aes-256-gcm' },
      /option `algorithm` must be used with `secret`, received "aes-256-gcm"/,
    ],
    [
      'an adapter without decrypt',
      { encryption: { encrypt: adapter.encrypt } },
      /option `encryption` must be an object with encrypt and decrypt methods/,
    ],
    [
      'an adapter and a secret',
      { encryption: adapter, secret: 's' },
      /option `encryption` must be used without `secret` \(choose one\)/,
    ],
    [
      'a serializer without parse',
      { serializer: { stringify: JSON.stringify } },
      /option `serializer` must be an object with stringify and parse methods/,
    ],
    [
      'a non-boolean disablePlaintext',
      { secret: 's', disablePlaintext: 'yes' },
      /option `disablePlaintext` must be a boolean, received "yes"/,
    ],
    [
      'disablePlaintext without encryption',
      { disablePlaintext: true },
      /option `disablePlaintext` must be used with `secret` or `encryption`, received true/,
    ],
    [
      'allowPlaintext without encryption',
      { allowPlaintext: true },
      /option `allowPlaintext` must be used with `secret` or `encryption`, received true/,
    ],
    [
      'allowPlaintext with disablePlaintext',
      { secret: 's', allowPlaintext: true, disablePlaintext: true },
      /option `allowPlaintext` must be left out with `disablePlaintext: true`, received true/,
    ],
    ['an empty sidSecret', { sidSecret: '' }, /option `sidSecret` must be a non-empty string, received ""/],
    ['a zero maxSize', { maxSize: 0 }, /option `maxSize` must be a positive whole number of bytes, received 0/],
    [
      'a fractional maxSize',
      { maxSize: 1.5 },
      /option `maxSize` must be a positive whole number of bytes, received 1.5/,
    ],
    [
      'a maxSize in text',
      { maxSize: '64kb' },
      /option `maxSize` must be a positive whole number of bytes, received "64kb"/,
    ],
  ];

  test.each(bad)('%s is a TypeError naming the option and the value', (_, options, message) => {
    expect(() => new SequelizeStore({ db, ...options })).toThrow(TypeError);
    expect(() => new SequelizeStore({ db, ...options })).toThrow(message);
  });

  test('a secret never appears in an error message', () => {
    const attempts: StoreOptions[] = [
      { secret: ['hunter2-secret', ''] },
      { secret: 'hunter2-secret', algorithm: 'des' },
      { secret: 'hunter2-secret', encryption: adapter },
      { sidSecret: 'hunter2-secret', maxSize: -1 },
    ];
    for (const options of attempts) {
      let message = '';
      try {
        new SequelizeStore({ db, ...options });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^sequelize-session-store: option/);
      expect(message).not.toContain('hunter2');
    }
  });

  test.each([
    { secret: 'one' },
    { secret: ['new', 'old'], algorithm: 'chacha20-poly1305', disablePlaintext: true },
    { secret: 'upper', algorithm: 'AES-128-GCM' },
    { encryption: adapter, disablePlaintext: false },
    { serializer: { stringify: JSON.stringify, parse: JSON.parse }, sidSecret: 'ids', maxSize: 1024 },
  ])('accepts %p', (options) => {
    expect(() => new SequelizeStore({ db, checkExpirationInterval: 0, ...options })).not.toThrow();
  });
});
