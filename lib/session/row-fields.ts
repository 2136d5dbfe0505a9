import type { SessionData } from 'express-session';
import { PREFIX, sidTag } from '../messages';

/** The columns every session row has, as handed to `extendDefaultFields`. */
export interface DefaultFields {
  /** The serialized session, exactly as it will be stored. */
  data: string;
  /** When the session expires. */
  expires: Date;
}

/** Throws unless `session` is a session object. */
export function checkSession(sid: string, session: unknown): asserts session is SessionData {
  if (typeof session !== 'object' || session === null || Array.isArray(session)) {
    throw new TypeError(`${PREFIX} session ${sidTag(sid)} must be an object`);
  }
}

/**
 * The attribute values a save writes: `data` and `expires`, and whatever `extendDefaultFields`
 * returns for the user's own columns (it may override data and expires, never the sid).
 */
export function rowFields(
  defaults: DefaultFields,
  session: SessionData,
  extend: ((defaults: DefaultFields, session: SessionData) => unknown) | undefined,
): Record<string, unknown> {
  if (!extend) return { ...defaults };
  const extended: unknown = extend({ ...defaults }, session);
  if (typeof extended !== 'object' || extended === null || Array.isArray(extended)) {
    throw new TypeError(`${PREFIX} extendDefaultFields must return an object of attribute values`);
  }
  // data and expires are always written, even when the function leaves them out.
  const fields: Record<string, unknown> = { ...defaults, ...extended };
  if (Object.hasOwn(fields, 'sid')) delete fields.sid;
  return fields;
}

/** A value for the driver: plain objects and arrays go to JSON columns as JSON text. */
function columnValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'object' && value !== null && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    return JSON.stringify(value);
  }
  return value;
}

/** The fields as the upsert passes them: the expiry as the driver takes dates, the rest as column values. */
export function columnValues(fields: Record<string, unknown>, date: (value: Date) => unknown): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [attribute, value] of Object.entries(fields)) {
    values[attribute] = attribute === 'expires' && value instanceof Date ? date(value) : columnValue(value);
  }
  return values;
}
