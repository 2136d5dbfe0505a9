import type { SessionData } from 'express-session';
import { cookieExpiry, expiryOf, type SessionTtl } from './expiry';

/** How close two expiries of one session must be to count as the same instant, read twice. */
const SAME_INSTANT_MS = 2;

/**
 * Expiries that come from the clock (`ttl`, or no cookie expiry) for one session, strictly later
 * at each write. A save and the touch right after it can fall in one millisecond, and would then
 * store the same expiry: the touch would not move it (connect-session-sequelize's own suite checks
 * that it does). The clock remembers what it handed out during the last two milliseconds only, so
 * memory stays small and a nudge never exceeds a few milliseconds.
 */
export class ExpiryClock {
  #current = new Map<string, number>();
  #previous = new Map<string, number>();
  #millisecond = 0;

  /** When the session of `key` expires if written now. */
  expiryOf(key: string, session: SessionData, expiration: number, ttl: SessionTtl | undefined): Date {
    if (ttl === undefined) {
      const browsers = cookieExpiry(session);
      if (browsers) return browsers; // the browser's expiry, not the clock's
    }
    const now = Date.now();
    const at = expiryOf(session, expiration, ttl, now);
    if (now !== this.#millisecond) {
      // A new millisecond: what was handed out two ago is behind the clock by now.
      this.#previous = now - this.#millisecond === 1 ? this.#current : new Map<string, number>();
      this.#current = new Map();
      this.#millisecond = now;
    }
    let ms = at.getTime();
    const last = this.#current.get(key) ?? this.#previous.get(key);
    // Only a repeat of the same instant is moved on: a shorter `ttl` really is earlier.
    if (last !== undefined && ms <= last && last - ms <= SAME_INSTANT_MS) ms = last + 1;
    this.#current.set(key, ms);
    return ms === at.getTime() ? at : new Date(ms);
  }
}
