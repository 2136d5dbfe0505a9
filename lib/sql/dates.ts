import type { Model, ModelStatic } from 'sequelize';
import { mysql2KeepsZone, timezoneOf } from '../driver/internals';
import { isMySqlFamily } from './dialect';

interface DateType {
  stringify(value: Date, options: { timezone?: string }): string;
}

const OFFSET = /^([+-])(\d\d):(\d\d)$/;
const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * 'YYYY-MM-DD HH:MM:SS.mmm' of `value` shifted by `shiftMs`, then `suffix`. The date part comes
 * from toISOString once per day and the time part from arithmetic: a touch formats three instants,
 * and toISOString for each is costly (figures in bench/RESULTS.md). Most calls format "now", and many requests
 * share a millisecond: the last text is kept too.
 */
export function clockFormatter(shiftMs: number, suffix: string): (value: Date) => string {
  const days = new Map<number, string>();
  let lastTime = NaN;
  let lastText = '';
  return (value) => {
    const time = value.getTime();
    if (time === lastTime) return lastText;
    const shifted = time + shiftMs;
    const day = Math.floor(shifted / DAY_MS);
    let date = days.get(day);
    if (date === undefined) {
      if (days.size >= 16) days.clear(); // today, tomorrow and the expiries of a few cookie lengths
      date = `${new Date(day * DAY_MS).toISOString().slice(0, 10)} `;
      days.set(day, date);
    }
    let rest = shifted - day * DAY_MS;
    const hours = Math.floor(rest / 3_600_000);
    rest -= hours * 3_600_000;
    const minutes = Math.floor(rest / 60_000);
    rest -= minutes * 60_000;
    const seconds = Math.floor(rest / 1000);
    const millis = rest - seconds * 1000;
    lastTime = time;
    lastText = `${date}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[millis]}${suffix}`;
    return lastText;
  };
}

/**
 * Formats a date exactly as Sequelize writes it to the model's expires column, without Sequelize's
 * per-call moment formatting on the hot path. The text matters: SQLite compares dates as text, so
 * ours must match what Sequelize (or connect-session-sequelize) already stored.
 */
export function dateFormatter(model: ModelStatic<Model>): (value: Date) => string {
  const sequelize = model.sequelize!;
  const timezone = timezoneOf(sequelize);
  const type = (model.getAttributes() as Record<string, { type?: unknown } | undefined>).expires?.type as
    DateType | undefined;
  const slow = (value: Date): string => (type ? type.stringify(value, { timezone }) : value.toISOString());

  const offset = OFFSET.exec(timezone);
  if (!offset) return slow; // a named time zone needs Sequelize's own conversion
  const shiftMs = (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) * 60_000;
  const suffix = isMySqlFamily(sequelize.getDialect()) ? '' : ` ${timezone}`;
  const fast = clockFormatter(shiftMs, suffix);
  // Trust the fast path only where it writes what Sequelize writes (MySQL's plain DATETIME drops
  // the milliseconds, which the server does for us).
  const probe = new Date(Date.UTC(2001, 1, 3, 4, 5, 6, 789));
  const expected = slow(probe);
  return fast(probe) === expected || fast(probe).startsWith(`${expected}.`) ? fast : slow;
}

/** A date as the hot statements pass it: the text Sequelize writes, or a Date the driver encodes. */
export type DateParameter = string | Date;

/**
 * How the hot statements pass a date. mysql2 sends a Date as a binary DATETIME, which the server
 * reads without parsing text: text dates cost the server parsing, and the client their formatting
 * and longer packets. Where
 * mysql2 would not convert as Sequelize does, and on every other driver, the text Sequelize writes.
 */
export function dateParameter(model: ModelStatic<Model>): (value: Date) => DateParameter {
  const sequelize = model.sequelize!;
  const binary = sequelize.getDialect() === 'mysql' && mysql2KeepsZone(sequelize);
  return binary ? (value) => value : dateFormatter(model);
}
