import type { SessionData } from 'express-session';

/** A stored row that cannot be turned back into a session. */
export class CorruptSessionError extends Error {
  constructor(
    readonly sid: string,
    reason: string,
  ) {
    super(`sequelize-session-store: stored session ${JSON.stringify(sid)} is unreadable (${reason}); treated as no session`);
    this.name = 'CorruptSessionError';
  }
}

/** Turns a session into the text stored in the data column. */
export function encodeSession(sid: string, session: SessionData): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(session);
  } catch (error) {
    throw new TypeError(
      `sequelize-session-store: session ${JSON.stringify(sid)} cannot be serialized: ${(error as Error).message}`,
    );
  }
  if (text === undefined || text[0] !== '{') {
    throw new TypeError(`sequelize-session-store: session ${JSON.stringify(sid)} must be an object`);
  }
  return text;
}

/** Reads the data column back; throws CorruptSessionError when it is not a JSON object. */
export function decodeSession(sid: string, stored: unknown): SessionData {
  // A JSON data column may come back already parsed (pg's jsonb, MySQL's JSON).
  if (typeof stored === 'object' && stored !== null && !Buffer.isBuffer(stored)) {
    if (Array.isArray(stored)) throw new CorruptSessionError(sid, 'data is not a JSON object');
    return stored as SessionData;
  }
  // Some drivers hand back a Buffer for binary-collated or blob columns.
  const text = Buffer.isBuffer(stored) ? stored.toString('utf8') : stored;
  if (typeof text !== 'string') throw new CorruptSessionError(sid, `data is ${text === null ? 'NULL' : typeof text}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CorruptSessionError(sid, 'data is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CorruptSessionError(sid, 'data is not a JSON object');
  }
  return value as SessionData;
}
