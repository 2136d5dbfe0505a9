import * as crypto from 'node:crypto';
import { isWellFormed } from './unicode';
import { PREFIX } from '../messages';

/** Characters of a hashed row key: HMAC-SHA-256 in hex. */
const HASHED_KEY_CHARS = 64;

function describe(value: unknown): string {
  if (value === '') return '""';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/**
 * Turns the public session id into the key of its row, the one place where that happens: every
 * operation looks rows up by this key, so hashing and validation cannot differ between methods.
 */
export class SessionIds {
  readonly #secret: string | undefined;
  /** MySQL/MariaDB collations are PAD SPACE: 'abc ' and 'abc' are one primary key there. */
  readonly #padSpace: boolean;

  constructor(sidSecret: string | undefined, padSpace: boolean) {
    this.#secret = sidSecret;
    this.#padSpace = padSpace;
  }

  /** True when rows are keyed by HMAC-SHA-256 of the sid rather than the sid itself. */
  get hashed(): boolean {
    return this.#secret !== undefined;
  }

  /** The row key of `sid`; a TypeError for an id no row can be keyed by. */
  key(sid: unknown): string {
    if (typeof sid !== 'string' || sid.length === 0) {
      throw new TypeError(`${PREFIX} a session id must be a non-empty string, received ${describe(sid)}`);
    }
    // PostgreSQL refuses NUL in text; refusing it everywhere keeps every backend alike.
    if (sid.includes('\0')) {
      throw new TypeError(`${PREFIX} a session id must not contain NUL characters`);
    }
    // A lone surrogate becomes U+FFFD on its way to UTF-8, so two different ids would share a row.
    if (!isWellFormed(sid)) {
      throw new TypeError(`${PREFIX} a session id must be well-formed Unicode (it contains a lone surrogate)`);
    }
    if (this.#secret === undefined) return sid;
    return crypto.createHmac('sha256', this.#secret).update(sid, 'utf8').digest('hex');
  }

  /** The row key of `sid`, or undefined for an id no row can be keyed by (a trace shows none then). */
  keyOrNone(sid: unknown): string | undefined {
    try {
      return this.key(sid);
    } catch {
      return undefined;
    }
  }

  /** Whether a row can have this key: one checkStorable refuses, no save ever writes. */
  storable(key: string, columnChars: number): boolean {
    return key.length <= columnChars && !(this.#padSpace && key.endsWith(' '));
  }

  /** Throws when `key` cannot be stored as a row of its own in a sid column of `columnChars`. */
  checkStorable(key: string, columnChars: number): void {
    if (key.length > columnChars) {
      const why = this.hashed
        ? `is stored as its ${HASHED_KEY_CHARS}-character HMAC-SHA-256 (option \`sidSecret\`), and its column ` +
          `holds ${columnChars}: widen the sid column to at least ${HASHED_KEY_CHARS} characters`
        : `is ${key.length} characters; its column holds ${columnChars}`;
      throw new RangeError(`${PREFIX} session id ${why}`);
    }
    if (this.#padSpace && key.endsWith(' ')) {
      throw new RangeError(
        `${PREFIX} a session id must not end with a space on MySQL/MariaDB: their collations ignore trailing ` +
          'spaces, so it would share a row with the same id without them',
      );
    }
  }
}
