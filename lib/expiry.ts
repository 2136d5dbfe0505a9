import type { SessionData } from 'express-session';

/**
 * When a session expires: its cookie's `expires` (a Date, or an ISO string once it went through
 * JSON), else `expiration` milliseconds from now, the lifetime of a browser-session cookie.
 */
export function expiryOf(session: SessionData, expiration: number, now = Date.now()): Date {
  const expires: unknown = session.cookie?.expires;
  if (expires instanceof Date || typeof expires === 'string' || typeof expires === 'number') {
    const at = new Date(expires);
    if (!Number.isNaN(at.getTime())) return at;
  }
  return new Date(now + expiration);
}
