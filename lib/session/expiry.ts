import type { SessionData } from 'express-session';
import { PREFIX } from '../messages';

/** The `ttl` option: how long a stored session lives, in milliseconds, whatever its cookie says. */
export type SessionTtl = number | ((session: SessionData) => number);

function lifetime(ttl: SessionTtl, session: SessionData): number {
  if (typeof ttl === 'number') return ttl;
  const ms = ttl(session);
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw new TypeError(
      `${PREFIX} the \`ttl\` function must return a number of milliseconds, 0 or more, returned ${String(ms)}`,
    );
  }
  return ms;
}

/**
 * When a session expires: `ttl` from now when it is set; else its cookie's `expires` (a Date, or
 * an ISO string once it went through JSON), else `expiration` milliseconds from now, the lifetime
 * of a browser-session cookie.
 */
export function expiryOf(session: SessionData, expiration: number, ttl?: SessionTtl, now = Date.now()): Date {
  if (ttl !== undefined) return new Date(now + lifetime(ttl, session));
  return cookieExpiry(session) ?? new Date(now + expiration);
}

/** The cookie's own expiry (a Date, or an ISO string once it went through JSON), if it has one. */
export function cookieExpiry(session: SessionData): Date | undefined {
  const expires: unknown = session.cookie?.expires;
  if (expires instanceof Date || typeof expires === 'string' || typeof expires === 'number') {
    const at = new Date(expires);
    if (!Number.isNaN(at.getTime())) return at;
  }
  return undefined;
}

/**
 * How long a logout's tombstone lasts: it must outlive any save under way, so as long as a new
 * session could live (the row's own expiry, when later, is kept by the destroy statement).
 */
export function tombstoneExpiry(now: Date, expiration: number, ttl: SessionTtl | undefined): Date {
  const lifetime = typeof ttl === 'number' ? Math.max(ttl, expiration) : expiration;
  return new Date(now.getTime() + lifetime);
}

/**
 * Touch throttling. `get` already reads the stored expiry, so the store remembers it until the
 * same request's `touch`; that touch is skipped when it would move the expiry forward by less than
 * `touchAfter`. The memory is per process and bounded: a touch with nothing remembered writes.
 */
export class TouchThrottle {
  readonly #stored = new Map<string, number>();

  constructor(
    private readonly touchAfterMs: number,
    private readonly capacity = 10_000,
  ) {}

  get enabled(): boolean {
    return this.touchAfterMs > 0;
  }

  /** Notes the expiry `get` found stored for a sid. */
  remember(sid: string, storedExpires: unknown): void {
    const at = storedExpires instanceof Date ? storedExpires.getTime() : new Date(storedExpires as string).getTime();
    if (Number.isNaN(at)) return;
    if (this.#stored.size >= this.capacity) {
      // Forget the oldest note; its touch will simply write.
      const oldest = this.#stored.keys().next();
      if (!oldest.done) this.#stored.delete(oldest.value);
    }
    this.#stored.delete(sid);
    this.#stored.set(sid, at);
  }

  forget(sid: string): void {
    this.#stored.delete(sid);
  }

  /** True when writing `expires` can be skipped; consumes the note either way. */
  canSkip(sid: string, expires: Date): boolean {
    const stored = this.#stored.get(sid);
    if (stored === undefined) return false;
    this.#stored.delete(sid);
    const gain = expires.getTime() - stored;
    return gain >= 0 && gain < this.touchAfterMs;
  }
}
