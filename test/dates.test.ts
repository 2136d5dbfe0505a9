import fc from 'fast-check';
import { DataTypes, Sequelize } from 'sequelize';
import { clockFormatter, dateFormatter } from '../lib/dates';

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
});
