import type { SessionData } from 'express-session';
import { createAeadAdapter, type EncryptionAdapter } from './encryption';
import { isWellFormed } from './unicode';
import { PREFIX, sidTag } from '../messages';

/** Turns a session into text and back, e.g. for another format than JSON. */
export interface Serializer {
  stringify(session: SessionData): string;
  /** Throws, or returns something that is not an object, when the text is not a session. */
  parse(text: string): unknown;
}

/** What the codec is built from: the resolved options it needs. */
export interface CodecOptions {
  secret: readonly string[] | undefined;
  secretSalt: string | undefined;
  algorithm: string;
  encryption: EncryptionAdapter | undefined;
  serializer: Serializer | undefined;
  allowPlaintext: boolean;
  maxSize: number;
}

/**
 * Session <-> the text of the data column, built once per store. Both answer at once unless a
 * cipher is at work: a promise per get and set would cost the hot path for nothing.
 */
export interface SessionCodec {
  /** The text to store; `sid` is the row key, bound to the ciphertext. Throws when it cannot be stored. */
  encode(sid: string, session: SessionData): string | Promise<string>;
  /** The session back; throws (or rejects with) CorruptSessionError when the row cannot be read. */
  decode(sid: string, stored: unknown): SessionData | Promise<SessionData>;
}

/**
 * Marks an encrypted row. Plaintext JSON starts with `{`, so an old row of connect-session-sequelize
 * is never mistaken for ciphertext. The built-in cipher follows it with its key id, an adapter with `x.`.
 */
const ENCRYPTED = 'sss1.';
const ADAPTER = 'x.';

/** A stored row that cannot be turned back into a session. */
export class CorruptSessionError extends Error {
  /** The session's tag, never its id: an error object is often logged whole. */
  readonly sidTag: string;

  constructor(sid: string, reason: string) {
    super(`${PREFIX} stored session ${sidTag(sid)} is unreadable (${reason}); treated as no session`);
    this.name = 'CorruptSessionError';
    this.sidTag = sidTag(sid);
  }
}

const json: Serializer = {
  stringify: (session) => JSON.stringify(session),
  parse: (text) => JSON.parse(text) as unknown,
};

/**
 * Drops every `__proto__` key, at any depth. JSON.parse makes it an own property, harmless here,
 * but express-session copies the cookie key by key (`this[key] = ...`), and there it would replace
 * the prototype of `req.session.cookie`. The text check keeps the common row from being walked
 * (a `\u` escape could spell the key, so it is walked too).
 */
function withoutProtoKeys<T>(value: T, text: string | undefined): T {
  if (text !== undefined && !text.includes('__proto__') && !text.includes('\\u')) return value;
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    if (Object.hasOwn(node, '__proto__')) delete (node as Record<string, unknown>).__proto__;
    for (const child of Object.values(node)) walk(child);
  };
  walk(value);
  return value;
}

function serialize(serializer: Serializer, sid: string, session: SessionData): string {
  let text: unknown;
  try {
    text = serializer.stringify(session);
  } catch (error) {
    throw new TypeError(`${PREFIX} session ${sidTag(sid)} cannot be serialized: ${messageOf(error)}`);
  }
  if (typeof text !== 'string' || (serializer === json && text[0] !== '{')) {
    throw new TypeError(`${PREFIX} session ${sidTag(sid)} must be an object`);
  }
  // JSON.stringify escapes both; another serializer may not, and the database would refuse or mangle them.
  if (serializer !== json && (text.includes('\0') || !isWellFormed(text))) {
    throw new TypeError(
      `${PREFIX} session ${sidTag(sid)} serializes to text with a NUL character or a lone surrogate, ` +
        'which a text column cannot hold',
    );
  }
  return text;
}

/** The message of anything thrown, an Error or not (an adapter may throw a string). */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function checkSize(sid: string, stored: string, maxSize: number): void {
  // A UTF-8 character takes at most 4 bytes: only a long text needs counting.
  if (stored.length * 4 <= maxSize) return;
  const bytes = Buffer.byteLength(stored, 'utf8');
  if (bytes > maxSize) {
    throw new RangeError(`${PREFIX} session ${sidTag(sid)} is ${bytes} bytes stored; maxSize is ${maxSize}`);
  }
}

/**
 * Throws when a data value about to be written is over `maxSize`. encode() measured its own text;
 * this is for a value `extendDefaultFields` put in its place, so that the limit holds for what is
 * really stored (a JSON column's object counts as its JSON text).
 */
