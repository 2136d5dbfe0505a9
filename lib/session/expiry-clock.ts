import type { SessionData } from 'express-session';
import { cookieExpiry, expiryOf, type SessionTtl } from './expiry';

/** How far ahead of the clock a run of nudges may carry one session's expiry. */
const MAX_NUDGE_MS = 1000;

/** What the clock handed out for a session: when, the expiry as computed, and as moved on. */
interface Handed {
  at: number;
  computed: number;
  handed: number;
}

/**
 * Expiries that come from the clock (`ttl`, or no cookie expiry) for one session, strictly later
 * at each write. A save and the touch right after it can fall in one millisecond, and would then
 * store the same expiry: the touch would not move it (connect-session-sequelize's own suite checks
 * that it does). So a write in the same millisecond is moved a millisecond past the last one, and
 * the clock remembers a session until its own time has caught up with the nudges: memory holds
 * the last millisecond's writes and the sessions still ahead of the clock, at most a second ahead
 * (past a thousand writes a second to one session, expiries stop rising within a millisecond).
 */
export class ExpiryClock {
  #handed = new Map<string, Handed>();
  #millisecond = 0;

  /** When the session of `key` expires if written now. */
  expiryOf(key: string, session: SessionData, expiration: number, ttl: SessionTtl | undefined): Date {
    if (ttl === undefined) {
      const browsers = cookieExpiry(session);
      if (browsers) return browsers; // the browser's expiry, not the clock's
    }
    const now = Date.now();
    const at = expiryOf(session, expiration, ttl, now);
    if (now !== this.#millisecond) this.#forgetCaughtUp(now);
    const computed = at.getTime();
    const last = this.#handed.get(key);
    // Only a write computed no earlier than the last one is moved on: a shorter `ttl` really is
    // earlier. The last one, as computed then, is where the clock would put it now.
    const since = last === undefined ? 0 : now - last.at;
    const ms =
      last !== undefined && computed >= last.computed + since
        ? Math.min(Math.max(computed, last.handed + 1), computed + MAX_NUDGE_MS)
        : computed;
    this.#handed.set(key, { at: now, computed, handed: ms });
    return ms === computed ? at : new Date(ms);
  }

  /** A new millisecond: forget the sessions whose next write the clock alone puts later. */
  #forgetCaughtUp(now: number): void {
    this.#millisecond = now;
    for (const [key, last] of this.#handed) {
      if (now - last.at > last.handed - last.computed) this.#handed.delete(key);
    }
  }
}
