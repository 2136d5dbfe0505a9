import type { DateParameter } from './dates';
import type { TouchArgs } from './hot-statements';

/** A touch that moves the stored expiry by less than this writes nothing (see the touch statement). */
export const TOUCH_RESOLUTION_MS = 1000;

/** The arguments of a touch to `expiresAt`, with the bounds of the one-second rule. */
export function touchArgs(key: string, expiresAt: Date, date: (value: Date) => DateParameter): TouchArgs {
  const now = date(new Date());
  const at = expiresAt.getTime();
  const earliest = date(new Date(at - TOUCH_RESOLUTION_MS));
  const latest = date(new Date(at + TOUCH_RESOLUTION_MS));
  return { key, expires: date(expiresAt), updatedAt: now, now, earliest, latest };
}
