import fc from 'fast-check';
import { DataTypes, Sequelize, type Options } from 'sequelize';
import { clockFormatter, dateFormatter, dateParameter } from '../../lib/sql/dates';

const reference = (time: number, shiftMs: number, suffix: string): string => {
  const iso = new Date(time + shiftMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${suffix}`;
};

// Any instant from 1970 to 9999, in any offset Sequelize accepts.
const instants = fc.integer({ min: 0, max: Date.UTC(9999, 11, 30) });
const shifts = fc.integer({ min: -14 * 60, max: 14 * 60 }).map((minutes) => minutes * 60_000);

describe('the date formatter of the hot path', () => {
  test('writes what toISOString would, for any instant and offset, in any order of calls', () => {
    fc.assert(
      fc.property(fc.array(instants, { minLength: 1, maxLength: 20 }), shifts, (times, shiftMs) => {
        const format = clockFormatter(shiftMs, ' +00:00');
        for (const time of [...times, ...times.reverse()]) {
          expect(format(new Date(time))).toBe(reference(time, shiftMs, ' +00:00'));
        }
      }),
      { numRuns: 500 },
    );
  });

  test.each([
    ['mysql', '+00:00'],
    ['mysql', '+05:30'],
    ['postgres', '-08:00'],
    ['sqlite', '+00:00'],
  ] as const)('writes what Sequelize writes to a %s expires column in time zone %s', (dialect, timezone) => {
    const sequelize =
      dialect === 'sqlite'
        ? new Sequelize({ dialect, storage: ':memory:', logging: false })
        : new Sequelize({ dialect, timezone, logging: false });
    const model = sequelize.define('Session', {
      sid: { type: DataTypes.STRING, primaryKey: true },
      expires: DataTypes.DATE,
    });
    const format = dateFormatter(model);
    const sequelizes = (value: Date): string =>
      (model.getAttributes().expires!.type as unknown as { stringify(v: Date, o: object): string }).stringify(value, {
        timezone: dialect === 'sqlite' ? '+00:00' : timezone,
      });
    fc.assert(
      fc.property(instants, (time) => {
        const written = format(new Date(time));
        const expected = sequelizes(new Date(time));
        // MySQL's plain DATETIME type text has no milliseconds; the server drops ours.
        expect(written === expected || written.startsWith(`${expected}.`)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  describe('the date parameters of the hot statements', () => {
    const modelOn = (options: Options) =>
      new Sequelize({ logging: false, ...options }).define('Session', {
        sid: { type: DataTypes.STRING, primaryKey: true },
        expires: DataTypes.DATE,
      });
    const at = new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 678));

    test.each(['+00:00', '+05:30', '-08:00'])(
      'are Dates on MySQL in time zone %s: mysql2 sends them binary',
      (timezone) => {
        expect(dateParameter(modelOn({ dialect: 'mysql', timezone }))(at)).toBe(at);
      },
    );

    test.each([
      ['a named time zone, which mysql2 cannot apply', { dialect: 'mysql', timezone: 'Asia/Kolkata' }],
      ['a zone of its own for mysql2', { dialect: 'mysql', timezone: '+05:30', dialectOptions: { timezone: 'Z' } }],
      ['PostgreSQL', { dialect: 'postgres', timezone: '+05:30' }],
      ['SQLite', { dialect: 'sqlite', storage: ':memory:' }],
    ] as [string, Options][])('are the text Sequelize writes with %s', (_, options) => {
      const model = modelOn(options);
      expect(dateParameter(model)(at)).toBe(dateFormatter(model)(at));
      expect(typeof dateParameter(model)(at)).toBe('string');
    });
  });
});
