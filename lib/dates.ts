import type { Model, ModelStatic } from 'sequelize';
import { isMySqlFamily } from './dialect';

interface DateType {
  stringify(value: Date, options: { timezone?: string }): string;
}

const OFFSET = /^([+-])(\d\d):(\d\d)$/;

/**
 * Formats a date exactly as Sequelize writes it to the model's expires column, without Sequelize's
 * per-call moment formatting on the hot path. The text matters: SQLite compares dates as text, so
 * ours must match what Sequelize (or connect-session-sequelize) already stored.
 */
export function dateFormatter(model: ModelStatic<Model>): (value: Date) => string {
  const sequelize = model.sequelize!;
  const timezone = (sequelize as unknown as { options: { timezone?: string } }).options.timezone ?? '+00:00';
  const type = (model.getAttributes() as Record<string, { type?: unknown } | undefined>).expires?.type as
    DateType | undefined;
  const slow = (value: Date): string => (type ? type.stringify(value, { timezone }) : value.toISOString());

  const offset = OFFSET.exec(timezone);
  if (!offset) return slow; // a named time zone needs Sequelize's own conversion
  const shiftMs = (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) * 60_000;
  const suffix = isMySqlFamily(sequelize.getDialect()) ? '' : ` ${timezone}`;
  // Most calls format "now", and many requests share a millisecond: the last text is kept.
  let lastTime = NaN;
  let lastText = '';
  const fast = (value: Date): string => {
    const time = value.getTime();
    if (time === lastTime) return lastText;
    const iso = new Date(time + shiftMs).toISOString();
    lastTime = time;
    lastText = `${iso.slice(0, 10)} ${iso.slice(11, 23)}${suffix}`;
    return lastText;
  };

  // Trust the fast path only where it writes what Sequelize writes (MySQL's plain DATETIME drops
  // the milliseconds, which the server does for us).
  const probe = new Date(Date.UTC(2001, 1, 3, 4, 5, 6, 789));
  const expected = slow(probe);
  return fast(probe) === expected || fast(probe).startsWith(`${expected}.`) ? fast : slow;
}
