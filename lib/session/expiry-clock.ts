import type { SessionData } from 'express-session';
import { cookieExpiry, expiryOf, type SessionTtl } from './expiry';

/** What the clock handed out for a session: the expiry as computed, and as moved on. */
interface Handed {
  computed: number;
  handed: number;
}

/**
 * Expiries that come from the clock (`ttl`, or no cookie expiry) for one session, strictly later
 * at each write. A save and the touch right after it can fall in one millisecond, and would then
 * store the same expiry: the touch would not move it (connect-session-sequelize's own suite checks
 * that it does). The clock remembers what it handed out during the last two milliseconds only, so
 * memory stays small; a nudge is a millisecond per write of the session in the same burst.
 */
export class ExpiryClock {
  #current = new Map<string, Handed>();
  #previous = new Map<string, Handed>();
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
      // A new millisecond: keep what the last one handed out, forget the older (writes further
      // apart get later expiries from the clock itself, give or take a burst's few nudges).
      this.#previous = now - this.#millisecond === 1 ? this.#current : new Map<string, Handed>();
      this.#current = new Map();
      this.#millisecond = now;
    }
    const computed = at.getTime();
    const last = this.#current.get(key) ?? this.#previous.get(key);
    // Moved on past the last one unless it is computed earlier than the last was: a shorter `ttl`
    // really is earlier. Comparing what was computed, not what was handed out, keeps a run of
    // nudges (several writes a millisecond) increasing however far it has moved on.
    const ms = last !== undefined && computed >= last.computed ? Math.max(computed, last.handed + 1) : computed;
    this.#current.set(key, { computed, handed: ms });
    return ms === computed ? at : new Date(ms);
  }
}