export function checkWrittenSize(sid: string, data: unknown, maxSize: number): void {
  if (maxSize === Infinity) return;
  checkSize(sid, typeof data === 'string' ? data : (JSON.stringify(data) ?? ''), maxSize);
}

/** Builds the codec of one store: serializer, optional encryption (keys derived now, once), limits. */
export function createCodec(options: CodecOptions): SessionCodec {
  const serializer = options.serializer ?? json;
  const builtIn = options.secret ? createAeadAdapter(options.secret, options.algorithm, options.secretSalt) : undefined;
  const adapter = options.encryption;

  async function encrypt(sid: string, text: string, cipher: EncryptionAdapter): Promise<string> {
    let output: unknown;
    try {
      output = await cipher.encrypt(text, sid);
    } catch (error) {
      throw new Error(`${PREFIX} session ${sidTag(sid)} cannot be encrypted: ${messageOf(error)}`);
    }
    if (typeof output !== 'string') {
      throw new TypeError(`${PREFIX} encryption.encrypt must return a string, returned ${typeof output}`);
    }
    return ENCRYPTED + (builtIn ? '' : ADAPTER) + output;
  }

  async function decrypt(sid: string, text: string): Promise<string> {
    const body = text.slice(ENCRYPTED.length);
    const byAdapter = body.startsWith(ADAPTER);
    const cipher = byAdapter ? adapter : builtIn;
    if (!cipher) {
      const how = byAdapter ? 'by an `encryption` adapter' : 'with a `secret`';
      throw new CorruptSessionError(sid, `encrypted ${how}, but the store has none`);
    }
    let plaintext: unknown;
    try {
      plaintext = await cipher.decrypt(byAdapter ? body.slice(ADAPTER.length) : body, sid);
    } catch (error) {
      throw new CorruptSessionError(sid, messageOf(error));
    }
    if (typeof plaintext !== 'string') throw new CorruptSessionError(sid, `decrypt returned ${typeof plaintext}`);
    return plaintext;
  }

  function parse(sid: string, plaintext: string): SessionData {
    let value: unknown;
    try {
      value = serializer.parse(plaintext);
    } catch {
      throw new CorruptSessionError(sid, serializer === json ? 'data is not JSON' : 'the serializer cannot parse it');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new CorruptSessionError(sid, serializer === json ? 'data is not a JSON object' : 'data is not an object');
    }
    return withoutProtoKeys(value as SessionData, plaintext);
  }

  const cipher = builtIn ?? adapter;
  return {
    encode(sid, session) {
      const text = serialize(serializer, sid, session);
      if (!cipher) {
        checkSize(sid, text, options.maxSize);
        return text;
      }
      return encrypt(sid, text, cipher).then((stored) => {
        checkSize(sid, stored, options.maxSize);
        return stored;
      });
    },

    decode(sid, stored) {
      // A JSON data column may come back already parsed (pg's jsonb, MySQL's JSON).
      if (typeof stored === 'object' && stored !== null && !Buffer.isBuffer(stored)) {
        if (Array.isArray(stored)) throw new CorruptSessionError(sid, 'data is not a JSON object');
        return withoutProtoKeys(stored as SessionData, undefined);
      }
      // Some drivers hand back a Buffer for binary-collated or blob columns.
      const text = Buffer.isBuffer(stored) ? stored.toString('utf8') : stored;
      if (typeof text !== 'string') {
        throw new CorruptSessionError(sid, `data is ${text === null ? 'NULL' : typeof text}`);
      }
      // maxSize bounds reads too: a row someone else wrote is refused before it is decrypted or parsed.
      if (text.length * 4 > options.maxSize && Buffer.byteLength(text, 'utf8') > options.maxSize) {
        throw new CorruptSessionError(sid, `${Buffer.byteLength(text, 'utf8')} bytes, over maxSize ${options.maxSize}`);
      }
      if (text.startsWith(ENCRYPTED)) return decrypt(sid, text).then((plaintext) => parse(sid, plaintext));
      // Plain JSON under a cipher is what a table writer would plant: only a migration window reads it.
      if (cipher && !options.allowPlaintext) {
        throw new CorruptSessionError(sid, 'not encrypted, and the store encrypts (allowPlaintext is off)');
      }
      return parse(sid, text);
    },
  };
}
